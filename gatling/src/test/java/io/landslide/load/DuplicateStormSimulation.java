package io.landslide.load;

/**
 * The duplicate storm alone: users who retry after their 202 (each retry 409 {@code already_voted}) and
 * {@code load.race.width}-way races of one user (exactly one 202, the others 409), then the reconciliation.
 */
public class DuplicateStormSimulation extends LoadSimulation {
  public DuplicateStormSimulation() {
    run(new Plan().storm());
  }
}
