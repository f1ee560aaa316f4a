package io.landslide.edge.poll;

import io.landslide.runtime.Env;

/**
 * Polls and their store; read from the environment, validated at start.
 *
 * @param votePartitions {@code VOTING_VOTE_HASH_PARTITIONS}: hash sub-partitions of a new poll's votes, default {@value #DEFAULT_VOTE_PARTITIONS}
 * @param pgPoolSize     {@code VOTING_PG_POOL_SIZE}: the edge's reactive PostgreSQL pool, default {@value #DEFAULT_PG_POOL_SIZE}
 * @param bitmapCheckMs  {@code VOTING_BITMAP_CHECK_MS}: how often to check that Redis still holds open polls' bitmaps
 *                       (rebuilding them if not); 0 = never; default {@value #DEFAULT_BITMAP_CHECK_MS}
 * @param pgWaitMs       {@code VOTING_PG_WAIT_MS}: how long a request waits for a connection of the pool before it is
 *                       answered 503 {@code unavailable}, default {@value #DEFAULT_PG_WAIT_MS} (the pool's own default, 30 s,
 *                       would hold a reader's request, and its connection, half a minute under overload)
 * @param pgWaitQueue    {@code VOTING_PG_WAIT_QUEUE}: requests that may wait for a connection at once; one more is
 *                       answered 503 at once, default {@value #DEFAULT_PG_WAIT_QUEUE}
 */
public record PollConfig(int votePartitions, int pgPoolSize, long bitmapCheckMs, long pgWaitMs, int pgWaitQueue) {
  /** Default hash sub-partitions per poll. */
  public static final int DEFAULT_VOTE_PARTITIONS = 4;
  /** Default pool size. */
  public static final int DEFAULT_PG_POOL_SIZE = 8;
  /** Default bitmap check period. */
  public static final long DEFAULT_BITMAP_CHECK_MS = 5000;
  /** Default wait for a pooled connection. */
  public static final long DEFAULT_PG_WAIT_MS = 2000;
  /** Default bound of the requests waiting for one. */
  public static final int DEFAULT_PG_WAIT_QUEUE = 1000;

  /** Validates. */
  public PollConfig {
    if (votePartitions < 1 || votePartitions > 256) throw new IllegalArgumentException("VOTING_VOTE_HASH_PARTITIONS must be 1..256");
    if (pgPoolSize < 1) throw new IllegalArgumentException("VOTING_PG_POOL_SIZE must be at least 1");
    if (bitmapCheckMs < 0) throw new IllegalArgumentException("VOTING_BITMAP_CHECK_MS must not be negative");
    if (pgWaitMs < 1 || pgWaitMs > 60_000) throw new IllegalArgumentException("VOTING_PG_WAIT_MS must be 1..60000");
    if (pgWaitQueue < 0) throw new IllegalArgumentException("VOTING_PG_WAIT_QUEUE must not be negative");
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static PollConfig fromEnv(Env env) {
    return new PollConfig(env.intValue("VOTING_VOTE_HASH_PARTITIONS", DEFAULT_VOTE_PARTITIONS), env.intValue("VOTING_PG_POOL_SIZE", DEFAULT_PG_POOL_SIZE),
      env.longValue("VOTING_BITMAP_CHECK_MS", DEFAULT_BITMAP_CHECK_MS), env.longValue("VOTING_PG_WAIT_MS", DEFAULT_PG_WAIT_MS),
      env.intValue("VOTING_PG_WAIT_QUEUE", DEFAULT_PG_WAIT_QUEUE));
  }
}
