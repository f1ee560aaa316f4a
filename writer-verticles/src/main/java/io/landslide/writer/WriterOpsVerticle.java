package io.landslide.writer;

import io.landslide.writer.store.WriterConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.kafka.admin.KafkaAdminClient;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The writer's {@code /health/live}, {@code /health/ready} and {@code /metrics}. Ready while it can commit: 200 while
 * PostgreSQL answers ({@code DEGRADED} when Kafka does not), 503 without PostgreSQL.
 */
final class WriterOpsVerticle extends VerticleBase {
  private final WriterConfig config;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier clusterJoined;
  private KafkaAdminClient admin;
  private int actualPort;

  WriterOpsVerticle(WriterConfig config, PrometheusMeterRegistry registry, BooleanSupplier clusterJoined) {
    this.config = config;
    this.registry = registry;
    this.clusterJoined = clusterJoined;
  }

  @Override
  public Future<?> start() {
    admin = KafkaAdminClient.create(vertx, config.kafkaAdminProperties());
    Router r = Router.router(vertx);
    r.get("/health/live").handler(ctx -> json(ctx, 200, "{\"status\":\"UP\"}"));
    r.get("/health/ready").handler(this::ready);
    r.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
    return vertx.createHttpServer().requestHandler(r).listen(config.httpPort()).onSuccess(s -> actualPort = s.actualPort());
  }

  int port() {
    return actualPort;
  }

  private void ready(RoutingContext ctx) {
    Future<Void> pg = vertx.<Void>executeBlocking(() -> {
      WriterConnection.probe(config.pg());
      return null;
    }).timeout(3, TimeUnit.SECONDS);
    Future<Void> kafka = admin.describeCluster().<Void>mapEmpty().timeout(2, TimeUnit.SECONDS);
    // Ready while it can commit (PostgreSQL answers); Kafka unreachable only degrades it: it resumes at the
    // stored offsets once the brokers are back, and restarting it would not help.
    Future.join(pg, kafka).onComplete(ar -> json(ctx, pg.succeeded() ? 200 : 503,
      "{\"status\":\"" + (!pg.succeeded() ? "DOWN" : kafka.succeeded() ? "UP" : "DEGRADED") + "\",\"checks\":{\"postgres\":\""
        + (pg.succeeded() ? "UP" : "DOWN") + "\",\"kafka\":\"" + (kafka.succeeded() ? "UP" : "DOWN") + "\",\"cluster\":\""
        + (!config.cluster().enabled() ? "OFF" : clusterJoined.getAsBoolean() ? "UP" : "JOINING") + "\"}}"));
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }
}
