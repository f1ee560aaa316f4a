package io.landslide.dedup;

import java.util.Map;

/**
 * Configuration of a {@link VoterBitmap}.
 *
 * @param redisUri  {@code VOTING_REDIS_URI}, default {@value #DEFAULT_REDIS_URI}
 * @param chunkBits {@code VOTING_BITMAP_CHUNK_BITS}: each key holds 2^chunkBits users (default
 *                  {@value #DEFAULT_CHUNK_BITS}: 256 KiB a key, 143 keys for 300M users), so no single key
 *                  blocks Redis when first touched and a cluster spreads one poll over its slots
 * @param timeoutMs {@code VOTING_REDIS_TIMEOUT_MS}: a command not answered by then counts as
 *                  {@link VoterBitmap.Claim#UNKNOWN} (default {@value #DEFAULT_TIMEOUT_MS})
 * @param reconnectBackoffMs after a failed connect, how long to answer {@code UNKNOWN} at once instead of
 *                  reconnecting on every call (default {@value #DEFAULT_RECONNECT_BACKOFF_MS})
 * @param batchWindowMs {@code VOTING_REDIS_BATCH_WINDOW_MS}: claims wait up to this long to leave together in
 *                  one write (0: only natural batching behind the batch in flight); default {@value #DEFAULT_BATCH_WINDOW_MS}
 * @param prefix    {@code VOTING_BITMAP_PREFIX}: start of every key, default {@code vb:<VOTING_PG_DATABASE>:}. Poll ids are
 *                  per database, so a Redis shared by several databases (dev stack, tests, benchmark) must keep
 *                  their polls apart.
 */
public record BitmapOptions(String redisUri, int chunkBits, long timeoutMs, long reconnectBackoffMs, long batchWindowMs,
                            String prefix) {
  /** Default Redis. */
  public static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379";
  /** Default chunk size exponent. */
  public static final int DEFAULT_CHUNK_BITS = 21;
  /** Default command timeout. */
  public static final long DEFAULT_TIMEOUT_MS = 500;
  /** Default batching window. */
  public static final long DEFAULT_BATCH_WINDOW_MS = 1;
  /** Default reconnect backoff. */
  public static final long DEFAULT_RECONNECT_BACKOFF_MS = 1000;

  /** Validates. */
  public BitmapOptions {
    if (redisUri == null || !redisUri.startsWith("redis")) throw new IllegalArgumentException("VOTING_REDIS_URI must be a redis:// URI: " + redisUri);
    if (chunkBits < 10 || chunkBits > 32) throw new IllegalArgumentException("VOTING_BITMAP_CHUNK_BITS must be 10..32: " + chunkBits);
    if (timeoutMs <= 0) throw new IllegalArgumentException("VOTING_REDIS_TIMEOUT_MS must be positive: " + timeoutMs);
    if (reconnectBackoffMs < 0) throw new IllegalArgumentException("reconnect backoff must not be negative");
    if (prefix == null || prefix.isEmpty() || prefix.contains("*") || prefix.contains("{")) {
      throw new IllegalArgumentException("VOTING_BITMAP_PREFIX must be non-empty, without '*' or '{': " + prefix);
    }
    if (batchWindowMs < 0 || batchWindowMs >= timeoutMs) throw new IllegalArgumentException("VOTING_REDIS_BATCH_WINDOW_MS must be 0 or more, below the timeout");
  }

  /** @return the defaults */
  public static BitmapOptions defaults() {
    return fromEnv(Map.of());
  }

  /**
   * Reads the options from the environment.
   *
   * @param env the environment
   * @return options with defaults for what is not set
   * @throws IllegalArgumentException naming the variable and its value, when a value does not parse or is out
   *                                  of range
   */
  public static BitmapOptions fromEnv(Map<String, String> env) {
    return new BitmapOptions(env.getOrDefault("VOTING_REDIS_URI", DEFAULT_REDIS_URI),
      (int) number(env, "VOTING_BITMAP_CHUNK_BITS", DEFAULT_CHUNK_BITS, true),
      number(env, "VOTING_REDIS_TIMEOUT_MS", DEFAULT_TIMEOUT_MS, false),
      DEFAULT_RECONNECT_BACKOFF_MS,
      number(env, "VOTING_REDIS_BATCH_WINDOW_MS", DEFAULT_BATCH_WINDOW_MS, false),
      env.getOrDefault("VOTING_BITMAP_PREFIX", prefixFor(env.getOrDefault("VOTING_PG_DATABASE", "landslide"))));
  }

  private static long number(Map<String, String> env, String name, long fallback, boolean isInt) {
    String value = env.get(name);
    if (value == null) return fallback;
    try {
      return isInt ? Integer.parseInt(value) : Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer: '" + value + "'", e);
    }
  }

  /**
   * @param database a database name
   * @return the default key prefix of polls of that database
   */
  public static String prefixFor(String database) {
    return "vb:" + database + ":";
  }

  /**
   * @param uri another Redis
   * @return these options pointing there
   */
  public BitmapOptions withRedisUri(String uri) {
    return new BitmapOptions(uri, chunkBits, timeoutMs, reconnectBackoffMs, batchWindowMs, prefix);
  }

  /**
   * @param newPrefix another key prefix
   * @return these options with it
   */
  public BitmapOptions withPrefix(String newPrefix) {
    return new BitmapOptions(redisUri, chunkBits, timeoutMs, reconnectBackoffMs, batchWindowMs, newPrefix);
  }

  /**
   * @param poll a poll id
   * @param user a user index
   * @return the Redis key holding the user's bit: {@code <prefix><poll>:<user >> chunkBits>}
   */
  public String key(int poll, long user) {
    return chunkKey(poll, user >>> chunkBits);
  }

  /**
   * @param poll  a poll id
   * @param chunk a chunk index
   * @return that chunk's key
   */
  public String chunkKey(int poll, long chunk) {
    return prefix + poll + ":" + chunk;
  }

  /**
   * @param poll a poll id
   * @return the key that says the poll's bitmap is complete (outside {@link #pollPattern})
   */
  public String sentinelKey(int poll) {
    return prefix + "complete:" + poll;
  }

  /**
   * @param poll a poll id
   * @return the SCAN pattern of the poll's keys
   */
  public String pollPattern(int poll) {
    return prefix + poll + ":*";
  }

  /**
   * @param user a user index
   * @return the bit offset of the user inside its key
   */
  public long offset(long user) {
    return user & ((1L << chunkBits) - 1);
  }
}
