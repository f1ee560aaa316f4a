package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tokens of the broadcaster's identity provider, against a local provider (an HTTP server in the test serving its
 * JWKS): taken with the right issuer, audience and key; refused, with nothing recorded, in every other case; the keys
 * fetched again on an unknown {@code kid} (a rotation), but not more than once in the minimum interval however many
 * made-up {@code kid}s arrive; subjects mapped to dense voter indexes on first sight; exchanged for this service's
 * tokens; and polls' eligibility checked from the provider's claims.
 */
class IdentityProviderIT {
  private static final String ISSUER = "https://id.test.example/" + UUID.randomUUID();
  private static final String AUDIENCE = "landslide-test";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final AtomicReference<String> JWKS = new AtomicReference<>();
  private static final AtomicInteger FETCHES = new AtomicInteger();
  private static final KeyPair RSA = generate("RSA");
  private static final KeyPair EC = generate("EC");
  private static final KeyPair ROTATED = generate("RSA");
  private static final KeyPair STRANGER = generate("RSA");
  private static final HttpServer PROVIDER = provider();

  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.with(Map.of("VOTING_OIDC_ISSUER", ISSUER, "VOTING_OIDC_AUDIENCE", AUDIENCE,
    "VOTING_OIDC_JWKS_URL", "http://127.0.0.1:" + PROVIDER.getAddress().getPort() + "/jwks", "VOTING_OIDC_JWKS_MIN_FETCH_SECONDS", "2"));

  private static KeyPair generate(String kind) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(kind);
      if (kind.equals("EC")) g.initialize(new ECGenParameterSpec("secp256r1"));
      else g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpServer provider() {
    JWKS.set(jwks(rsaJwk("rsa-1", RSA), ecJwk("ec-1", EC),
      new JsonObject().put("kty", "oct").put("kid", "hmac-1").put("k", "c2VjcmV0"), // a symmetric key: never taken
      rsaJwk("enc-1", STRANGER).put("use", "enc"))); // an encryption key: never taken for signatures
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      s.createContext("/jwks", ex -> {
        FETCHES.incrementAndGet();
        byte[] body = JWKS.get().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
      });
      s.start();
      return s;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stopProvider() {
    PROVIDER.stop(0);
  }

  private static String jwks(JsonObject... keys) {
    return new JsonObject().put("keys", new JsonArray(List.of((Object[]) keys))).encode();
  }

  private static JsonObject rsaJwk(String kid, KeyPair k) {
    RSAPublicKey p = (RSAPublicKey) k.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
      .put("n", B64.encodeToString(unsigned(p.getModulus()))).put("e", B64.encodeToString(unsigned(p.getPublicExponent())));
  }

  private static JsonObject ecJwk(String kid, KeyPair k) {
    ECPublicKey p = (ECPublicKey) k.getPublic();
    return new JsonObject().put("kty", "EC").put("crv", "P-256").put("kid", kid)
      .put("x", B64.encodeToString(pad32(unsigned(p.getW().getAffineX())))).put("y", B64.encodeToString(pad32(unsigned(p.getW().getAffineY()))));
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b[0] == 0 && b.length > 1 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static byte[] pad32(byte[] b) {
    byte[] out = new byte[32];
    System.arraycopy(b, 0, out, 32 - b.length, b.length);
    return out;
  }

  /** @return a signed compact JWS of {@code claims} with {@code header} */
  private static String sign(JsonObject header, JsonObject claims, PrivateKey key) {
    String input = B64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
      + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance(key.getAlgorithm().equals("EC") ? "SHA256withECDSAinP1363Format" : "SHA256withRSA");
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject claims(String sub) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject().put("iss", ISSUER).put("aud", AUDIENCE).put("sub", sub).put("iat", now).put("exp", now + 600);
  }

  private static String token(String kid, KeyPair key, JsonObject claims) {
    return sign(new JsonObject().put("alg", key.getPrivate().getAlgorithm().equals("EC") ? "ES256" : "RS256").put("typ", "JWT").put("kid", kid),
      claims, key.getPrivate());
  }

  private static String subject() {
    return "viewer-" + UUID.randomUUID();
  }

  private static long accounts(String sub) {
    return first("SELECT count(*) FROM users WHERE issuer = ? AND subject = ?", sub);
  }

  private static long index(String sub) {
    return first("SELECT id FROM users WHERE issuer = ? AND subject = ?", sub);
  }

  /** @return the first column of the query's first row for this issuer's subject, or -1 without a row */
  private static long first(String sql, String sub) {
    try (Connection c = Schema.connect(TestStack.pg()); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, ISSUER);
      ps.setString(2, sub);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("A provider's token (RS256 or ES256) votes: its subject becomes a voter index on first sight, the same index ever after")
  void shouldTakeTheProvidersTokens() {
    int poll = f.openPoll();
    String rsaSub = subject();
    String ecSub = subject();
    HttpResponse<Buffer> a = f.vote(poll, token("rsa-1", RSA, claims(rsaSub)), "{\"option\": 0}");
    assertThat(a.statusCode()).as(a.bodyAsString()).isEqualTo(202);
    HttpResponse<Buffer> b = f.vote(poll, token("ec-1", EC, claims(ecSub)), "{\"option\": 1}");
    assertThat(b.statusCode()).as(b.bodyAsString()).isEqualTo(202);
    long rsaIndex = index(rsaSub);
    assertThat(rsaIndex).isPositive();
    assertThat(index(ecSub)).isPositive().isNotEqualTo(rsaIndex);
    assertThat(f.recorded(poll)).extracting(v -> v.userId()).containsExactlyInAnyOrder(rsaIndex, index(ecSub));
    // The same subject again: the same index, so the same bit: already voted.
    HttpResponse<Buffer> again = f.vote(poll, token("rsa-1", RSA, claims(rsaSub)), "{\"option\": 2}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("already_voted");
    assertThat(accounts(rsaSub)).isEqualTo(1);
    // The built-in tokens still work beside them.
    assertThat(f.vote(poll, TOKENS.voter(12_300_001), "{\"option\": 0}").statusCode()).isEqualTo(202);
  }

  @Test
  @DisplayName("Refused with 401, and nothing recorded (no vote, no account): other iss, other aud, expired, far-future exp, future iat, no sub, crit, a key not in the JWKS, HS256, a symmetric or encryption key's kid, tampered claims")
  void shouldRefuseEveryOtherToken() {
    int poll = f.openPoll();
    long now = Instant.now().getEpochSecond();
    String sub = subject();
    JsonObject good = claims(sub);
    String valid = token("rsa-1", RSA, good);
    String[] parts = valid.split("\\.");
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("another issuer", token("rsa-1", RSA, good.copy().put("iss", "https://evil.example")));
    cases.put("another audience", token("rsa-1", RSA, good.copy().put("aud", "another-service")));
    cases.put("another audience in a list", token("rsa-1", RSA, good.copy().put("aud", new JsonArray().add("a").add("b"))));
    cases.put("no audience", token("rsa-1", RSA, good.copy().put("aud", (Object) null)));
    cases.put("expired beyond the skew", token("rsa-1", RSA, good.copy().put("exp", now - 120)));
    cases.put("no exp", token("rsa-1", RSA, good.copy().put("exp", (Object) null)));
    cases.put("far-future exp", token("rsa-1", RSA, good.copy().put("exp", now + 30L * 24 * 3600)));
    cases.put("issued in the future", token("rsa-1", RSA, good.copy().put("iat", now + 3600)));
    cases.put("not before the future", token("rsa-1", RSA, good.copy().put("nbf", now + 3600)));
    cases.put("no sub", token("rsa-1", RSA, good.copy().put("sub", (Object) null)));
    cases.put("a sub over 255 characters", token("rsa-1", RSA, good.copy().put("sub", "x".repeat(256))));
    cases.put("an unknown crit", sign(new JsonObject().put("alg", "RS256").put("kid", "rsa-1").put("crit", new JsonArray().add("exp2")).put("exp2", 1),
      good, RSA.getPrivate()));
    cases.put("signed by a key not in the JWKS, naming one that is", token("rsa-1", STRANGER, good));
    cases.put("naming the encryption key", token("enc-1", STRANGER, good));
    cases.put("HS256 naming the symmetric key", hs256("hmac-1", good));
    cases.put("alg none", B64.encodeToString("{\"alg\":\"none\",\"kid\":\"rsa-1\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".");
    cases.put("RS256 naming the EC key", sign(new JsonObject().put("alg", "RS256").put("kid", "ec-1"), good, RSA.getPrivate()));
    cases.put("tampered claims", parts[0] + "." + B64.encodeToString(good.copy().put("sub", "admin").encode().getBytes(StandardCharsets.UTF_8)) + "." + parts[2]);
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<Buffer> r = f.vote(poll, c.getValue(), "{\"option\": 0}");
      assertThat(r.statusCode()).as(c.getKey() + ": " + r.bodyAsString()).isEqualTo(401);
      assertThat(r.bodyAsJsonObject().getString("error")).as(c.getKey()).isEqualTo("unauthorized");
    }
    assertThat(f.recorded(poll)).as("no vote reached Kafka").isEmpty();
    assertThat(accounts(sub)).as("no account created").isZero();
    assertThat(accounts("admin")).isZero();
    // The good one still works: the refusals were the claims', not the test's.
    assertThat(f.vote(poll, valid, "{\"option\": 0}").statusCode()).isEqualTo(202);
  }

  private static String hs256(String kid, JsonObject claims) {
    String input = B64.encodeToString(new JsonObject().put("alg", "HS256").put("kid", kid).encode().getBytes(StandardCharsets.UTF_8)) + "."
      + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec("secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("A rotation: a new kid fetches the keys at once and is taken; a flood of made-up kids fetches at most once per minimum interval")
  void shouldRefreshOnAnUnknownKidAtMostOncePerInterval() throws Exception {
    int poll = f.openPoll();
    // Made-up kids, many at once: at most one fetch for all of them.
    int before = FETCHES.get();
    for (int i = 0; i < 30; i++) {
      HttpResponse<Buffer> r = f.vote(poll, token("made-up-" + i, STRANGER, claims(subject())), "{\"option\": 0}");
      assertThat(r.statusCode()).isEqualTo(401);
    }
    assertThat(FETCHES.get() - before).as("fetches for 30 made-up kids within the minimum interval").isLessThanOrEqualTo(1);
    // The provider rotates: a new key is published, and tokens signed with it arrive.
    JWKS.set(jwks(rsaJwk("rsa-1", RSA), ecJwk("ec-1", EC), rsaJwk("rsa-2", ROTATED)));
    String sub = subject();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int status;
    do { // the first tries may fall in the interval after the flood's fetch: refused, then taken once it has passed
      status = f.vote(poll, token("rsa-2", ROTATED, claims(sub)), "{\"option\": 1}").statusCode();
      if (status != 202) Thread.sleep(200);
    } while (status != 202 && System.nanoTime() < deadline);
    assertThat(status).as("the rotated key's token, once fetched").isEqualTo(202);
    assertThat(FETCHES.get() - before).as("fetches in all (the flood's and the rotation's), each its interval apart").isLessThanOrEqualTo(20);
    assertThat(f.recorded(poll)).hasSize(1);
  }

  @Test
  @DisplayName("POST /auth/token exchanges a provider's token for this service's (same voter, no longer-lived); our own tokens and forged ones are refused")
  void shouldExchangeTokens() {
    String sub = subject();
    JsonObject c = claims(sub).put("email_verified", true);
    HttpResponse<Buffer> r = f.call(HttpMethod.POST, "/api/v1/auth/token", token("rsa-1", RSA, c), null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getLong("expiresIn")).isBetween(1L, 600L);
    String ours = body.getString("token");
    JsonObject ourClaims = new JsonObject(new String(Base64.getUrlDecoder().decode(ours.split("\\.")[1]), StandardCharsets.UTF_8));
    assertThat(ourClaims.getString("sub")).isEqualTo(Long.toString(index(sub)));
    assertThat(ourClaims.getBoolean("email_verified")).isTrue();
    assertThat(ourClaims.getLong("exp")).isLessThanOrEqualTo(c.getLong("exp"));
    int poll = f.openPoll();
    assertThat(f.vote(poll, ours, "{\"option\": 2}").statusCode()).isEqualTo(202);
    assertThat(f.call(HttpMethod.POST, "/api/v1/auth/token", TOKENS.voter(5), null).statusCode()).as("our own token").isEqualTo(401);
    assertThat(f.call(HttpMethod.POST, "/api/v1/auth/token", token("rsa-1", STRANGER, claims(subject())), null).statusCode()).as("forged").isEqualTo(401);
    assertThat(f.call(HttpMethod.POST, "/api/v1/auth/token", null, null).statusCode()).as("none").isEqualTo(401);
  }

  @Test
  @DisplayName("Eligibility: a verified-only poll takes email_verified tokens and refuses the rest with 403 not_eligible; an accounts-before-opening poll refuses a subject first seen after it opened; nothing recorded for the refused")
  void shouldCheckEligibility() {
    int verifiedOnly = f.createPoll(new JsonObject().put("title", "Verified only").put("options", List.of("A", "B"))
      .put("eligibility", new JsonObject().put("verified", true)));
    JsonObject shown = f.call(HttpMethod.GET, "/api/v1/polls/" + verifiedOnly, null, null).bodyAsJsonObject();
    assertThat(shown.getJsonObject("eligibility").getBoolean("verified")).isTrue();
    String unverified = subject();
    HttpResponse<Buffer> refused = f.vote(verifiedOnly, token("rsa-1", RSA, claims(unverified)), "{\"option\": 0}");
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(403);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("not_eligible");
    HttpResponse<Buffer> falseClaim = f.vote(verifiedOnly, token("rsa-1", RSA, claims(subject()).put("email_verified", "true")), "{\"option\": 0}");
    assertThat(falseClaim.statusCode()).as("a string is not true").isEqualTo(403);
    assertThat(f.vote(verifiedOnly, TOKENS.voter(12_300_002), "{\"option\": 0}").statusCode()).as("a dev token claims nothing").isEqualTo(403);
    assertThat(f.recorded(verifiedOnly)).isEmpty();
    assertThat(f.bitSet(verifiedOnly, index(unverified))).as("no bit claimed").isFalse();
    assertThat(f.vote(verifiedOnly, token("rsa-1", RSA, claims(subject()).put("email_verified", true)), "{\"option\": 1}").statusCode()).isEqualTo(202);

    int established = f.createPoll(new JsonObject().put("title", "Established accounts").put("options", List.of("A", "B"))
      .put("opensAt", Instant.now().minusSeconds(3600).toString()).put("eligibility", new JsonObject().put("accountBeforeOpening", true)));
    HttpResponse<Buffer> newcomer = f.vote(established, token("rsa-1", RSA, claims(subject())), "{\"option\": 0}");
    assertThat(newcomer.statusCode()).as("first seen now, after the opening").isEqualTo(403);
    assertThat(newcomer.bodyAsJsonObject().getString("error")).isEqualTo("not_eligible");
    long old = Instant.now().minusSeconds(400L * 24 * 3600).getEpochSecond();
    assertThat(f.vote(established, token("rsa-1", RSA, claims(subject()).put("created_at", old)), "{\"option\": 1}").statusCode())
      .as("the provider says the account is a year old").isEqualTo(202);
    assertThat(f.recorded(established)).hasSize(1);

    HttpResponse<Buffer> bad = f.call(HttpMethod.POST, "/api/v1/polls", TOKENS.admin(1),
      new JsonObject().put("title", "x").put("options", List.of("A", "B")).put("eligibility", new JsonObject().put("age", 3)).encode());
    assertThat(bad.statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("A provider's voter exports and erases its data: the subject is erased, the vote stays counted, the token is refused after")
  void shouldEraseAProvidersSubject() {
    int poll = f.openPoll();
    String sub = subject();
    String token = token("rsa-1", RSA, claims(sub));
    assertThat(f.vote(poll, token, "{\"option\": 1}").statusCode()).isEqualTo(202);
    long id = index(sub);
    JsonObject me = f.call(HttpMethod.GET, "/api/v1/me", token, null).bodyAsJsonObject();
    assertThat(me.getLong("userId")).isEqualTo(id);
    assertThat(me.getString("issuer")).isEqualTo(ISSUER);
    assertThat(me.getString("subject")).isEqualTo(sub);
    HttpResponse<Buffer> erased = f.call(HttpMethod.DELETE, "/api/v1/me", token, "{\"erase\": true}");
    assertThat(erased.statusCode()).as(erased.bodyAsString()).isEqualTo(200);
    assertThat(accounts(sub)).as("the subject is gone").isZero();
    assertThat(accounts("erased:" + id)).isEqualTo(1);
    assertThat(f.recorded(poll)).as("the vote stays").hasSize(1);
  }
}
