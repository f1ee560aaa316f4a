package io.landslide.edge.defence;

import io.landslide.edge.poll.Poll;
import io.landslide.runtime.Env;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Proof of work; read from the environment, validated at start.
 *
 * @param difficulty  {@code VOTING_POW_DIFFICULTY}: leading zero bits asked of a vote in a poll that sets none;
 *                    0 (the default) turns the check off
 * @param secret      {@code VOTING_POW_SECRET}: HMAC key signing challenges, the same on every edge; the dev default
 *                    {@value #DEV_SECRET} is refused by the production profile
 * @param ttlSeconds  {@code VOTING_POW_TTL_SECONDS}: how long a challenge stays valid, default {@value #DEFAULT_TTL_SECONDS}
 * @param shadow      {@code VOTING_POW_MODE=shadow}: a missing or wrong proof is scored and counted, not refused
 *                    (for tuning a difficulty on real traffic); default {@code enforce}
 */
public record PowConfig(int difficulty, String secret, long ttlSeconds, boolean shadow) {
  /** The dev-only challenge key: documented, refused in production. */
  public static final String DEV_SECRET = "landslide-dev-pow-secret-do-not-use-in-production";
  /** Default challenge lifetime. */
  public static final long DEFAULT_TTL_SECONDS = 300;

  /** Validates. */
  public PowConfig {
    if (difficulty < 0 || difficulty > ProofOfWork.MAX_DIFFICULTY) {
      throw new IllegalArgumentException("VOTING_POW_DIFFICULTY must be 0.." + ProofOfWork.MAX_DIFFICULTY);
    }
    if (secret.getBytes(StandardCharsets.UTF_8).length < 32) throw new IllegalArgumentException("VOTING_POW_SECRET must be at least 32 bytes");
    if (ttlSeconds < 10 || ttlSeconds > 3600) throw new IllegalArgumentException("VOTING_POW_TTL_SECONDS must be 10..3600");
  }

  /** @return the defaults (difficulty 0: off) */
  public static PowConfig defaults() {
    return fromEnv(Map.of());
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static PowConfig fromEnv(Map<String, String> env) {
    String mode = env.getOrDefault("VOTING_POW_MODE", "enforce");
    if (!mode.equals("enforce") && !mode.equals("shadow")) throw new IllegalArgumentException("VOTING_POW_MODE must be enforce or shadow");
    Env e = Env.of(env);
    return new PowConfig(e.intValue("VOTING_POW_DIFFICULTY", 0), e.string("VOTING_POW_SECRET", DEV_SECRET),
      e.longValue("VOTING_POW_TTL_SECONDS", DEFAULT_TTL_SECONDS), mode.equals("shadow"));
  }

  /**
   * @param poll a poll
   * @return the difficulty in force for its votes
   */
  public int difficultyOf(Poll poll) {
    return poll.powDifficulty() == Poll.DEFAULT_DIFFICULTY ? difficulty : poll.powDifficulty();
  }
}
