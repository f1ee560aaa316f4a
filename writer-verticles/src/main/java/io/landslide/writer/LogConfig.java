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
 *                     default {@value #DEFAULT_SEAL_GRACE_MS}: longer than the edges' Kafka delivery timeout (5 s), so
 *                     every vote accepted before the close is in the topic by then
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
    return new LogConfig(SignedNote.Signer.parse(key), e.longValue("VOTING_LOG_CHECKPOINT_MS", DEFAULT_CHECKPOINT_MS),
      e.longValue("VOTING_LOG_SEAL_GRACE_MS", DEFAULT_SEAL_GRACE_MS));
  }

  @Override
  public String toString() {
    return "LogConfig[key=" + signer.verifier().text() + ", checkpointMs=" + checkpointMs + ", sealGraceMs=" + sealGraceMs + "]";
  }
}
