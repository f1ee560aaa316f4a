package io.landslide.runtime;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.function.Function;

/**
 * How a deployable boots: one Prometheus registry built in {@code main} and handed to Vert.x through
 * {@code Vertx.builder().withMetrics}, the native transport when there is one, and the cluster.
 */
public final class Boot {
  private Boot() {
  }

  /**
   * What booting gave: the registry every meter of the process lands in, and Vert.x.
   *
   * @param registry the Prometheus registry ({@code /metrics} scrapes it)
   * @param vertx    the Vert.x instance, clustered or not
   */
  public record Booted(PrometheusMeterRegistry registry, Vertx vertx) {
  }

  /**
   * Builds the registry and Vert.x, then the process on them; closes Vert.x again when the process fails to start.
   *
   * @param cluster the cluster settings
   * @param start   starts the process on what was booted
   * @param <T>     the running process
   * @return the running process
   */
  public static <T> Future<T> start(ClusterSettings cluster, Function<Booted, Future<T>> start) {
    io.landslide.runtime.log.JulBridge.install(); // every line the process writes is the same JSON
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // landslide_build_info: 1, labelled with the version, so a dashboard tells which build each process runs.
    String version = java.util.Objects.requireNonNullElse(Boot.class.getPackage().getImplementationVersion(), "dev");
    io.micrometer.core.instrument.Gauge.builder("landslide.build.info", () -> 1).tag("version", version)
      .tag("java", System.getProperty("java.version")).description("1, labelled with the build this process runs").register(registry);
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setJvmMetricsEnabled(true)
        // Per-request and per-command meters cost more than the vote path itself; the app's own meters count what matters.
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER).addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER).addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory("redis"));
    return Clustering.build(Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry)), options, cluster)
      .compose(vertx -> start.apply(new Booted(registry, vertx)));
  }

  /**
   * Runs a process started by {@code main}: logs its start, closes it from a shutdown hook, exits 1 when it cannot start.
   *
   * @param name    the process's name, for logs and the hook's thread
   * @param started its start
   * @param ready   logs that it is ready
   * @param close   closes it (blocking is fine: called from the hook's own thread)
   * @param <T>     the running process
   */
  public static <T> void run(String name, Future<T> started, java.util.function.Consumer<T> ready, Function<T, Future<Void>> close) {
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Boot.class);
    started.onSuccess(p -> {
      ready.accept(p);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> close.apply(p).await(), name + "-shutdown"));
    }).onFailure(t -> {
      log.error("{} failed to start: {}", name, t.toString(), t);
      System.exit(1);
    });
  }
}
