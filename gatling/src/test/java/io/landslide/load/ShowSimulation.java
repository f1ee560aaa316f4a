package io.landslide.load;

import io.gatling.javaapi.core.PopulationBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole show at once: the voters' open injection, the duplicate storm (retries after a 202, 20-way races), results
 * readers, WebSocket spectators, then the reconciliation; every gate. The default simulation of
 * {@code -Dgatling.run}. A scenario whose knob is 0 ({@code load.storm.rate}, {@code load.races},
 * {@code load.readers.rate}, {@code load.spectators}) is left out, with its gate.
 */
public class ShowSimulation extends LoadSimulation {
  public ShowSimulation() {
    List<PopulationBuilder> populations = new ArrayList<>();
    Gates.Builder gates = new Gates.Builder();
    populations.add(Scenarios.voters());
    gates.votes();
    if (Knobs.STORM_RATE > 0) populations.add(Scenarios.retriers());
    boolean races = Knobs.RACES > 0;
    if (races) populations.add(Scenarios.races());
    if (Knobs.READERS_RATE > 0) {
      populations.add(Scenarios.readers());
      gates.results();
    }
    if (Knobs.SPECTATORS > 0) {
      populations.add(Scenarios.spectators());
      gates.spectators();
    }
    populations.add(Scenarios.reconcile(races));
    gates.reconciliation(races);
    setUp(populations).protocols(Scenarios.protocol()).assertions(gates.build()).maxDuration(maxDuration());
  }
}
