package io.landslide.edge.account;

import io.landslide.runtime.Env;
import java.net.InetAddress;
import java.net.URI;

/**
 * Tokens from the broadcaster's identity provider (OpenID Connect): off unless {@code VOTING_OIDC_ISSUER} is set.
 *
 * @param issuer          {@code VOTING_OIDC_ISSUER}: the {@code iss} its tokens carry, exactly (e.g.
 *                        {@code https://id.broadcaster.example}); null: no such tokens are taken
 * @param audience        {@code VOTING_OIDC_AUDIENCE}: the {@code aud} a token must name (this voting service's client
 *                        id at the provider); required with an issuer: a token the provider issued to another of its
 *                        services is refused
 * @param jwksUrl         {@code VOTING_OIDC_JWKS_URL}: where its public keys are, default
 *                        {@code <issuer>/.well-known/jwks.json}; https, or http to a loopback address only
 * @param skewSeconds     {@code VOTING_OIDC_CLOCK_SKEW_SECONDS}: the clock skew allowed on {@code exp}, {@code nbf} and
 *                        {@code iat}, default {@value #DEFAULT_SKEW_SECONDS}
 * @param refreshSeconds  {@code VOTING_OIDC_JWKS_REFRESH_SECONDS}: how often the keys are fetched again, default
 *                        {@value #DEFAULT_REFRESH_SECONDS}
 * @param minFetchSeconds {@code VOTING_OIDC_JWKS_MIN_FETCH_SECONDS}: a token naming an unknown {@code kid} fetches the
 *                        keys at once, but at most once in this many seconds (a flood of made-up {@code kid}s must not
 *                        become a flood on the provider), default {@value #DEFAULT_MIN_FETCH_SECONDS}
 * @param createdClaim    {@code VOTING_OIDC_CREATED_CLAIM}: the claim holding when the account was created (epoch
 *                        seconds), for polls open only to accounts older than their opening; default
 *                        {@value #DEFAULT_CREATED_CLAIM}; a token without it counts from when Landslide first saw it
 */
public record OidcConfig(String issuer, String audience, String jwksUrl, long skewSeconds, long refreshSeconds, long minFetchSeconds, String createdClaim) {
  public static final long DEFAULT_SKEW_SECONDS = 30;
  public static final long DEFAULT_REFRESH_SECONDS = 300;
  public static final long DEFAULT_MIN_FETCH_SECONDS = 10;
  public static final String DEFAULT_CREATED_CLAIM = "created_at";

  /** Validates. */
  public OidcConfig {
    if (issuer != null) {
      if (issuer.isBlank() || issuer.length() > 255) throw new IllegalArgumentException("VOTING_OIDC_ISSUER must be 1 to 255 characters");
      if (audience == null || audience.isBlank()) throw new IllegalArgumentException("VOTING_OIDC_AUDIENCE is required with VOTING_OIDC_ISSUER");
      if (jwksUrl == null) throw new IllegalArgumentException("VOTING_OIDC_JWKS_URL is required");
      URI u;
      try {
        u = URI.create(jwksUrl);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("VOTING_OIDC_JWKS_URL is not a URL: " + jwksUrl);
      }
      if (u.getHost() == null) throw new IllegalArgumentException("VOTING_OIDC_JWKS_URL has no host: " + jwksUrl);
      if (!"https".equals(u.getScheme()) && !("http".equals(u.getScheme()) && loopback(u.getHost()))) {
        throw new IllegalArgumentException("VOTING_OIDC_JWKS_URL must be https (http only to a loopback address): " + jwksUrl);
      }
      if (skewSeconds < 0 || skewSeconds > 300) throw new IllegalArgumentException("VOTING_OIDC_CLOCK_SKEW_SECONDS must be 0 to 300");
      if (refreshSeconds < 10) throw new IllegalArgumentException("VOTING_OIDC_JWKS_REFRESH_SECONDS must be at least 10");
      if (minFetchSeconds < 1 || minFetchSeconds > refreshSeconds) {
        throw new IllegalArgumentException("VOTING_OIDC_JWKS_MIN_FETCH_SECONDS must be 1 to VOTING_OIDC_JWKS_REFRESH_SECONDS");
      }
    }
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** @return whether tokens of an identity provider are taken */
  public boolean enabled() {
    return issuer != null;
  }

  /** @return the configuration, off when {@code VOTING_OIDC_ISSUER} is not set */
  public static OidcConfig fromEnv(Env env) {
    String issuer = env.optional("VOTING_OIDC_ISSUER");
    String jwks = env.optional("VOTING_OIDC_JWKS_URL");
    if (issuer != null && jwks == null) jwks = issuer.replaceAll("/+$", "") + "/.well-known/jwks.json";
    return new OidcConfig(issuer, env.optional("VOTING_OIDC_AUDIENCE"), jwks, env.longValue("VOTING_OIDC_CLOCK_SKEW_SECONDS", DEFAULT_SKEW_SECONDS),
      env.longValue("VOTING_OIDC_JWKS_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS), env.longValue("VOTING_OIDC_JWKS_MIN_FETCH_SECONDS", DEFAULT_MIN_FETCH_SECONDS),
      env.string("VOTING_OIDC_CREATED_CLAIM", DEFAULT_CREATED_CLAIM));
  }

  /** Off. */
  public static OidcConfig none() {
    return new OidcConfig(null, null, null, DEFAULT_SKEW_SECONDS, DEFAULT_REFRESH_SECONDS, DEFAULT_MIN_FETCH_SECONDS, DEFAULT_CREATED_CLAIM);
  }
}
