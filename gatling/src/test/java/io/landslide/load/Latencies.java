package io.landslide.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Response times of one kind of request, as the client saw them, in 1 ms buckets up to 60 s: the percentiles the
 * console summary prints per request (Gatling's own console prints them only for all requests together), and when the
 * slowest came (seconds into the run), to tell a flood's or a start's slow answers from a steady state's.
 */
final class Latencies {
  private static final int MAX_MS = 60_000;
  private static final long START = System.currentTimeMillis();

  private final String name;
  private final AtomicLongArray buckets = new AtomicLongArray(MAX_MS + 1);
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong slowest = new AtomicLong(-1);
  private volatile long slowestAt;

  Latencies(String name) {
    this.name = name;
  }

  /** @param millis one response's time */
  void record(long millis) {
    int b = (int) Math.max(0, Math.min(MAX_MS, millis));
    buckets.incrementAndGet(b);
    count.incrementAndGet();
    long prev = slowest.get();
    while (millis > prev) {
      if (slowest.compareAndSet(prev, millis)) {
        slowestAt = System.currentTimeMillis();
        break;
      }
      prev = slowest.get();
    }
  }

  /** @return the response time at this percentile (0-100), in ms; -1 with no response */
  long percentile(double p) {
    long n = count.get();
    if (n == 0) return -1;
    long rank = (long) Math.ceil(p / 100.0 * n);
    long seen = 0;
    for (int i = 0; i <= MAX_MS; i++) {
      seen += buckets.get(i);
      if (seen >= rank) return i;
    }
    return MAX_MS;
  }

  /** @return one line: count, p50, p95, p99, p99.9, max and when it came */
  String line() {
    long n = count.get();
    if (n == 0) return name + ": none";
    return String.format("%s: %d answers, p50 %d ms, p95 %d ms, p99 %d ms, p99.9 %d ms, max %d ms (%.0f s after the kit started)", name, n,
      percentile(50), percentile(95), percentile(99), percentile(99.9), slowest.get(), (slowestAt - START) / 1000.0);
  }
}
