package io.landslide.edge;

import io.landslide.edge.ops.Health;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * The operations listener ({@code VOTING_OPS_PORT}): {@code /health/live}, {@code /health/ready} and {@code /metrics},
 * kept off the public listener in production so that the load balancer never exposes them (nor lets a crowd scrape
 * them). Deployed only when the port is set; locally the public listener serves the same routes.
 */
public final class EdgeOpsVerticle extends VerticleBase {
  private final int port;
  private final Health health;
  private HttpServer server;

  /**
   * @param port   the operations port (0: any free port)
   * @param health the process's health and metrics
   */
  public EdgeOpsVerticle(int port, Health health) {
    this.port = port;
    this.health = health;
  }

  /**
   * Adds the operations routes to a router (also under {@code /api/v1}).
   *
   * @param r      the router
   * @param health health and metrics
   */
  static void mount(Router r, Health health) {
    for (String prefix : new String[] {"", "/api/v1"}) {
      r.get(prefix + "/health/live").handler(health::live);
      r.get(prefix + "/health/ready").handler(health::ready);
      r.get(prefix + "/metrics").handler(health::metrics);
    }
  }

  @Override
  public Future<?> start() {
    Router r = Router.router(vertx);
    mount(r, health);
    return vertx.createHttpServer().requestHandler(r).listen(port).onSuccess(s -> server = s);
  }

  /** @return the port it listens on */
  int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS);
  }
}
