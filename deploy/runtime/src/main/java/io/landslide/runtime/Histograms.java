package io.landslide.runtime;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The one bucket list of every latency histogram the processes export, and of the console panel's vote-to-screen:
 * fixed buckets, not per-process quantiles, so Prometheus sums every process's buckets and computes the fleet's
 * percentiles ({@code histogram_quantile}); fourteen a timer keep the cardinality bounded.
 */
public final class Histograms {
  /** The buckets' upper bounds, ms (then +Inf). */
  public static final long[] BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 15000, 30000};
  private static final Duration[] BUCKETS = java.util.Arrays.stream(BUCKETS_MS).mapToObj(Duration::ofMillis).toArray(Duration[]::new);

  private Histograms() {
  }

  /**
   * @param name        the meter's name
   * @param description what it times
   * @return a timer exported as a Prometheus histogram with these buckets
   */
  public static Timer.Builder timer(String name, String description) {
    return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS);
  }
}
