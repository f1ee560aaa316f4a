package io.landslide.writer;

import io.landslide.writer.store.BatchWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** The writer's meters. */
final class WriterMetrics {
  private final Counter inserted;
  private final Counter rejected;
  private final Counter corrupt;
  private final Counter fenced;
  private final Counter failures;
  private final DistributionSummary batch;
  private final Timer commit;

  WriterMetrics(MeterRegistry registry) {
    inserted = Counter.builder("landslide.writer.rows").tag("outcome", "inserted").register(registry);
    rejected = Counter.builder("landslide.writer.rows").tag("outcome", "rejected").register(registry);
    corrupt = Counter.builder("landslide.writer.rows").tag("outcome", "corrupt").register(registry);
    fenced = Counter.builder("landslide.writer.fenced").description("batches dropped: another writer owns the partition").register(registry);
    failures = Counter.builder("landslide.writer.failures").description("batches that failed and will be retried").register(registry);
    // Histograms with fixed buckets (Prometheus aggregates them across writers), not per-process quantiles.
    batch = DistributionSummary.builder("landslide.writer.batch.size").description("records a batch held")
      .serviceLevelObjectives(1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000).register(registry);
    commit = io.landslide.runtime.Histograms.timer("landslide.writer.commit", "a batch's transaction, from its first statement to its commit")
      .register(registry);
    delay = io.landslide.runtime.Histograms.timer("landslide.writer.vote.delay", "the oldest vote of each batch: from its 202 at an edge to its commit")
      .register(registry);
    Gauge.builder("landslide.writer.oldest.vote.age", oldestAcceptedAt, a -> a.get() == 0 ? 0 : Math.max(0, System.currentTimeMillis() - a.get()) / 1000.0)
      .baseUnit("seconds").description("age of the oldest vote this writer holds uncommitted (0: none)").register(registry);
    this.registry = registry;
  }

  /** Per partition this process has owned, the records behind its log end; shared by the process's consumers. */
  private final java.util.concurrent.ConcurrentHashMap<Integer, java.util.concurrent.atomic.AtomicLong> lags = new java.util.concurrent.ConcurrentHashMap<>();
  private final Timer delay;
  private final MeterRegistry registry;
  /** The accepted time (epoch ms) of the oldest vote polled and not yet committed; 0 when none. */
  private final java.util.concurrent.atomic.AtomicLong oldestAcceptedAt = new java.util.concurrent.atomic.AtomicLong();

  /** @param partition a partition @param records how far its stored position is behind its log end */
  void lag(int partition, long records) {
    lags.computeIfAbsent(partition, p -> {
      java.util.concurrent.atomic.AtomicLong v = new java.util.concurrent.atomic.AtomicLong();
      Gauge.builder("landslide.writer.lag", v, java.util.concurrent.atomic.AtomicLong::get).tag("partition", Integer.toString(p))
        .baseUnit("records").description("records of the partition not yet committed (log end minus the stored offset)").register(registry);
      return v;
    }).set(records);
    owned.add(partition);
  }

  /** @param partition a partition this process no longer owns: its lag is its next owner's to report */
  void released(int partition) {
    java.util.concurrent.atomic.AtomicLong v = lags.get(partition);
    if (v != null) v.set(0);
    owned.remove(partition);
  }

  /** Partitions this process owns now (their lag is reported to the control room). */
  private final java.util.Set<Integer> owned = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * @param node this process's id in the control room
   * @return what the writer tells the control room once a second: the lag of each partition it owns, and the age of
   *     its oldest uncommitted vote
   */
  io.vertx.core.json.JsonObject snapshot(String node) {
    io.vertx.core.json.JsonObject lag = new io.vertx.core.json.JsonObject();
    for (Integer p : new java.util.TreeSet<>(owned)) {
      java.util.concurrent.atomic.AtomicLong v = lags.get(p);
      if (v != null) lag.put(Integer.toString(p), v.get());
    }
    long oldest = oldestAcceptedAt.get();
    return new io.vertx.core.json.JsonObject().put("node", node).put("at", System.currentTimeMillis()).put("lag", lag)
      .put("oldestVoteAgeSeconds", oldest == 0 ? 0.0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0);
  }

  /** @param acceptedAt the oldest accepted time of the votes just polled (epoch ms): the oldest held, if older */
  void holding(long acceptedAt) {
    oldestAcceptedAt.accumulateAndGet(acceptedAt, (held, polled) -> held == 0 ? polled : Math.min(held, polled));
  }

  /** The writer holds no vote (its batch dropped: fenced, or its partitions revoked). */
  void holdingNone() {
    oldestAcceptedAt.set(0);
  }

  void committed(BatchWriter.Result r, int records, long nanos) {
    inserted.increment(r.inserted());
    rejected.increment(r.rejected());
    corrupt.increment(r.corrupt());
    batch.record(records);
    commit.record(nanos, TimeUnit.NANOSECONDS);
    if (r.oldestAcceptedAt() > 0) delay.record(Math.max(0, System.currentTimeMillis() - r.oldestAcceptedAt()), TimeUnit.MILLISECONDS);
    oldestAcceptedAt.set(0);
  }

  void fenced() {
    fenced.increment();
  }

  void failed() {
    failures.increment();
  }
}
