package io.landslide.dedup;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Arrays;
import java.util.Collection;
import java.util.function.Function;

/**
 * A {@link VoterSource} over a list held by the test: the rebuild's input, in ascending pages of a fixed size,
 * each page only after the sink finished the one before (as the edge's PostgreSQL cursor does).
 */
final class VoterList implements VoterSource {
  private final long[] users;
  private final int pageSize;
  private int pagesServed;

  /**
   * @param users    the voters, any order
   * @param pageSize users per batch
   */
  VoterList(Collection<Long> users, int pageSize) {
    this.users = users.stream().mapToLong(Long::longValue).sorted().toArray();
    this.pageSize = pageSize;
  }

  @Override
  public Future<Void> forEachBatch(int poll, Function<long[], Future<Void>> sink) {
    Promise<Void> done = Promise.promise();
    next(0, sink, done);
    return done.future();
  }

  // A loop through callbacks, not a chain of composed futures: no nesting as deep as the number of pages.
  private void next(int from, Function<long[], Future<Void>> sink, Promise<Void> done) {
    if (from >= users.length) {
      done.complete();
      return;
    }
    pagesServed++;
    sink.apply(Arrays.copyOfRange(users, from, Math.min(users.length, from + pageSize))).onComplete(ar -> {
      if (ar.failed()) done.fail(ar.cause());
      else next(from + pageSize, sink, done);
    });
  }

  /** @return how many batches went to a sink so far */
  int pagesServed() {
    return pagesServed;
  }
}
