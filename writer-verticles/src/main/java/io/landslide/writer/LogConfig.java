package io.landslide.writer;

import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.runtime.Env;
import java.util.Map;

/**
 * How a writer signs the verifiable vote logs ({@code docs/audit.md}).
 *
 * @param signer       {@code VOTING_LOG_SIGNER_KEY}: the log's Ed25519 key, in signed-note signer key form
 *                     ({@code PRIVATE+KEY+<name>+<id>+<key>}); default the documented dev key {@link LogKeys#DEV_SIGNER},
 *                     refused by the production profile ({@code VOTING_PROFILE=production})
 * @param checkpointMs {@code VOTING_LOG_CHECKPOINT_MS}: the least time between two checkpoints of a poll by one writer,
 *                     default {@value #DEFAULT_CHECKPOINT_MS} (so at least one a second while votes arrive)
 * @param sealGraceMs  {@code VOTING_LOG_SEAL_GRACE_MS}: how long after a poll's closing time its result may be sealed,
 *                     default {@value #DEFAULT_SEAL_GRACE_MS}, or {@code VOTING_KAFKA_DELIVERY_TIMEOUT_MS} + 1 s when
 *                     that is set (the edges' configuration): longer than an edge's Kafka delivery timeout, so every vote
 *                     accepted before the close is in the topic by then (a shorter one is refused)
 */
public record LogConfig(SignedNote.Signer signer, long checkpointMs, long sealGraceMs) {
  /** Default checkpoint interval. */
  public static final long DEFAULT_CHECKPOINT_MS = 500;
  /** Default seal grace. */
  public static final long DEFAULT_SEAL_GRACE_MS = 6000;

  /** Validates. */
  public LogConfig {
    if (checkpointMs < 1 || checkpointMs > 1000) throw new IllegalArgumentException("VOTING_LOG_CHECKPOINT_MS must be 1 to 1000");
    if (sealGraceMs < 0) throw new IllegalArgumentException("VOTING_LOG_SEAL_GRACE_MS must not be negative");
  }

  /** @return the dev key and the defaults */
  public static LogConfig defaults() {
    return new LogConfig(SignedNote.Signer.parse(LogKeys.DEV_SIGNER), DEFAULT_CHECKPOINT_MS, DEFAULT_SEAL_GRACE_MS);
  }

  /**
   * @param env the environment
   * @return the configuration
   * @throws IllegalArgumentException when the key is not one, or is the dev key in production
   */
  public static LogConfig fromEnv(Map<String, String> env) {
    Env e = Env.of(env);
    String key = e.string("VOTING_LOG_SIGNER_KEY", LogKeys.DEV_SIGNER);
    if (e.string("VOTING_PROFILE", "local").equals("production") && key.equals(LogKeys.DEV_SIGNER)) {
      throw new IllegalArgumentException("the dev log key is refused in production: set VOTING_LOG_SIGNER_KEY");
    }
    // The edges' delivery timeout, when the writer shares their configuration: the grace must outlast it.
    long delivery = e.longValue("VOTING_KAFKA_DELIVERY_TIMEOUT_MS", DEFAULT_SEAL_GRACE_MS - 1000);
    long grace = e.longValue("VOTING_LOG_SEAL_GRACE_MS", Math.max(DEFAULT_SEAL_GRACE_MS, delivery + 1000));
    if (grace < delivery) {
      throw new IllegalArgumentException("VOTING_LOG_SEAL_GRACE_MS (" + grace + ") must be at least VOTING_KAFKA_DELIVERY_TIMEOUT_MS (" + delivery
        + "): a vote accepted before the close could reach the writers after the seal");
    }
    return new LogConfig(SignedNote.Signer.parse(key), e.longValue("VOTING_LOG_CHECKPOINT_MS", DEFAULT_CHECKPOINT_MS), grace);
  }

  @Override
  public String toString() {
    return "LogConfig[key=" + signer.verifier().text() + ", checkpointMs=" + checkpointMs + ", sealGraceMs=" + sealGraceMs + "]";
  }
}
