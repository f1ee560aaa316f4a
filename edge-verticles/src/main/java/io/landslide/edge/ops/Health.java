package io.landslide.edge.ops;

import io.landslide.dedup.VoterBitmap;
import io.landslide.edge.http.Http;
import io.landslide.edge.ops.Dependencies.Dependency;
import io.landslide.edge.poll.PollStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.kafka.admin.KafkaAdminClient;
import java.util.concurrent.TimeUnit;

/**
 * {@code /health/live}, {@code /health/ready} and {@code /metrics}. Readiness means "can take votes": 200 while
 * Kafka answers, {@code "status": "DEGRADED"} when Redis or PostgreSQL does not (a vote needs neither), 503 only
 * without Kafka. A request only reads the last {@link #probe}: a flood of probes costs the services nothing.
 */
public final class Health {
  /** How often {@link #probe} should run. */
  public static final long PROBE_EVERY_MS = 1000;
  private static final long CHECK_TIMEOUT_MS = 2000;

  private final Vertx vertx;
  private final PollStore store;
  private final VoterBitmap bitmap;
  private final KafkaAdminClient admin;
  private final PrometheusMeterRegistry registry;
  private final Dependencies dependencies;
  private boolean probing;

  /**
   * @param vertx        the Vert.x instance
   * @param store        PostgreSQL
   * @param bitmap       Redis
   * @param admin        Kafka
   * @param registry     the meters to expose
   * @param dependencies the process's view of its services
   */
  public Health(Vertx vertx, PollStore store, VoterBitmap bitmap, KafkaAdminClient admin, PrometheusMeterRegistry registry,
                Dependencies dependencies) {
    this.vertx = vertx;
    this.store = store;
    this.bitmap = bitmap;
    this.admin = admin;
    this.registry = registry;
    this.dependencies = dependencies;
  }

  /**
   * Asks each service once (a deadline each) and reports what answered; a probe still running is not started again.
   *
   * @return done once every answer, or its deadline, is in
   */
  public Future<Void> probe() {
    if (probing) return Future.succeededFuture();
    probing = true;
    Future<Void> pg = report(Dependency.POSTGRES, store.ping());
    Future<Void> redis = report(Dependency.REDIS, bitmap.ping());
    Future<Void> kafka = report(Dependency.KAFKA, admin.describeCluster().mapEmpty());
    return Future.join(pg, redis, kafka).<Void>mapEmpty().otherwiseEmpty().onComplete(ar -> probing = false);
  }

  /** Liveness: the event loop answers. */
  public void live(RoutingContext ctx) {
    Http.json(ctx, 200, "{\"status\":\"UP\"}");
  }

  /** Readiness: 200 while Kafka answers (DEGRADED when Redis or PostgreSQL does not), 503 without Kafka. */
  public void ready(RoutingContext ctx) {
    JsonObject checks = new JsonObject();
    for (Dependency d : Dependency.values()) checks.put(d.label(), dependencies.isUp(d) ? "UP" : "DOWN");
    checks.put("cluster", vertx.isClustered() ? "UP" : "OFF");
    boolean ready = dependencies.ready();
    String status = dependencies.draining() ? "DRAINING" : !ready ? "DOWN" : dependencies.degraded() ? "DEGRADED" : "UP";
    Http.json(ctx, ready ? 200 : 503, new JsonObject().put("status", status).put("checks", checks).encode());
  }

  /** Prometheus text. */
  public void metrics(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
  }

  private Future<Void> report(Dependency d, Future<Void> answer) {
    return answer.timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> dependencies.report(d, ar.succeeded()));
  }
}
