package io.landslide.load;

/**
 * WebSocket spectators ({@code …/live}) while the show's voters vote (so frames move): each checks the snapshot, then
 * that no frame's total or count goes back; the voters' gates and the reconciliation too.
 */
public class SpectatorsSimulation extends LoadSimulation {
  public SpectatorsSimulation() {
    setUp(Scenarios.spectators(), Scenarios.voters(), Scenarios.reconcile(false))
      .protocols(Scenarios.protocol())
      .assertions(new Gates.Builder().votes().spectators().reconciliation(false).build())
      .maxDuration(maxDuration());
  }
}
