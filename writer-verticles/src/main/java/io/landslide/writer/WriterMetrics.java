package io.landslide.writer;

import io.landslide.writer.store.BatchWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
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
    batch = DistributionSummary.builder("landslide.writer.batch.size").publishPercentiles(0.5, 0.99).register(registry);
    commit = Timer.builder("landslide.writer.commit").publishPercentiles(0.5, 0.99).register(registry);
  }

  void committed(BatchWriter.Result r, int records, long nanos) {
    inserted.increment(r.inserted());
    rejected.increment(r.rejected());
    corrupt.increment(r.corrupt());
    batch.record(records);
    commit.record(nanos, TimeUnit.NANOSECONDS);
  }

  void fenced() {
    fenced.increment();
  }

  void failed() {
    failures.increment();
  }
}
