package io.landslide.edge.defence;

import io.landslide.runtime.Env;
import java.util.Map;

/**
 * Rate limits; read from the environment, validated at start. Each limit is {@code <per second>/<burst>}, or
 * {@code 0} for none.
 *
 * @param user     {@code VOTING_RATE_USER}: a user's votes and challenges, default {@value #DEFAULT_USER} (a person
 *                 has no reason to send more; a vote, its retry and a 20-way race of retries fit the burst)
 * @param ip       {@code VOTING_RATE_IP}: everything an address sends to the vote path, default {@value #DEFAULT_IP}:
 *                 generous, because a mobile carrier's NAT puts thousands of viewers behind one address
 * @param auth     {@code VOTING_RATE_AUTH}: register and login per address, default {@value #DEFAULT_AUTH} (password
 *                 guessing and account farming are slow by design)
 * @param windowMs {@code VOTING_RATE_WINDOW_MS}: the window of the counts shared across edges, default 10 s
 * @param syncMs   {@code VOTING_RATE_SYNC_MS}: how often an edge pushes its counts to Redis, default 100 ms
 * @param pushAfter {@code VOTING_RATE_SYNC_AFTER}: a key's count is pushed once an edge let it through this often in a
 *                 window, default {@value #DEFAULT_PUSH_AFTER}: a viewer's vote and challenge cost Redis nothing
 */
public record RateLimitConfig(RateLimiter.Limit user, RateLimiter.Limit ip, RateLimiter.Limit auth, long windowMs, long syncMs, int pushAfter) {
  /** Default push threshold. */
  public static final int DEFAULT_PUSH_AFTER = 3;
  /** Default per-user limit. */
  public static final String DEFAULT_USER = "10/50";
  /** Default per-address limit on the vote path. */
  public static final String DEFAULT_IP = "1000/10000";
  /** Default per-address limit on register and login. */
  public static final String DEFAULT_AUTH = "10/100";

  /** Validates. */
  public RateLimitConfig {
    if (windowMs < 1000 || windowMs > 3_600_000) throw new IllegalArgumentException("VOTING_RATE_WINDOW_MS must be 1 s to 1 h");
    if (syncMs < 10 || syncMs > windowMs) throw new IllegalArgumentException("VOTING_RATE_SYNC_MS must be 10 ms to the window");
    if (pushAfter < 1) throw new IllegalArgumentException("VOTING_RATE_SYNC_AFTER must be at least 1");
  }

  /** @return the defaults */
  public static RateLimitConfig defaults() {
    return fromEnv(Map.of());
  }

  /** @return no limits at all (tests that are not about limits, load generators on one address) */
  public static RateLimitConfig off() {
    return fromEnv(Map.of("VOTING_RATE_USER", "0", "VOTING_RATE_IP", "0", "VOTING_RATE_AUTH", "0"));
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static RateLimitConfig fromEnv(Map<String, String> env) {
    return new RateLimitConfig(limit("user", "VOTING_RATE_USER", env.getOrDefault("VOTING_RATE_USER", DEFAULT_USER)),
      limit("ip", "VOTING_RATE_IP", env.getOrDefault("VOTING_RATE_IP", DEFAULT_IP)),
      limit("auth", "VOTING_RATE_AUTH", env.getOrDefault("VOTING_RATE_AUTH", DEFAULT_AUTH)),
      Env.of(env).longValue("VOTING_RATE_WINDOW_MS", 10_000), Env.of(env).longValue("VOTING_RATE_SYNC_MS", 100),
      Env.of(env).intValue("VOTING_RATE_SYNC_AFTER", DEFAULT_PUSH_AFTER));
  }

  /**
   * @param name     the limit's name
   * @param variable its environment variable, for the error message
   * @param spec     {@code <per second>/<burst>} or {@code 0}
   * @return the limit
   */
  public static RateLimiter.Limit limit(String name, String variable, String spec) {
    if (spec.strip().equals("0")) return new RateLimiter.Limit(name, 0, 0);
    String[] p = spec.strip().split("/");
    try {
      double perSecond = Double.parseDouble(p[0]);
      int burst = Integer.parseInt(p[1]);
      if (p.length != 2 || !(perSecond > 0) || burst < 1) throw new IllegalArgumentException();
      return new RateLimiter.Limit(name, perSecond, burst);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(variable + " must be <per second>/<burst> (e.g. 5/20) or 0: " + spec);
    }
  }
}
