package io.landslide.writer;

import io.landslide.runtime.Boot;
import io.landslide.runtime.ClusterSettings;
import io.landslide.runtime.Clustering;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer process: consuming worker verticles (scale out with processes, up to the partitions) and its ops
 * endpoints, on a Vert.x of its own that starts at once; the cluster (whose event bus carries tallies to the edges)
 * is joined beside it, so joining never holds up consuming. Until it is joined, the latest shard counts wait in the
 * {@link TallyPublisher}.
 */
public final class WriterMain {
  private static final Logger LOG = LoggerFactory.getLogger(WriterMain.class);

  private final Vertx vertx;
  private final WriterOpsVerticle ops;
  private final TallyPublisher tallies;
  private volatile Vertx clustered;
  private volatile boolean closed;

  private final WriterMetrics metrics;
  private final io.landslide.codec.TallySeal seal;

  private WriterMain(Vertx vertx, WriterOpsVerticle ops, TallyPublisher tallies, WriterMetrics metrics, io.landslide.codec.TallySeal seal) {
    this.vertx = vertx;
    this.ops = ops;
    this.tallies = tallies;
    this.metrics = metrics;
    this.seal = seal;
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
    TallyPublisher tallies = TallyPublisher.detached(config.tallySeal());
    return Boot.start(ClusterSettings.none(), b -> start(config, b.registry(), b.vertx(), tallies)).onSuccess(w -> w.join(config.cluster()));
  }

  private static Future<WriterMain> start(WriterConfig config, PrometheusMeterRegistry registry, Vertx vertx, TallyPublisher tallies) {
    WriterMetrics metrics = new WriterMetrics(registry);
    WriterOpsVerticle ops = new WriterOpsVerticle(config, registry, tallies::attached);
    return vertx.deployVerticle(ops)
      .compose(id -> vertx.deployVerticle(() -> new VoteWriterVerticle(config, metrics, tallies),
        new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setInstances(config.consumers())))
      .map(id -> new WriterMain(vertx, ops, tallies, metrics, config.tallySeal()))
      .recover(t -> {
        vertx.close();
        return Future.failedFuture(t);
      });
  }

  /** @return the ops HTTP port */
  public int opsPort() {
    return ops.port();
  }

  /** Joins the cluster beside the running writer (unclustered: the process's own event bus carries the tallies). */
  private void join(ClusterSettings cluster) {
    if (!cluster.enabled()) {
      tallies.attach(vertx.eventBus());
      report(vertx);
      return;
    }
    long started = System.nanoTime();
    Clustering.build(Vertx.builder(), new VertxOptions(), cluster).onSuccess(cv -> {
      if (closed) {
        cv.close();
        return;
      }
      clustered = cv;
      tallies.attach(cv.eventBus());
      report(cv);
      LOG.info("joined cluster {} in {} ms (consuming since the start)", cluster.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }).onFailure(t -> LOG.error("cannot join cluster {}: tallies reach edges through PostgreSQL re-reads only: {}", cluster.name(), t.toString()));
  }

  /**
   * Tells the control room (every edge's operator console) this writer's lag once a second, on the cluster's event bus,
   * sealed with the cluster key like the tallies.
   */
  private void report(Vertx bus) {
    String node = java.util.UUID.randomUUID().toString();
    bus.setPeriodic(1000, t -> bus.eventBus().publish(io.landslide.codec.ControlRoomAddresses.WRITERS, io.vertx.core.buffer.Buffer.buffer(seal.seal(metrics.snapshot(node).toBuffer().getBytes()))));
  }

  /** @return stops consuming (the consumers leave the group) and closes, leaving the cluster too */
  public Future<Void> close() {
    closed = true;
    Vertx cv = clustered;
    return vertx.close().compose(v -> cv == null ? Future.<Void>succeededFuture() : cv.close());
  }
}
