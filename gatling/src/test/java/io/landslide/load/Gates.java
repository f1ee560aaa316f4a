package io.landslide.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Assertion;
import java.util.ArrayList;
import java.util.List;

/**
 * The SLO gates, as Gatling assertions: a run whose gate fails ends with "assertion failed" and a non-zero exit (the
 * Maven build fails). Only set for the requests the simulation makes ({@link Plan}): an assertion on a request that
 * never ran fails too.
 */
final class Gates {
  private Gates() {}

  /** Builds a simulation's assertions. */
  static final class Builder {
    private final List<Assertion> list = new ArrayList<>();

    Builder() {
      // Every request of the run, reconciliation and spectators' verdicts included.
      list.add(global().failedRequests().percent().lt(Knobs.SLO_FAILED_PERCENT));
    }

    /** This request's p99 under the bound (load.slo.voteP99, 100 ms; load.slo.resultsP99, 200 ms). */
    Builder p99(String request, int millis) {
      list.add(details(request).responseTime().percentile(99.0).lt(millis));
      return this;
    }

    /** A verdict: the request ran exactly once, and passed. */
    Builder once(String request) {
      list.add(details(request).allRequests().count().is(1L));
      list.add(details(request).failedRequests().count().is(0L));
      return this;
    }

    /** A verdict of every one of {@code users} virtual users: each ran it, and none failed. */
    Builder every(String request, int users) {
      list.add(details(request).allRequests().count().is((long) users));
      list.add(details(request).failedRequests().count().is(0L));
      return this;
    }

    List<Assertion> build() {
      return list;
    }
  }
}
