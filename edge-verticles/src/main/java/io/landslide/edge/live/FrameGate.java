package io.landslide.edge.live;

/**
 * Lets a poll's frames out at most once per interval: changes in between are coalesced into the next frame.
 * The interval is at least {@value #MIN_INTERVAL_MS} ms (the contract's bound), and stretches with the number of
 * spectators so that the whole edge never sends more than its frame budget per second ({@link #intervalMs}): a
 * full house of spectators must never starve the voters of event-loop time. Pure logic, clock passed in.
 */
public final class FrameGate {
  /** The contract's bound: at most one frame every 100 ms. */
  static final long MIN_INTERVAL_MS = 100;

  private long lastMs = Long.MIN_VALUE / 2;

  /**
   * @param spectators      spectators connected to the whole edge process
   * @param framesPerSecond the edge's frame budget, all spectators together
   * @return the interval between two frames of a poll that keeps the edge within its budget
   */
  static long intervalMs(int spectators, int framesPerSecond) {
    long stretched = (spectators * 1000L + framesPerSecond - 1) / framesPerSecond;
    return Math.max(MIN_INTERVAL_MS, stretched);
  }

  /**
   * @param nowMs      the clock, ms
   * @param intervalMs the interval now in force ({@link #intervalMs})
   * @return whether a frame may go out now (and if so, the interval starts again)
   */
  boolean tryPass(long nowMs, long intervalMs) {
    if (nowMs - lastMs < intervalMs) return false;
    lastMs = nowMs;
    return true;
  }
}
