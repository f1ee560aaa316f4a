package io.landslide.edge.live;

import java.util.concurrent.ConcurrentHashMap;

/**
 * At most so many live connections (WebSocket and SSE together) from one client address on one edge process, so one
 * machine cannot take the process's spectator places ({@code VOTING_MAX_SPECTATORS}) from everyone else. Behind the
 * load balancer the address is the client's (the PROXY protocol). Big carrier NATs put many viewers behind one
 * address: the default leaves room for them, and a refused spectator reconnects to another edge or retries later.
 * Thread-safe: one per process.
 */
public final class SpectatorCap {
  private final int perAddress;
  private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

  /** @param perAddress connections one address may hold */
  public SpectatorCap(int perAddress) {
    this.perAddress = perAddress;
  }

  /**
   * @param address the client's address
   * @return whether it may open one more (if so, counted: {@link #release} it when it ends)
   */
  public boolean admit(String address) {
    boolean[] admitted = {false};
    counts.compute(address, (a, n) -> {
      int held = n == null ? 0 : n;
      if (held >= perAddress) return n;
      admitted[0] = true;
      return held + 1;
    });
    return admitted[0];
  }

  /** @param address the address of a connection that ended */
  public void release(String address) {
    counts.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }
}
