package io.landslide.edge.account;

import io.landslide.runtime.Env;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How tokens are checked and issued; read from the environment, validated at start.
 *
 * @param profile       {@code VOTING_PROFILE}: {@code local} (HS256 dev tokens) or {@code production}
 * @param secret        {@code VOTING_JWT_SECRET}: HS256 secret of the local profile, default {@value #DEV_SECRET}
 * @param publicKeyPem  {@code VOTING_JWT_PUBLIC_KEY}: production, one more accepted PEM public key (no {@code kid})
 * @param algorithm     {@code VOTING_JWT_ALGORITHM}: RS256 (default) or ES256, for the key this edge signs with in
 *                      production: an RS256 token costs ~40 CPU-us to verify here, an ES256 one ~1,100
 *                      (docs/benchmarks.md), and every vote is verified while only a login signs
 * @param jwks          {@code VOTING_JWT_JWKS}: production, a JWKS document ({@code {"keys": [...]}}) of the public keys
 *                      accepted, each with its {@code kid}: the current one and, during a rotation, the previous ones
 * @param privateKeyPem {@code VOTING_JWT_PRIVATE_KEY}: production, the PKCS#8 PEM key this edge signs login tokens with
 *                      (none: it issues no tokens)
 * @param kid           {@code VOTING_JWT_KID}: the {@code kid} of that key; its public key must be in the JWKS
 * @param maxLifetimeSeconds {@code VOTING_TOKEN_MAX_LIFETIME_SECONDS}: a token whose {@code exp} is further ahead than
 *                      this is refused (a far-future token, stolen or minted by a leaked key, lives no longer than any
 *                      genuine one), default {@value #DEFAULT_MAX_LIFETIME_SECONDS} (the longest login token, 7 days)
 */
public record JwtConfig(String profile, String secret, String publicKeyPem, String algorithm, String jwks, String privateKeyPem, String kid,
                        long maxLifetimeSeconds) {
  /** Default longest remaining lifetime of a token taken. */
  public static final long DEFAULT_MAX_LIFETIME_SECONDS = 7 * 24 * 3600;
  /** The dev-only HS256 secret: documented, refused by the production profile. */
  public static final String DEV_SECRET = "landslide-dev-secret-do-not-use-in-production";

  /** Validates. */
  public JwtConfig {
    if (!profile.equals("local") && !profile.equals("production")) throw new IllegalArgumentException("VOTING_PROFILE must be local or production: " + profile);
    if (profile.equals("local") && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new IllegalArgumentException("VOTING_JWT_SECRET must be at least 32 bytes");
    }
    if (profile.equals("production")) {
      if (secret.equals(DEV_SECRET)) throw new IllegalArgumentException("the dev JWT secret is refused in production");
      if (!algorithm.equals("ES256") && !algorithm.equals("RS256")) throw new IllegalArgumentException("VOTING_JWT_ALGORITHM must be ES256 or RS256");
      List<JsonObject> keys = Tokens.publicKeys(jwks);
      if (keys.isEmpty() && (publicKeyPem == null || publicKeyPem.isBlank())) {
        throw new IllegalArgumentException("production needs VOTING_JWT_JWKS or VOTING_JWT_PUBLIC_KEY (PEM)");
      }
      if (privateKeyPem != null && !privateKeyPem.isBlank() && (kid == null || keys.stream().noneMatch(k -> kid.equals(k.getString("kid"))))) {
        throw new IllegalArgumentException("VOTING_JWT_KID must name a key of VOTING_JWT_JWKS: the edge's own tokens must verify");
      }
    }
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static JwtConfig fromEnv(Env env) {
    return new JwtConfig(env.string("VOTING_PROFILE", "local"), env.string("VOTING_JWT_SECRET", DEV_SECRET), env.optional("VOTING_JWT_PUBLIC_KEY"),
      env.string("VOTING_JWT_ALGORITHM", "RS256"), env.optional("VOTING_JWT_JWKS"), env.optional("VOTING_JWT_PRIVATE_KEY"), env.optional("VOTING_JWT_KID"),
      env.longValue("VOTING_TOKEN_MAX_LIFETIME_SECONDS", DEFAULT_MAX_LIFETIME_SECONDS));
  }

  /** @return whether this is the production profile (asymmetric tokens only) */
  public boolean production() {
    return profile.equals("production");
  }
}
