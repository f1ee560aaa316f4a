package io.landslide.edge.defence;

import java.util.List;

/**
 * The process's rate limits, shared by its event loops.
 *
 * @param user a user's votes and challenges
 * @param ip   an address's votes
 * @param auth an address's registrations and logins
 */
public record RateLimits(RateLimiter user, RateLimiter ip, RateLimiter auth) {
  /**
   * @param c     the limits' configuration
   * @param clock the clock (milliseconds)
   * @return the three limiters
   */
  public static RateLimits of(RateLimitConfig c, java.util.function.LongSupplier clock) {
    return new RateLimits(new RateLimiter(c.user(), c.windowMs(), c.pushAfter(), clock), new RateLimiter(c.ip(), c.windowMs(), c.pushAfter(), clock),
      new RateLimiter(c.auth(), c.windowMs(), c.pushAfter(), clock));
  }

  /** @return all three */
  public List<RateLimiter> all() {
    return List.of(user, ip, auth);
  }
}
