package io.landslide.edge.vote;

import io.landslide.dedup.VoteRecords;
import io.landslide.dedup.VoterBitmap;
import io.landslide.dedup.VoterBitmap.Reconciled;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No voter locked out: every so often, claims still pending after the grace (the edge that made them died between
 * claim and produce, a produce failed while the claim's answer was lost, a release failed) are settled against
 * PostgreSQL: a voter with a vote written keeps the bit, one without is free to vote again. One look at a time per
 * process; every edge looks (the settling is idempotent and conditional in Redis), so no edge is special.
 * A line is logged only when a look settled something or failed after succeeding (not per look).
 */
public final class Reconciliation {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciliation.class);
  private final VoterBitmap bitmap;
  private final VoteRecords records;
  private final ReconcileConfig config;
  private final Counter released;
  private final Counter confirmed;
  private boolean running;
  /** Failures logged once per change of state (then a summary every 10 s), not once a run. */
  private final io.landslide.runtime.log.StateLog failures = io.landslide.runtime.log.StateLog.of(LOG, "reconciliation");

  /**
   * @param bitmap   the jobs' bitmap connection
   * @param records  what is written
   * @param config   grace and limit
   * @param registry where the counters go
   */
  public Reconciliation(VoterBitmap bitmap, VoteRecords records, ReconcileConfig config, MeterRegistry registry) {
    this.bitmap = bitmap;
    this.records = records;
    this.config = config;
    this.released = Counter.builder("landslide.bitmap.reconciled").tag("outcome", "released")
      .description("pending claims with no vote written: bit cleared, the voter free to vote").register(registry);
    this.confirmed = Counter.builder("landslide.bitmap.reconciled").tag("outcome", "confirmed")
      .description("pending claims whose vote was written: confirmed").register(registry);
  }

  /** @return how often to run, 0 = never */
  public long everyMs() {
    return config.everyMs();
  }

  /** One look (skipped while the previous one runs). */
  public void run() {
    if (running) return;
    running = true;
    bitmap.reconcile(records, config.graceMs(), config.limit()).onComplete(ar -> {
      running = false;
      if (ar.succeeded()) {
        Reconciled r = ar.result();
        released.increment(r.released());
        confirmed.increment(r.confirmed());
        if (r.pending() > 0) {
          LOG.info("reconciled {} pending claims: {} with a vote (confirmed), {} without (released)", r.pending(), r.confirmed(), r.released());
        }
        failures.ok();
      } else {
        failures.failed(ar.cause() + " (tried again every " + config.everyMs() + " ms)", null, null);
      }
    });
  }
}
