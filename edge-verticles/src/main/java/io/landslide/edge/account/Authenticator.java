package io.landslide.edge.account;

import io.landslide.codec.ErrorCode;
import io.landslide.codec.UserIds;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.Set;

/**
 * Bearer tokens to voters. Local profile: HS256 with {@code VOTING_JWT_SECRET}. Production profile: the
 * configured ES256/RS256 public key only (an HS256 token, {@code alg: none} or any other algorithm is
 * refused: the key set holds only the one algorithm). {@code exp} is required; {@code sub} must be a user
 * index; {@code roles} containing {@code admin} makes an admin.
 */
public final class Authenticator {
  private static final String BEARER = "Bearer ";
  private static final int LEEWAY_SECONDS = 5;

  private final JWTAuth jwt;
  private final long maxLifetimeSeconds;

  /**
   * A verified caller.
   *
   * @param userId     the user index
   * @param admin      whether the token has the admin role
   * @param scrutineer whether it has the scrutineer role (the private reconciliation of a poll's log)
   * @param issuedAt   the token's {@code iat} (epoch seconds), 0 when absent
   * @param expiresAt  its {@code exp} (epoch seconds)
   * @param verified   whether the account's e-mail is verified (the token's {@code email_verified}: signed by this
   *                   service at login, or by the identity provider)
   * @param createdAt  when the account was created (epoch seconds; a built-in token's {@code created_at}, the
   *                   provider's claim or first sight), 0 when unknown
   */
  public record Voter(long userId, boolean admin, boolean scrutineer, long issuedAt, long expiresAt, boolean verified, long createdAt) {
  }

  private AdminTokens privileged = new AdminTokens(null, 900);
  private OidcTokens oidc;
  /** The {@code kid}s of this service's own keys: a token naming another goes to the identity provider's keys. */
  private Set<String> ownKids = Set.of();

  /**
   * @param vertx  the Vert.x instance
   * @param config the token configuration
   */
  public Authenticator(Vertx vertx, JwtConfig config) {
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions().setLeeway(LEEWAY_SECONDS));
    if (config.production()) {
      // Asymmetric keys only: an HS256 token, alg none or any algorithm without a key here is refused.
      Tokens.publicKeys(config.jwks()).forEach(options::addJwk);
      if (config.publicKeyPem() != null && !config.publicKeyPem().isBlank()) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(config.algorithm()).setBuffer(config.publicKeyPem()));
      }
    } else {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.secret()));
    }
    this.jwt = JWTAuth.create(vertx, options);
    this.maxLifetimeSeconds = config.maxLifetimeSeconds();
  }

  /**
   * @param vertx      the Vert.x instance
   * @param config     the token configuration
   * @param privileged the lifetime and revocation of admin and scrutineer tokens
   */
  public Authenticator(Vertx vertx, JwtConfig config, AdminTokens privileged) {
    this(vertx, config);
    this.privileged = privileged;
  }

  /**
   * @param vertx      the Vert.x instance
   * @param config     the token configuration
   * @param privileged the lifetime and revocation of admin and scrutineer tokens
   * @param oidc       the identity provider's tokens, or null when none are taken
   */
  public Authenticator(Vertx vertx, JwtConfig config, AdminTokens privileged, OidcTokens oidc) {
    this(vertx, config, privileged);
    this.oidc = oidc;
    Set<String> kids = new java.util.HashSet<>();
    if (config.production()) for (JsonObject k : Tokens.publicKeys(config.jwks())) kids.add(k.getString("kid"));
    this.ownKids = Set.copyOf(kids);
  }

  /**
   * Signs the tokens this edge issues at login.
   *
   * @param jwt     the signer
   * @param options the algorithm, and the {@code kid} header in production
   */
  public record Issuer(JWTAuth jwt, JWTOptions options) {
    /**
     * @param claims  the claims
     * @param seconds the token's lifetime
     * @return the signed token
     */
    public String sign(JsonObject claims, long seconds) {
      return jwt.generateToken(claims, new JWTOptions(options.toJson()).setExpiresInSeconds((int) seconds));
    }
  }

  /**
   * The local profile signs with HS256 and {@code VOTING_JWT_SECRET}; production with {@code VOTING_JWT_PRIVATE_KEY}
   * under {@code VOTING_JWT_KID}, or issues nothing (null) when this edge has no private key.
   *
   * @param vertx  the Vert.x instance
   * @param config the token configuration
   * @return the issuer, or null
   */
  public static Issuer issuer(Vertx vertx, JwtConfig config) {
    if (!config.production()) {
      return new Issuer(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
        .setBuffer(config.secret()))), new JWTOptions().setAlgorithm("HS256"));
    }
    if (config.privateKeyPem() == null || config.privateKeyPem().isBlank()) return null;
    return new Issuer(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(config.algorithm())
        .setBuffer(config.privateKeyPem()).setId(config.kid()))),
      new JWTOptions().setAlgorithm(config.algorithm()).setHeader(new JsonObject().put("kid", config.kid())));
  }

  /**
   * @param config the token configuration
   * @return the JWKS document of the public keys tokens are checked against ({@code /.well-known/jwks.json}); empty
   *         in the local profile (an HS256 secret is never published)
   */
  public static JsonObject jwks(JwtConfig config) {
    JsonArray keys = new JsonArray();
    if (config.production()) Tokens.publicKeys(config.jwks()).forEach(keys::add);
    return new JsonObject().put("keys", keys);
  }

  /**
   * @param authorization the {@code Authorization} header, maybe null
   * @return the voter; fails with {@link Rejection} {@code unauthorized}
   */
  public Future<Voter> authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED));
    }
    String token = authorization.substring(BEARER.length()).trim();
    if (token.isEmpty() || token.length() > 4096) return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED));
    HeaderFacts facts = facts(token);
    if (facts.critical()) return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED));
    String kid = oidc == null ? null : facts.kid();
    if (kid != null && !ownKids.contains(kid)) return provider(token, kid); // the identity provider's: its keys, its iss and aud
    Future<User> checked;
    try {
      checked = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // vertx-auth-jwt 5.0.8 throws, rather than fails, on some malformed claims (an "exp" that is a string): a
      // throw here would leave the request unanswered.
      return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED));
    }
    return checked.transform(ar -> {
      if (ar.failed()) return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED));
      Voter v = voter(ar.result());
      return v == null ? Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED)) : taken(v);
    });
  }

  private Future<Voter> provider(String token, String kid) {
    return oidc.authenticate(token, kid).transform(ar -> {
      if (ar.failed()) return Future.failedFuture(ar.cause() instanceof Rejection r ? r : Rejection.of(ErrorCode.UNAUTHORIZED));
      return taken(ar.result());
    });
  }

  /**
   * @param authorization the {@code Authorization} header
   * @return the voter, when it is a valid token of the identity provider (not this service's own); fails
   *     {@code unauthorized}
   */
  public Future<Voter> fromProvider(String authorization) {
    if (oidc == null || authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED, "Send a token of the identity provider."));
    }
    String token = authorization.substring(BEARER.length()).trim();
    String header = token.length() > 4096 ? null : header(token);
    String kid = header == null || critical(header) ? null : kid(header);
    if (kid == null || ownKids.contains(kid)) return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED, "Send a token of the identity provider."));
    return provider(token, kid);
  }

  /**
   * What the vote path reads of a token's header, for the header last seen: every token of one signer has the same
   * header segment, so a vote costs a comparison, not a decode (a header that differs is decoded, and remembered).
   *
   * @param segment  the header's base64url segment
   * @param critical whether it has {@code crit}
   * @param kid      its {@code kid}, or null
   */
  private record HeaderFacts(String segment, boolean critical, String kid) {
  }

  private static final HeaderFacts UNREADABLE = new HeaderFacts("", false, null);
  private volatile HeaderFacts lastHeader = UNREADABLE;

  private HeaderFacts facts(String token) {
    int dot = token.indexOf('.');
    HeaderFacts last = lastHeader;
    if (dot == last.segment().length() && dot > 0 && token.regionMatches(0, last.segment(), 0, dot)) return last;
    String header = header(token);
    if (header == null) return UNREADABLE; // the library refuses it
    HeaderFacts f = new HeaderFacts(token.substring(0, dot), critical(header), kid(header));
    lastHeader = f;
    return f;
  }

  /** The checks every verified token gets, whoever signed it: not far-future, not revoked. */
  private Future<Voter> taken(Voter v) {
    if (v.expiresAt() - System.currentTimeMillis() / 1000 > maxLifetimeSeconds) return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED));
    if (privileged.revoked(v)) return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED, "This token was revoked: log in again."));
    return Future.succeededFuture(v);
  }

  /**
   * @param authorization the {@code Authorization} header
   * @return the voter if an admin; fails {@code unauthorized} or {@code forbidden}
   */
  public Future<Voter> admin(String authorization) {
    return authenticate(authorization).compose(v -> v.admin() ? privileged.check(v) : Future.failedFuture(Rejection.of(ErrorCode.FORBIDDEN)));
  }

  /**
   * @param authorization the {@code Authorization} header
   * @return the voter if a scrutineer (the role that may read who voted where in the log); fails {@code unauthorized}
   *     or {@code forbidden}
   */
  public Future<Voter> scrutineer(String authorization) {
    return authenticate(authorization).compose(v -> v.scrutineer() ? privileged.check(v)
      : Future.failedFuture(Rejection.of(ErrorCode.FORBIDDEN, "This call needs the scrutineer role.")));
  }

  /**
   * RFC 7515 4.1.11: a token whose header names extensions the recipient must understand ({@code crit}) must be refused
   * when it does not understand them, and this edge understands none. The JWT library does not check it.
   *
   * @param header the token's decoded header
   * @return whether it has a {@code crit} member
   */
  static boolean critical(String header) {
    if (header.indexOf('\\') >= 0) { // an escaped spelling of the key: read it as JSON
      try {
        return new JsonObject(header).containsKey("crit");
      } catch (RuntimeException notJson) {
        return true;
      }
    }
    return header.contains("\"crit\"");
  }

  /** @return the token's decoded header, or null when it cannot be read (the library refuses the token then) */
  static String header(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot > 1024) return null;
    try {
      return new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, dot)), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** @return the header's {@code kid}, or null (none, or not a string) */
  static String kid(String header) {
    if (!header.contains("kid")) return null;
    try {
      return new JsonObject(header).getValue("kid") instanceof String k && !k.isEmpty() ? k : null;
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  private static Voter voter(User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken");
    if (claims == null || !(claims.getValue("exp") instanceof Number)) return null;
    if (!(claims.getValue("sub") instanceof String sub)) return null;
    long id = UserIds.parse(sub);
    if (id < 0) return null;
    JsonArray roles = claims.getValue("roles") instanceof JsonArray r ? r : new JsonArray();
    long iat = claims.getValue("iat") instanceof Number n ? n.longValue() : 0;
    long created = claims.getValue("created_at") instanceof Number n ? n.longValue() : 0;
    return new Voter(id, roles.contains("admin"), roles.contains("scrutineer"), iat, ((Number) claims.getValue("exp")).longValue(),
      Boolean.TRUE.equals(claims.getValue("email_verified")), created);
  }
}
