package io.landslide.edge.poll;

import io.landslide.dedup.VoteRecords;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Set;

/**
 * The votes PostgreSQL holds, for the bitmap's reconciliation: caught up once the writers' offsets
 * ({@code kafka_offsets}) passed the votes topic's end offsets as read at the call (asked again every
 * {@value #RECHECK_MS} ms, until a deadline); written means a row in {@code votes}.
 */
public final class WrittenVotes implements VoteRecords {
  static final long RECHECK_MS = 500;
  private final Vertx vertx;
  private final Finality finality;
  private final PollStore store;
  private final long deadlineMs;

  /**
   * @param vertx      for the rechecks' timers
   * @param finality   the topic's end offsets
   * @param store      PostgreSQL
   * @param deadlineMs how long the writers may take to catch up before the call fails
   */
  public WrittenVotes(Vertx vertx, Finality finality, PollStore store, long deadlineMs) {
    this.vertx = vertx;
    this.finality = finality;
    this.store = store;
    this.deadlineMs = deadlineMs;
  }

  @Override
  public Future<Void> caughtUp() {
    return finality.endOffsets().compose(end -> {
      Promise<Void> done = Promise.promise();
      check(end, System.nanoTime() + deadlineMs * 1_000_000, done);
      return done.future();
    });
  }

  private void check(long[] end, long deadline, Promise<Void> done) {
    store.writersCaughtUp(end).onComplete(ar -> {
      if (ar.failed()) done.fail(ar.cause());
      else if (ar.result()) done.complete();
      else if (System.nanoTime() > deadline) done.fail("the writers have not committed the votes topic's end offsets within " + deadlineMs + " ms");
      else vertx.setTimer(RECHECK_MS, t -> check(end, deadline, done));
    });
  }

  @Override
  public Future<Set<Long>> written(int poll, long[] users) {
    return store.votersAmong(poll, users);
  }
}
