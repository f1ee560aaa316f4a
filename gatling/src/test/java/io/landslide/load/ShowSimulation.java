package io.landslide.load;

/**
 * A whole show at once: the voters' open injection, the duplicate storm (retries after a 202, 20-way races), the
 * proof-of-work voters, the bots (scripted clients, a flood from one address), results readers, WebSocket and SSE
 * spectators, then the reconciliation and the close; every gate. The default simulation of {@code -Dgatling.run}. A
 * part whose knob is 0 is left out, with its gate ({@link Plan}).
 */
public class ShowSimulation extends LoadSimulation {
  public ShowSimulation() {
    run(Plan.everything());
  }
}
