package io.landslide.edge.account;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks tokens of the broadcaster's identity provider ({@link OidcConfig}): the signature against its JWKS, fetched
 * from its URL and cached; {@code iss} exactly, {@code aud} naming this service, {@code exp} required, {@code exp},
 * {@code nbf} and {@code iat} within the clock skew; {@code kid} required and {@code alg} RS256 or ES256 (the keys
 * taken from the JWKS are only those). The keys are fetched at start, every {@code refreshSeconds}, and at once when a
 * token names a {@code kid} not in the set (a rotation), at most once every {@code minFetchSeconds}: a made-up
 * {@code kid} costs the provider nothing more. A failed fetch keeps the keys held. The subject becomes a voter index
 * through {@link Identities}. Thread-safe (the key set is swapped whole).
 */
public final class OidcTokens {
  private static final Logger LOG = LoggerFactory.getLogger(OidcTokens.class);
  /** The largest JWKS read: a provider publishes a handful of keys. */
  static final int MAX_JWKS_BYTES = 64 * 1024;
  private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  /** The keys held: one verifier per {@code kid}, so a token is checked against the key it names and no other. */
  private record KeySet(Map<String, JWTAuth> byKid) {
  }

  private final Vertx vertx;
  private final OidcConfig config;
  private final Identities identities;
  private final long maxLifetimeSeconds;
  private final HttpClient http;
  private volatile KeySet keys = new KeySet(Map.of());
  private final AtomicLong lastFetchMs = new AtomicLong(Long.MIN_VALUE / 2);
  private final AtomicLong fetches = new AtomicLong();
  private volatile Future<KeySet> fetching;

  /**
   * @param vertx      Vert.x
   * @param config     the provider
   * @param identities subjects to voter indexes
   * @param maxLifetimeSeconds a token whose {@code exp} is further ahead is refused, before its subject is mapped
   */
  public OidcTokens(Vertx vertx, OidcConfig config, Identities identities, long maxLifetimeSeconds) {
    this.maxLifetimeSeconds = maxLifetimeSeconds;
    this.vertx = vertx;
    this.config = config;
    this.identities = identities;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
  }

  /** Fetches the keys now, then every {@code refreshSeconds}; @return the first fetch (failed: tokens wait for the next) */
  public Future<Void> start() {
    vertx.setPeriodic(TimeUnit.SECONDS.toMillis(config.refreshSeconds()), t -> fetch());
    return fetch().mapEmpty();
  }

  /** @return how many times the keys were fetched (for tests and the metric) */
  public long fetches() {
    return fetches.get();
  }

  /**
   * @param token a compact JWS whose header names {@code kid}
   * @param kid   that {@code kid}
   * @return the voter, or fails (the caller answers 401)
   */
  Future<Authenticator.Voter> authenticate(String token, String kid) {
    JWTAuth key = keys.byKid().get(kid);
    if (key != null) return verify(key, token);
    // An unknown kid: a rotation at the provider, or a forgery. Fetch at most once a minFetchSeconds.
    long now = System.currentTimeMillis();
    long last = lastFetchMs.get();
    Future<KeySet> f = fetching;
    if (f == null && (now - last < TimeUnit.SECONDS.toMillis(config.minFetchSeconds()) || !lastFetchMs.compareAndSet(last, now))) {
      return Future.failedFuture("unknown kid");
    }
    if (f == null) f = fetch();
    return f.transform(ar -> {
      JWTAuth k = keys.byKid().get(kid);
      return k == null ? Future.failedFuture("unknown kid") : verify(k, token);
    });
  }

  private Future<Authenticator.Voter> verify(JWTAuth key, String token) {
    Future<User> checked;
    try {
      checked = key.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return checked.compose(user -> {
      JsonObject claims = user.attributes().getJsonObject("accessToken");
      if (claims == null) return Future.failedFuture("no claims");
      // The library checked iss, aud, exp, nbf and iat; checked again here, so a library default never widens them.
      if (!config.issuer().equals(claims.getValue("iss"))) return Future.failedFuture("iss");
      Object aud = claims.getValue("aud");
      boolean forUs = config.audience().equals(aud) || aud instanceof JsonArray a && a.contains(config.audience());
      if (!forUs) return Future.failedFuture("aud");
      if (!(claims.getValue("exp") instanceof Number exp)) return Future.failedFuture("exp");
      long nowS = System.currentTimeMillis() / 1000;
      // Every refusal comes before the subject is mapped: a refused token never creates an account.
      if (exp.longValue() - nowS > maxLifetimeSeconds) return Future.failedFuture("far-future exp");
      if (claims.getValue("iat") instanceof Number iat && iat.longValue() > nowS + config.skewSeconds()) return Future.failedFuture("iat");
      if (!(claims.getValue("sub") instanceof String sub) || sub.isEmpty() || sub.length() > Identities.MAX_SUBJECT) return Future.failedFuture("sub");
      boolean verified = Boolean.TRUE.equals(claims.getValue("email_verified"));
      long claimedCreated = claims.getValue(config.createdClaim()) instanceof Number n ? n.longValue() : 0;
      long iat = claims.getValue("iat") instanceof Number n ? n.longValue() : 0;
      return identities.index(config.issuer(), sub, claimedCreated)
        .recover(t -> Future.failedFuture(Rejection.of(ErrorCode.UNAVAILABLE, "The account could not be looked up; retry after the delay given.")))
        .map(id -> new Authenticator.Voter(id.index(), false, false, iat, exp.longValue(), verified, id.createdAt()));
    });
  }

  /** Fetches the JWKS; one fetch at a time. */
  private synchronized Future<KeySet> fetch() {
    if (fetching != null) return fetching;
    lastFetchMs.set(System.currentTimeMillis());
    fetches.incrementAndGet();
    Promise<KeySet> done = Promise.promise();
    fetching = done.future();
    http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(config.jwksUrl()).setConnectTimeout(2_000).setIdleTimeout(5_000)
        .putHeader("Accept", "application/json"))
      .compose(req -> req.send())
      .compose(res -> {
        if (res.statusCode() != 200) return Future.failedFuture("HTTP " + res.statusCode());
        String length = res.getHeader("Content-Length");
        if (length != null && length.length() > 7) return Future.failedFuture("a JWKS of " + length + " bytes");
        return res.body();
      })
      .timeout(10, TimeUnit.SECONDS)
      .map(body -> {
        if (body.length() > MAX_JWKS_BYTES) throw new IllegalArgumentException("a JWKS over " + MAX_JWKS_BYTES + " bytes");
        return keySet(new JsonObject(body));
      })
      .onComplete(ar -> {
        synchronized (this) {
          fetching = null;
        }
        if (ar.succeeded()) {
          keys = ar.result();
          LOG.info("identity provider keys fetched from {}: {}", config.jwksUrl(), ar.result().byKid().keySet());
          done.complete(ar.result());
        } else {
          LOG.warn("identity provider keys not fetched from {} ({}); keeping {}", config.jwksUrl(), ar.cause().getMessage(), keys.byKid().keySet());
          done.complete(keys);
        }
      });
    return done.future();
  }

  /**
   * @param jwks a provider's JWKS
   * @return a verifier per usable key: public RSA (RS256) and EC P-256 (ES256) signing keys with a {@code kid}; the
   *     rest (encryption keys, other algorithms, a key with private material) is skipped
   */
  private KeySet keySet(JsonObject jwks) {
    Map<String, JWTAuth> out = new HashMap<>();
    JsonArray list = jwks.getJsonArray("keys");
    if (list == null) throw new IllegalArgumentException("a JWKS without keys");
    for (Object o : list) {
      JsonObject k = usable(o);
      if (k == null) continue;
      JWTOptions checks = new JWTOptions().setIssuer(config.issuer()).setAudience(List.of(config.audience())).setLeeway((int) config.skewSeconds());
      out.put(k.getString("kid"), JWTAuth.create(vertx, new JWTAuthOptions().addJwk(k).setJWTOptions(checks)));
    }
    return new KeySet(Map.copyOf(out));
  }

  static JsonObject usable(Object o) {
    if (!(o instanceof JsonObject k) || !(k.getValue("kid") instanceof String kid) || kid.isBlank() || kid.length() > 256) return null;
    if (k.containsKey("use") && !"sig".equals(k.getValue("use"))) return null;
    for (String m : PRIVATE_MEMBERS) if (k.containsKey(m)) return null;
    boolean ec = "EC".equals(k.getValue("kty")) && "P-256".equals(k.getValue("crv")) && "ES256".equals(k.getValue("alg", "ES256"));
    boolean rsa = "RSA".equals(k.getValue("kty")) && "RS256".equals(k.getValue("alg", "RS256"));
    if (!ec && !rsa) return null;
    return k.copy().put("alg", ec ? "ES256" : "RS256").put("use", "sig");
  }
}
