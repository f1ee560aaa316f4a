package io.landslide.load;

/**
 * WebSocket ({@code …/live}) and SSE ({@code …/events}) spectators while the show's voters vote (so frames move): each
 * checks the snapshot, that no frame's total or count goes back, and after the close that the final frame equals the
 * results; the voters' gates and the reconciliation too.
 */
public class SpectatorsSimulation extends LoadSimulation {
  public SpectatorsSimulation() {
    run(new Plan().voters().spectators());
  }
}
