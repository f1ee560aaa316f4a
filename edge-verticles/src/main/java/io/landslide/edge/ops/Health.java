package io.landslide.edge.ops;

import io.landslide.dedup.VoterBitmap;
import io.landslide.edge.http.Http;
import io.landslide.edge.poll.PollStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.kafka.admin.KafkaAdminClient;

/** {@code /health/live}, {@code /health/ready} (Redis, Kafka and PostgreSQL all answer) and {@code /metrics}. */
public final class Health {
  private static final long CHECK_TIMEOUT_MS = 2000;

  private final Vertx vertx;
  private final PollStore store;
  private final VoterBitmap bitmap;
  private final KafkaAdminClient admin;
  private final PrometheusMeterRegistry registry;

  /**
   * @param vertx    the Vert.x instance
   * @param store    PostgreSQL
   * @param bitmap   Redis
   * @param admin    Kafka
   * @param registry the meters to expose
   */
  public Health(Vertx vertx, PollStore store, VoterBitmap bitmap, KafkaAdminClient admin, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.store = store;
    this.bitmap = bitmap;
    this.admin = admin;
    this.registry = registry;
  }

  /** Liveness: the event loop answers. */
  public void live(RoutingContext ctx) {
    Http.json(ctx, 200, "{\"status\":\"UP\"}");
  }

  /** Readiness: 200 only when every dependency answers within the deadline. */
  public void ready(RoutingContext ctx) {
    Future<Void> pg = check(store.ping());
    Future<Void> redis = check(bitmap.ping());
    Future<Void> kafka = check(admin.describeCluster().mapEmpty());
    Future.join(pg, redis, kafka).onComplete(ar -> {
      JsonObject checks = new JsonObject().put("postgres", state(pg)).put("redis", state(redis)).put("kafka", state(kafka))
        .put("cluster", vertx.isClustered() ? "UP" : "OFF");
      boolean up = ar.succeeded();
      Http.json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks).encode());
    });
  }

  /** Prometheus text. */
  public void metrics(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
  }

  private static String state(Future<Void> f) {
    return f.succeeded() ? "UP" : "DOWN";
  }

  private Future<Void> check(Future<Void> f) {
    Promise<Void> p = Promise.promise();
    long timer = vertx.setTimer(CHECK_TIMEOUT_MS, t -> p.tryFail("timeout"));
    f.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) p.tryComplete();
      else p.tryFail(ar.cause());
    });
    return p.future();
  }
}
