package io.landslide.load;

/**
 * What every simulation of the kit does around its injection: resolves the poll (creating one unless
 * {@code load.poll} names it) and the injection's end before the first user starts, and prints the reconciliation at
 * the end.
 */
abstract class LoadSimulation extends io.gatling.javaapi.core.Simulation {
  @Override
  public void before() {
    System.out.println("[load] " + Knobs.describe());
    Target.resolve();
    // The last vote-producing user is injected at most `duration` seconds from now (plus the start-up's slack).
    Ledger.injectionEndsAt(System.currentTimeMillis() + Knobs.DURATION * 1000L + 2000);
  }

  @Override
  public void after() {
    System.out.println(Ledger.summary());
  }

  /** @return a bound for the whole run: the injection, the settling, and room for slow answers */
  static java.time.Duration maxDuration() {
    return java.time.Duration.ofSeconds(Knobs.DURATION + Knobs.SETTLE + 120L);
  }
}
