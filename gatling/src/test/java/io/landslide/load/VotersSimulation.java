package io.landslide.load;

/** The show's voters alone (distinct users, the vote then {@code GET …/votes/me}), the vote gates and the reconciliation. */
public class VotersSimulation extends LoadSimulation {
  public VotersSimulation() {
    run(new Plan().voters());
  }
}
