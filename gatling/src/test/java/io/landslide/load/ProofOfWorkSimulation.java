package io.landslide.load;

/** Voters in the proof-of-work poll alone: challenge, solve, vote (202); its vote gate and its reconciliation. */
public class ProofOfWorkSimulation extends LoadSimulation {
  public ProofOfWorkSimulation() {
    run(new Plan().pow());
  }
}
