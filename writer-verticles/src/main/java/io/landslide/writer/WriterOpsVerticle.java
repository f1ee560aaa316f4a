package io.landslide.writer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.kafka.admin.KafkaAdminClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.Properties;

/** The writer's {@code /health/live}, {@code /health/ready} (PostgreSQL and Kafka answer) and {@code /metrics}. */
final class WriterOpsVerticle extends VerticleBase {
  private final WriterConfig config;
  private final PrometheusMeterRegistry registry;
  private KafkaAdminClient admin;
  private int actualPort;

  WriterOpsVerticle(WriterConfig config, PrometheusMeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", config.kafkaBootstrap()));
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
    Future<Void> pg = vertx.executeBlocking(() -> {
      Properties p = new Properties();
      p.setProperty("user", config.pg().user());
      if (!config.pg().password().isEmpty()) p.setProperty("password", config.pg().password());
      p.setProperty("connectTimeout", "2");
      try (Connection c = DriverManager.getConnection(config.pg().jdbcUrl(), p)) {
        if (!c.isValid(2)) throw new IllegalStateException("invalid");
      }
      return null;
    });
    Future<Void> kafka = admin.describeCluster().mapEmpty();
    Future.join(pg, kafka).onComplete(ar -> json(ctx, ar.succeeded() ? 200 : 503,
      "{\"status\":\"" + (ar.succeeded() ? "UP" : "DOWN") + "\",\"checks\":{\"postgres\":\"" + (pg.succeeded() ? "UP" : "DOWN")
        + "\",\"kafka\":\"" + (kafka.succeeded() ? "UP" : "DOWN") + "\"}}"));
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }
}
