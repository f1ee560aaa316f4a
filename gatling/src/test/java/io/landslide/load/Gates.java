package io.landslide.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Assertion;
import java.util.ArrayList;
import java.util.List;

/**
 * The SLO gates, as Gatling assertions: a run whose gate fails ends with "assertion failed" and a non-zero exit (the
 * Maven build fails). Each is only set for the requests the simulation makes (an assertion on a request that never ran
 * fails too).
 */
final class Gates {
  private Gates() {}

  /** Builds a simulation's assertions. */
  static final class Builder {
    private final List<Assertion> list = new ArrayList<>();

    Builder() {
      // Every request of the run, reconciliation and spectator verdicts included.
      list.add(global().failedRequests().percent().lt(Knobs.SLO_FAILED_PERCENT));
    }

    /** The voters' vote: p99 under load.slo.voteP99 ms (100). */
    Builder votes() {
      list.add(details(Scenarios.VOTE).responseTime().percentile(99.0).lt(Knobs.SLO_VOTE_P99_MS));
      return this;
    }

    /** The readers' results: p99 under load.slo.resultsP99 ms (200). */
    Builder results() {
      list.add(details(Scenarios.RESULTS).responseTime().percentile(99.0).lt(Knobs.SLO_RESULTS_P99_MS));
      return this;
    }

    /** The reconciliation ran once and the counted total equals the 202s (and, with races, one 202 each). */
    Builder reconciliation(boolean races) {
      list.add(details(Scenarios.RECONCILE_TOTAL).allRequests().count().is(1L));
      list.add(details(Scenarios.RECONCILE_TOTAL).failedRequests().count().is(0L));
      if (races) list.add(details(Scenarios.RECONCILE_RACES).failedRequests().count().is(0L));
      return this;
    }

    /** No spectator saw a total or count go back. */
    Builder spectators() {
      list.add(details(Scenarios.SPECTATOR_VERDICT).failedRequests().count().is(0L));
      return this;
    }

    List<Assertion> build() {
      return list;
    }
  }
}
