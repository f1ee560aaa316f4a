package io.landslide.dedup;

import io.vertx.core.Future;
import java.util.function.Function;

/**
 * Where a {@link VoterBitmap#rebuild rebuild} reads a poll's voters from: the user index of every counted
 * vote, streamed in batches so that even 300 million voters never sit in memory at once. The edge implements
 * it over PostgreSQL's {@code votes}; a test can implement it over a list.
 *
 * <p>The contract, which is also the backpressure:
 * <ul>
 *   <li>the source hands the voters to {@code sink} one batch at a time, and calls it again only after the
 *       future it returned has succeeded (the bitmap has written that batch to Redis);</li>
 *   <li>if a future returned by {@code sink} fails, the source stops, releases what it holds (cursor,
 *       transaction) and fails with that cause;</li>
 *   <li>batches hold user indices in ascending order over the whole stream: the bitmap then keeps one chunk
 *       in memory at a time and writes each chunk once (another order stays correct, since chunks are OR-ed into
 *       Redis, but may write a chunk several times);</li>
 *   <li>the sink has read the array by the time its future completes; the source may reuse it after.</li>
 * </ul>
 */
@FunctionalInterface
public interface VoterSource {

  /**
   * Streams the poll's voters into {@code sink}.
   *
   * @param poll the poll id
   * @param sink takes a non-empty batch of user indices; its future succeeds when the next batch may come
   * @return succeeds once every voter went through {@code sink} and every sink future succeeded; fails when
   *         reading failed or a sink future failed
   */
  Future<Void> forEachBatch(int poll, Function<long[], Future<Void>> sink);
}
