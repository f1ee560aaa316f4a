package io.landslide.load;

/**
 * The bad actors alone: scripted clients (accepted and flagged in the main poll; refused without, or with a forged,
 * proof of work in the proof-of-work poll) and, given {@code load.flood.limit}, a flood from one address cut with 429;
 * then the reconciliation (nothing refused was counted; the flagged votes are the bots' 202s).
 */
public class BotsSimulation extends LoadSimulation {
  public BotsSimulation() {
    run(new Plan().bots());
  }
}
