package io.landslide.edge.live;

import io.landslide.runtime.Env;

/**
 * Live results to spectators; read from the environment, validated at start.
 *
 * @param maxSpectators {@code VOTING_MAX_SPECTATORS}: WebSocket/SSE spectators one edge process takes (503 past it),
 *                      default the frame budget: at a full house each still gets a frame a second
 * @param frameBudget   {@code VOTING_LIVE_FRAME_BUDGET}: frames per second the edge sends to all its spectators
 *                      together; past it, frames of a poll go out less often than every 100 ms. Default
 *                      {@value #DEFAULT_FRAMES_PER_LOOP} per HTTP event loop
 * @param resyncMs      {@code VOTING_LIVE_RESYNC_MS}: live views re-read PostgreSQL's tallies at most this often (the
 *                      event bus brings changes in between; unclustered, the re-read is the only feed), default {@value #DEFAULT_RESYNC_MS}
 * @param perAddress    {@code VOTING_SPECTATORS_PER_ADDRESS}: live connections one client address may hold on one edge
 *                      (429 past it), default {@value #DEFAULT_PER_ADDRESS} (room for a carrier NAT's viewers)
 */
public record LiveConfig(int maxSpectators, int frameBudget, long resyncMs, int perAddress) {
  /** Default live connections per client address. */
  public static final int DEFAULT_PER_ADDRESS = 50;
  /**
   * Default frame budget per HTTP event loop: a delivered frame costs the edge about 12 CPU-µs (mostly the
   * kernel's write), so 10,000 frames/s take about an eighth of a core (docs/benchmarks.md).
   */
  public static final int DEFAULT_FRAMES_PER_LOOP = 10_000;
  /** Default live re-read period. */
  public static final long DEFAULT_RESYNC_MS = 2000;

  /** Validates. */
  public LiveConfig {
    if (maxSpectators < 0) throw new IllegalArgumentException("VOTING_MAX_SPECTATORS must not be negative");
    if (frameBudget < 10) throw new IllegalArgumentException("VOTING_LIVE_FRAME_BUDGET must be at least 10 frames/s");
    if (resyncMs < 100) throw new IllegalArgumentException("VOTING_LIVE_RESYNC_MS must be at least 100");
    if (perAddress < 1) throw new IllegalArgumentException("VOTING_SPECTATORS_PER_ADDRESS must be at least 1");
  }

  /**
   * @param env       the environment
   * @param eventLoops the edge's HTTP event loops (the default budget scales with them)
   * @return the configuration, defaults for what is not set
   */
  public static LiveConfig fromEnv(Env env, int eventLoops) {
    int budget = env.intValue("VOTING_LIVE_FRAME_BUDGET", DEFAULT_FRAMES_PER_LOOP * Math.max(1, eventLoops));
    return new LiveConfig(env.intValue("VOTING_MAX_SPECTATORS", budget), budget, env.longValue("VOTING_LIVE_RESYNC_MS", DEFAULT_RESYNC_MS),
      env.intValue("VOTING_SPECTATORS_PER_ADDRESS", DEFAULT_PER_ADDRESS));
  }
}
