package io.landslide.load;

/**
 * What every simulation of the kit does: resolves the polls (creating them unless {@code load.poll} names one) while it
 * is built, sets up the {@link Plan}'s populations and gates, marks the injection's end as the first user starts, and
 * prints the reconciliation at the end.
 */
abstract class LoadSimulation extends io.gatling.javaapi.core.Simulation {
  /** @param plan the parts to run */
  protected void run(Plan plan) {
    System.out.println("[load] " + Knobs.describe());
    plan.resolve();
    setUp(plan.populations()).protocols(Requests.people()).assertions(plan.gates()).maxDuration(maxDuration());
  }

  private long startNanos;
  private java.time.Duration startCpu;

  @Override
  public void before() {
    startNanos = System.nanoTime();
    startCpu = cpu();
    // The last vote-producing user is injected at most the warm-up and `duration` seconds from now (plus slack).
    long warmUp = Target.warmUp() == null ? 0 : Knobs.WARMUP_SECONDS * 1000L + 2000;
    Ledger.injectionEndsAt(System.currentTimeMillis() + warmUp + Knobs.DURATION * 1000L + 2000);
  }

  @Override
  public void after() {
    System.out.println(Ledger.summary());
    double wall = (System.nanoTime() - startNanos) / 1e9;
    double used = (cpu().minus(startCpu)).toNanos() / 1e9;
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("[load] generator (this JVM): %.1f s of CPU in %.1f s of run: %.2f cores, %.0f%% of this machine's %d%n", used, wall,
      used / wall, 100 * used / wall / cores, cores);
  }

  /** @return the CPU this JVM has used (every thread, user and system) */
  private static java.time.Duration cpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
  }

  /** @return a bound for the whole run: the injection, the settling and the wait for the final frames, and room */
  static java.time.Duration maxDuration() {
    return java.time.Duration.ofSeconds(Knobs.WARMUP_SECONDS + Knobs.DURATION + 2L * Knobs.SETTLE + 120L);
  }
}
