package io.landslide.load;

import io.gatling.javaapi.core.PopulationBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The duplicate storm alone: users who retry after their 202 (each retry 409 {@code already_voted}) and
 * {@code load.race.width}-way races of one user (exactly one 202, the others 409), then the reconciliation.
 */
public class DuplicateStormSimulation extends LoadSimulation {
  public DuplicateStormSimulation() {
    List<PopulationBuilder> populations = new ArrayList<>();
    if (Knobs.STORM_RATE > 0) populations.add(Scenarios.retriers());
    boolean races = Knobs.RACES > 0;
    if (races) populations.add(Scenarios.races());
    populations.add(Scenarios.reconcile(races));
    setUp(populations)
      .protocols(Scenarios.protocol())
      .assertions(new Gates.Builder().reconciliation(races).build())
      .maxDuration(maxDuration());
  }
}
