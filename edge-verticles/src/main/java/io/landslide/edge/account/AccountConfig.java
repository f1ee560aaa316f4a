package io.landslide.edge.account;

import io.landslide.runtime.Env;
import java.util.Map;

/**
 * Accounts and the tokens the edge issues at login; read from the environment, validated at start.
 *
 * @param tokenTtlSeconds   {@code VOTING_TOKEN_TTL_SECONDS}: lifetime of a login's token, default {@value #DEFAULT_TOKEN_TTL_SECONDS}
 *                          (a show's evening)
 * @param kdfMemoryKib      {@code VOTING_KDF_MEMORY_KIB}: Argon2id memory per hash, default {@value #DEFAULT_KDF_MEMORY_KIB}
 *                          (OWASP's minimum with 2 iterations)
 * @param kdfIterations     {@code VOTING_KDF_ITERATIONS}, default {@value #DEFAULT_KDF_ITERATIONS}
 * @param kdfThreads        {@code VOTING_KDF_THREADS}: worker threads that hash, default one per core
 * @param adminTokenMaxSeconds {@code VOTING_ADMIN_TOKEN_MAX_SECONDS}: the longest an admin or scrutineer token may live
 *                          ({@code exp - iat}), and the lifetime of such an account's login token, default
 *                          {@value #DEFAULT_ADMIN_TOKEN_MAX_SECONDS} ({@link AdminTokens})
 * @param registerDifficulty {@code VOTING_REGISTER_POW_DIFFICULTY}: leading zero bits a registration's proof of work
 *                          must have ({@code GET /auth/challenge?email=}), bound to the e-mail; 0 (the default, and the
 *                          contract's plain registration) turns it off; production sets it (e.g. 20)
 * @param maxHashesQueued   {@code VOTING_KDF_MAX_QUEUED}: hashes waiting or running at once; past it, 503 with
 *                          {@code Retry-After} (a flood of logins must not queue without bound), default {@value #DEFAULT_MAX_QUEUED}
 * @param oidc              tokens of the broadcaster's identity provider ({@link OidcConfig}), off by default
 * @param mail              where e-mail verification links go ({@link Mail.Config})
 */
public record AccountConfig(long tokenTtlSeconds, int kdfMemoryKib, int kdfIterations, int kdfThreads, int maxHashesQueued,
                            long adminTokenMaxSeconds, int registerDifficulty, OidcConfig oidc, Mail.Config mail) {
  /** Default longest lifetime of an admin or scrutineer token: 15 minutes. */
  public static final long DEFAULT_ADMIN_TOKEN_MAX_SECONDS = 900;
  /** Default token lifetime. */
  public static final long DEFAULT_TOKEN_TTL_SECONDS = 6 * 3600;
  /** Default Argon2id memory, KiB. */
  public static final int DEFAULT_KDF_MEMORY_KIB = 19_456;
  /** Default Argon2id iterations. */
  public static final int DEFAULT_KDF_ITERATIONS = 2;
  /** Default bound of queued hashes. */
  public static final int DEFAULT_MAX_QUEUED = 256;

  /** Validates. */
  public AccountConfig {
    if (tokenTtlSeconds < 60 || tokenTtlSeconds > 7 * 24 * 3600) throw new IllegalArgumentException("VOTING_TOKEN_TTL_SECONDS must be 60 s to 7 days");
    if (kdfMemoryKib < 8 || kdfMemoryKib > 1024 * 1024) throw new IllegalArgumentException("VOTING_KDF_MEMORY_KIB must be 8..1048576");
    if (kdfIterations < 1 || kdfIterations > 20) throw new IllegalArgumentException("VOTING_KDF_ITERATIONS must be 1..20");
    if (kdfThreads < 1) throw new IllegalArgumentException("VOTING_KDF_THREADS must be at least 1");
    if (maxHashesQueued < 1) throw new IllegalArgumentException("VOTING_KDF_MAX_QUEUED must be at least 1");
    if (adminTokenMaxSeconds < 60 || adminTokenMaxSeconds > 3600) throw new IllegalArgumentException("VOTING_ADMIN_TOKEN_MAX_SECONDS must be 60 to 3600");
    if (registerDifficulty < 0 || registerDifficulty > 32) throw new IllegalArgumentException("VOTING_REGISTER_POW_DIFFICULTY must be 0 to 32");
  }

  /** @return the defaults */
  public static AccountConfig defaults() {
    return fromEnv(Map.of());
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static AccountConfig fromEnv(Map<String, String> env) {
    return new AccountConfig(
      Env.of(env).longValue("VOTING_TOKEN_TTL_SECONDS", DEFAULT_TOKEN_TTL_SECONDS),
      Env.of(env).intValue("VOTING_KDF_MEMORY_KIB", DEFAULT_KDF_MEMORY_KIB),
      Env.of(env).intValue("VOTING_KDF_ITERATIONS", DEFAULT_KDF_ITERATIONS),
      Env.of(env).intValue("VOTING_KDF_THREADS", Runtime.getRuntime().availableProcessors()),
      Env.of(env).intValue("VOTING_KDF_MAX_QUEUED", DEFAULT_MAX_QUEUED),
      Env.of(env).longValue("VOTING_ADMIN_TOKEN_MAX_SECONDS", DEFAULT_ADMIN_TOKEN_MAX_SECONDS),
      Env.of(env).intValue("VOTING_REGISTER_POW_DIFFICULTY", 0),
      OidcConfig.fromEnv(Env.of(env)),
      Mail.Config.fromEnv(Env.of(env)));
  }
}
