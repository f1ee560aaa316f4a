package io.landslide.edge;

/**
 * Lets a poll's frames out at most once per interval: changes in between are coalesced into the next frame,
 * so a spectator sees at most 10 frames a second however fast votes arrive. Pure logic, clock passed in.
 */
final class FrameGate {
  private final long intervalMs;
  private long lastMs = Long.MIN_VALUE / 2;

  FrameGate(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  /**
   * @param nowMs the clock, ms
   * @return whether a frame may go out now (and if so, the interval starts again)
   */
  boolean tryPass(long nowMs) {
    if (nowMs - lastMs < intervalMs) return false;
    lastMs = nowMs;
    return true;
  }
}
