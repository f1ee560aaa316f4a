package io.landslide.edge;

import io.landslide.edge.defence.AbuseSignals;
import io.landslide.edge.defence.RateLimitSync;
import io.landslide.edge.account.AdminTokens;
import io.landslide.edge.ops.Health;
import io.landslide.edge.poll.BitmapGuard;
import io.landslide.edge.poll.PollCache;
import io.landslide.edge.vote.Reconciliation;
import io.landslide.edge.vote.VoteProducer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The edge's periodic jobs, deployed once per process before the HTTP verticles: the producer's metadata is warm,
 * polls are loaded and followed, the rate-limit sync listens, the services were probed once; then, every so often,
 * the dependency probe (what readiness reports), poll reload, rate-limit sync, bitmap guard, the reconciliation of
 * pending claims, abuse-window eviction and producer keep-warm. The timers are this verticle's: undeploying it
 * (closing the edge) stops every one of them.
 */
public final class EdgeJobsVerticle extends VerticleBase {
  private final PollCache polls;
  private final PgSubscriber pollChanges;
  private final VoteProducer producer;
  private final RateLimitSync rateSync;
  private final AbuseSignals abuse;
  private final BitmapGuard bitmapGuard;
  private final long bitmapCheckMs;
  private final Health health;
  private final Reconciliation reconciliation;
  private final AdminTokens adminTokens;
  private final io.landslide.edge.ops.ControlRoom controlRoom;
  private final List<Long> timers = new ArrayList<>();

  /**
   * @param polls         the poll cache
   * @param pollChanges   a PostgreSQL subscriber for poll changes (not yet connected)
   * @param producer      the Kafka producer
   * @param rateSync      the rate-limit sync
   * @param abuse         the abuse signals
   * @param bitmapGuard   the bitmap guard
   * @param bitmapCheckMs how often the guard looks; 0 = never
   * @param health        probes Kafka, Redis and PostgreSQL for readiness
   * @param reconciliation settles claims left pending
   * @param adminTokens   the admin tokens' deny-list, reloaded every {@value AdminTokens#RELOAD_EVERY_MS} ms
   * @param controlRoom   the fleet's numbers for the operator console: this edge's published once a second
   */
  public EdgeJobsVerticle(PollCache polls, PgSubscriber pollChanges, VoteProducer producer, RateLimitSync rateSync, AbuseSignals abuse,
                          BitmapGuard bitmapGuard, long bitmapCheckMs, Health health, Reconciliation reconciliation, AdminTokens adminTokens,
                          io.landslide.edge.ops.ControlRoom controlRoom) {
    this.polls = polls;
    this.pollChanges = pollChanges;
    this.producer = producer;
    this.rateSync = rateSync;
    this.abuse = abuse;
    this.bitmapGuard = bitmapGuard;
    this.bitmapCheckMs = bitmapCheckMs;
    this.health = health;
    this.reconciliation = reconciliation;
    this.adminTokens = adminTokens;
    this.controlRoom = controlRoom;
  }

  @Override
  public Future<?> start() {
    return producer.warm(vertx, Duration.ofSeconds(30))
      .compose(v -> polls.start(pollChanges))
      .compose(v -> rateSync.start())
      .compose(v -> health.probe())
      .compose(v -> adminTokens.reload().recover(t -> Future.succeededFuture())) // PostgreSQL down: the next reload
      .compose(v -> controlRoom.start(vertx))
      .onSuccess(v -> schedule());
  }

  private void schedule() {
    every(Health.PROBE_EVERY_MS, health::probe);
    every(VoteProducer.KEEP_WARM_EVERY_MS, () -> producer.keepWarm(vertx));
    every(PollCache.RELOAD_EVERY_MS, polls::reloadAll);
    every(rateSync.syncMs(), rateSync::sync);
    every(AbuseSignals.WINDOW_MS, abuse::evictIdle);
    if (bitmapCheckMs > 0) every(bitmapCheckMs, bitmapGuard::check);
    if (reconciliation.everyMs() > 0) every(reconciliation.everyMs(), reconciliation::run);
    every(AdminTokens.RELOAD_EVERY_MS, () -> adminTokens.reload().onFailure(t -> { }));
  }

  private void every(long ms, Runnable job) {
    timers.add(vertx.setPeriodic(ms, t -> job.run()));
  }

  @Override
  public Future<?> stop() {
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    return pollChanges.close();
  }
}
