package io.landslide.edge.defence;

import io.landslide.runtime.Env;
import java.util.Map;

/**
 * Abuse signals; read from the environment, validated at start.
 *
 * @param flagThreshold {@code VOTING_FLAG_THRESHOLD}: a vote scoring this or more is flagged for review, default
 *                      {@value #DEFAULT_FLAG_THRESHOLD} (e.g. an automation client, or a missing User-Agent plus a burst at open)
 * @param addressVotes  {@code VOTING_ABUSE_ADDRESS_VOTES}: votes from one address in 10 minutes on one edge past which
 *                      its votes score as busy, default {@value #DEFAULT_ADDRESS_VOTES}; 0 = never (the local stack,
 *                      where every client is 127.0.0.1)
 * @param powBonus      {@code VOTING_POW_ABUSE_BONUS}: extra proof-of-work bits asked of a suspicious client in a poll
 *                      that asks proof of work, default {@value #DEFAULT_POW_BONUS}
 */
public record AbuseConfig(int flagThreshold, int addressVotes, int powBonus) {
  /** Default flag threshold. */
  public static final int DEFAULT_FLAG_THRESHOLD = 40;
  /** Default busy-address bound. */
  public static final int DEFAULT_ADDRESS_VOTES = 500;
  /** Default extra difficulty for suspicious clients (16 times the work). */
  public static final int DEFAULT_POW_BONUS = 4;

  /** Validates. */
  public AbuseConfig {
    if (flagThreshold < 1 || flagThreshold > AbuseSignals.MAX) throw new IllegalArgumentException("VOTING_FLAG_THRESHOLD must be 1.." + AbuseSignals.MAX);
    if (addressVotes < 0) throw new IllegalArgumentException("VOTING_ABUSE_ADDRESS_VOTES must not be negative");
    if (powBonus < 0 || powBonus > 8) throw new IllegalArgumentException("VOTING_POW_ABUSE_BONUS must be 0..8");
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static AbuseConfig fromEnv(Map<String, String> env) {
    Env e = Env.of(env);
    return new AbuseConfig(e.intValue("VOTING_FLAG_THRESHOLD", DEFAULT_FLAG_THRESHOLD), e.intValue("VOTING_ABUSE_ADDRESS_VOTES", DEFAULT_ADDRESS_VOTES),
      e.intValue("VOTING_POW_ABUSE_BONUS", DEFAULT_POW_BONUS));
  }
}
