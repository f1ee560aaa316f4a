package io.landslide.load;

/** The show's voters alone (distinct users, the vote then {@code GET …/votes/me}), the vote gates and the reconciliation. */
public class VotersSimulation extends LoadSimulation {
  public VotersSimulation() {
    setUp(Scenarios.voters(), Scenarios.reconcile(false))
      .protocols(Scenarios.protocol())
      .assertions(new Gates.Builder().votes().reconciliation(false).build())
      .maxDuration(maxDuration());
  }
}
