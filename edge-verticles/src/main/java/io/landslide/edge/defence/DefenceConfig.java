package io.landslide.edge.defence;

import java.util.Map;

/**
 * The bot defences' configuration, one record per defence.
 *
 * @param pow   proof of work
 * @param rates rate limits
 * @param abuse abuse signals
 */
public record DefenceConfig(PowConfig pow, RateLimitConfig rates, AbuseConfig abuse) {
  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static DefenceConfig fromEnv(Map<String, String> env) {
    return new DefenceConfig(PowConfig.fromEnv(env), RateLimitConfig.fromEnv(env), AbuseConfig.fromEnv(env));
  }
}
