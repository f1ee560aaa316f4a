package io.landslide.edge.vote;

import io.landslide.runtime.Env;

/**
 * Settling claims left pending (a bit set with no vote known behind it); read from the environment, validated at start.
 *
 * @param everyMs {@code VOTING_RECONCILE_EVERY_MS}: how often an edge looks for old pending claims; 0 = never;
 *                default {@value #DEFAULT_EVERY_MS}
 * @param graceMs {@code VOTING_RECONCILE_GRACE_MS}: how old a pending claim must be before it is settled; longer than
 *                any produce can take (the edge's {@code VOTING_KAFKA_DELIVERY_TIMEOUT_MS} and a margin: checked by
 *                the edge's config); default {@value #DEFAULT_GRACE_MS}
 * @param limit   {@code VOTING_RECONCILE_LIMIT}: at most this many claims per look; default {@value #DEFAULT_LIMIT}
 */
public record ReconcileConfig(long everyMs, long graceMs, int limit) {
  /** Default period. */
  public static final long DEFAULT_EVERY_MS = 5_000;
  /** Default grace. */
  public static final long DEFAULT_GRACE_MS = 20_000;
  /** Default limit. */
  public static final int DEFAULT_LIMIT = 10_000;

  /** Validates. */
  public ReconcileConfig {
    if (everyMs < 0) throw new IllegalArgumentException("VOTING_RECONCILE_EVERY_MS must not be negative");
    if (graceMs < 1) throw new IllegalArgumentException("VOTING_RECONCILE_GRACE_MS must be positive");
    if (limit < 1) throw new IllegalArgumentException("VOTING_RECONCILE_LIMIT must be at least 1");
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static ReconcileConfig fromEnv(Env env) {
    return new ReconcileConfig(env.longValue("VOTING_RECONCILE_EVERY_MS", DEFAULT_EVERY_MS),
      env.longValue("VOTING_RECONCILE_GRACE_MS", DEFAULT_GRACE_MS), env.intValue("VOTING_RECONCILE_LIMIT", DEFAULT_LIMIT));
  }
}
