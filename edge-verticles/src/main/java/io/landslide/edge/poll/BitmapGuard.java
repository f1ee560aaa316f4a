package io.landslide.edge.poll;

import io.landslide.dedup.VoterBitmap;
import io.landslide.dedup.VoterSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches for Redis losing the bitmaps of open polls (it keeps nothing on disk: a restart or a failover loses
 * every bit) and rebuilds them from PostgreSQL. Until then PostgreSQL's key guards alone; after, the fast path
 * refuses repeat voters again. Runs in every edge; a lock in Redis lets one rebuild at a time.
 */
public final class BitmapGuard {
  private static final Logger LOG = LoggerFactory.getLogger(BitmapGuard.class);

  private final PollCache polls;
  private final VoterBitmap bitmap;
  private final VoterSource voters;
  private boolean running;

  /**
   * @param polls  the poll cache
   * @param bitmap a bitmap client of its own
   * @param voters a poll's voters, in PostgreSQL (what a rebuild restores)
   */
  public BitmapGuard(PollCache polls, VoterBitmap bitmap, VoterSource voters) {
    this.polls = polls;
    this.bitmap = bitmap;
    this.voters = voters;
  }

  /**
   * Looks at every open poll once (its owner runs it every {@code VOTING_BITMAP_CHECK_MS}); a check still running is
   * not started again.
   *
   * @return done once every open poll was looked at
   */
  public Future<Void> check() {
    if (running) return Future.succeededFuture();
    running = true;
    Future<Void> chain = Future.succeededFuture();
    long now = System.currentTimeMillis();
    for (Poll p : polls.all()) {
      if (p.status(now) != Poll.Status.OPEN) continue;
      chain = chain.compose(v -> bitmap.rebuildIfLost(p.id(), voters).map(users -> {
        if (users >= 0) LOG.warn("poll={} redis had lost its voters' bits; rebuilt {} from PostgreSQL", p.id(), users);
        return (Void) null;
      }).otherwise(t -> {
        LOG.warn("poll={} bitmap check failed: {}", p.id(), t.toString());
        return null;
      }));
    }
    return chain.onComplete(ar -> running = false);
  }
}
