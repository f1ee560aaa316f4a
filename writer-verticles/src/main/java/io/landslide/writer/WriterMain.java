package io.landslide.writer;

import io.landslide.runtime.Boot;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The writer process: one consuming worker verticle (scale out with processes, up to the partitions) and its ops endpoints. */
public final class WriterMain {
  private static final Logger LOG = LoggerFactory.getLogger(WriterMain.class);

  private final Vertx vertx;
  private final WriterOpsVerticle ops;

  private WriterMain(Vertx vertx, WriterOpsVerticle ops) {
    this.vertx = vertx;
    this.ops = ops;
  }

  /** Starts a writer configured from the environment; exits 1 when it cannot run. */
  public static void main(String[] args) {
    WriterConfig config = WriterConfig.fromEnv(System.getenv());
    Boot.run("writer", start(config), w -> LOG.info("writer consuming {} as group {} into {}; ops on :{}", config.topic(), config.group(),
      config.pg().jdbcUrl(), w.opsPort()), WriterMain::close);
  }

  /**
   * @param config the configuration
   * @return the running writer
   */
  public static Future<WriterMain> start(WriterConfig config) {
    return Boot.start(config.cluster(), b -> start(config, b.registry(), b.vertx()));
  }

  private static Future<WriterMain> start(WriterConfig config, PrometheusMeterRegistry registry, Vertx vertx) {
    WriterMetrics metrics = new WriterMetrics(registry);
    WriterOpsVerticle ops = new WriterOpsVerticle(config, registry);
    return vertx.deployVerticle(ops)
      .compose(id -> vertx.deployVerticle(() -> new VoteWriterVerticle(config, metrics),
        new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setInstances(config.consumers())))
      .map(id -> new WriterMain(vertx, ops))
      .recover(t -> {
        vertx.close();
        return Future.failedFuture(t);
      });
  }

  /** @return the ops HTTP port */
  public int opsPort() {
    return ops.port();
  }

  /** @return stops consuming and closes */
  public Future<Void> close() {
    return vertx.close();
  }
}
