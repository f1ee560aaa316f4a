package io.landslide.edge.poll;

import io.landslide.dedup.VoterSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * A poll's voters as PostgreSQL counted them: the {@code user_id} of each of its rows in {@code votes}, the
 * source a {@link io.landslide.dedup.VoterBitmap#rebuild bitmap rebuild} reads. Streamed through a cursor in one
 * transaction, ascending, {@link #DEFAULT_FETCH} rows at a time: a fetch waits until the bitmap has written
 * the one before, so memory stays at one fetch whatever the poll's size (300 million voters included).
 */
public final class PollVoters implements VoterSource {
  /** Rows per fetch by default (400 KB of ids). */
  public static final int DEFAULT_FETCH = 50_000;
  /** Every voter of poll {@code $1}, in key order (the primary key's index, one poll's partition). */
  static final String VOTERS_OF_POLL = "SELECT user_id FROM votes WHERE poll_id = $1 ORDER BY user_id";

  private final Pool pool;
  private final int fetch;

  /**
   * @param pool a pool on the votes database
   */
  public PollVoters(Pool pool) {
    this(pool, DEFAULT_FETCH);
  }

  /**
   * @param pool  a pool on the votes database
   * @param fetch rows per fetch, positive
   */
  public PollVoters(Pool pool, int fetch) {
    if (fetch <= 0) throw new IllegalArgumentException("fetch size must be positive: " + fetch);
    this.pool = pool;
    this.fetch = fetch;
  }

  /**
   * Streams the poll's voters into {@code sink}, one fetch at a time.
   *
   * @param poll the poll id
   * @param sink takes each fetch's user ids; the next fetch waits for its future
   * @return succeeds after the last fetch went through {@code sink}; fails (rolling the transaction back, which
   *         closes the cursor) when PostgreSQL or the sink failed
   */
  @Override
  public Future<Void> forEachBatch(int poll, Function<long[], Future<Void>> sink) {
    return pool.withTransaction(conn -> conn.prepare(VOTERS_OF_POLL)
      .compose(ps -> readAll(ps.cursor(Tuple.of(poll)), sink)));
  }

  private Future<Void> readAll(Cursor cursor, Function<long[], Future<Void>> sink) {
    Promise<Void> done = Promise.promise();
    readNext(cursor, sink, done);
    return done.future();
  }

  // A loop through callbacks rather than futures composed one inside the other: a poll of 300M voters is
  // 6,000 fetches, and a chain that deep would complete through 6,000 nested frames.
  private void readNext(Cursor cursor, Function<long[], Future<Void>> sink, Promise<Void> done) {
    cursor.read(fetch)
      .compose(rows -> rows.size() == 0 ? Future.<Void>succeededFuture() : sink.apply(userIds(rows)))
      .onComplete(ar -> {
        if (ar.failed()) done.fail(ar.cause());
        else if (cursor.hasMore()) readNext(cursor, sink, done);
        else cursor.close().onComplete(done);
      });
  }

  private static long[] userIds(RowSet<Row> rows) {
    long[] ids = new long[rows.size()];
    int i = 0;
    for (Row row : rows) ids[i++] = row.getLong(0);
    return ids;
  }
}
