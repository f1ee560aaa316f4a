package io.landslide.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.edge.account.JwtConfig;
import io.landslide.edge.account.Tokens;
import io.landslide.infra.DevTokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The production profile on the real stack: ES256 tokens checked against a JWKS of several keys (a rotation), the
 * edge issuing its own with a {@code kid}, and every token that is not one refused with 401, nothing recorded.
 */
class ProductionTokensIT {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static KeyPair previous;
  private static KeyPair current;
  private static KeyPair stranger;
  private static EdgeFixture f;

  @BeforeAll
  static void start() throws Exception {
    previous = ecKeyPair();
    current = ecKeyPair();
    stranger = ecKeyPair();
    f = EdgeFixture.started(production()); // its settings hold the keys made above
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  static Map<String, String> production() {
    String jwks = new JsonObject().put("keys", new JsonArray().add(jwk(previous, "2026-10")).add(jwk(current, "2026-11"))).encode();
    Map<String, String> env = new HashMap<>(Map.of("VOTING_PROFILE", "production", "VOTING_JWT_SECRET", "a production secret nobody signs with, 32+ bytes",
      "VOTING_POW_SECRET", "a production proof-of-work key, 32 bytes or more", "VOTING_JWT_ALGORITHM", "ES256", "VOTING_JWT_JWKS", jwks,
      "VOTING_JWT_PRIVATE_KEY", pem(current), "VOTING_JWT_KID", "2026-11",
      "VOTING_LOG_VERIFIER_KEY", "prod.example/votes+9bdeaf04+AaF9RFlEmrYB93Ne9glssF/cw4rNq/D0jrC6hxYBuhBO", "VOTING_RECEIPT_KEYS", "MDEyMzQ1Njc4OWFiY2RlZg==",
      "VOTING_CLUSTER_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
    env.put("VOTING_CLUSTER_NAME", "none"); // one edge: unclustered (a production cluster needs the event bus's TLS too)
    return env;
  }

  static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static JsonObject jwk(KeyPair kp, String kid) {
    return Tokens.publicJwk((ECPublicKey) kp.getPublic(), kid);
  }

  static String pem(KeyPair kp) {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(kp.getPrivate().getEncoded())
      + "\n-----END PRIVATE KEY-----\n";
  }

  /** ES256 by hand (the JDK's P1363 ECDSA: r||s, as JWS wants), independent of the edge's JWT library. */
  static String es256(KeyPair kp, String header, String claims) throws Exception {
    String unsigned = DevTokens.b64(header) + "." + DevTokens.b64(claims);
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(kp.getPrivate());
    s.update(unsigned.getBytes(StandardCharsets.US_ASCII));
    return unsigned + "." + B64.encodeToString(s.sign());
  }

  private static String claims(long user, long expOffset, String extra) {
    long now = Instant.now().getEpochSecond();
    return "{\"sub\":\"" + user + "\",\"iat\":" + now + ",\"exp\":" + (now + expOffset) + extra + "}";
  }

  @Test
  @DisplayName("During a rotation, tokens of the previous and the current key both vote")
  void shouldAcceptEveryKeyOfTheJwks() throws Exception {
    int poll = f.openPollAs(admin());
    assertThat(f.vote(poll, es256(previous, "{\"alg\":\"ES256\",\"kid\":\"2026-10\",\"typ\":\"JWT\"}", claims(10_000_001, 600, "")),
      "{\"option\":0}").statusCode()).isEqualTo(202);
    assertThat(f.vote(poll, es256(current, "{\"alg\":\"ES256\",\"kid\":\"2026-11\",\"typ\":\"JWT\"}", claims(10_000_002, 600, "")),
      "{\"option\":1}").statusCode()).isEqualTo(202);
    assertThat(f.recorded(poll)).hasSize(2);
  }

  @Test
  @DisplayName("401 for anything else: an unknown key, a forged kid, HS256 (dev secret, configured secret, public key as secret), none, expired, future nbf, no exp")
  void shouldRefuseEveryOtherToken() throws Exception {
    int poll = f.openPollAs(admin());
    long user = 10_100_001;
    String ok = claims(user, 600, "");
    DevTokens devSecret = DevTokens.dev();
    DevTokens configuredSecret = new DevTokens("a production secret nobody signs with, 32+ bytes");
    byte[] publicKeyBytes = current.getPublic().getEncoded();
    javax.crypto.Mac confusion = javax.crypto.Mac.getInstance("HmacSHA256");
    confusion.init(new javax.crypto.spec.SecretKeySpec(publicKeyBytes, "HmacSHA256"));
    String confusedUnsigned = DevTokens.b64("{\"alg\":\"HS256\",\"kid\":\"2026-11\"}") + "." + DevTokens.b64(ok);
    long now = Instant.now().getEpochSecond();
    List<String> bad = List.of(
      es256(stranger, "{\"alg\":\"ES256\",\"kid\":\"2026-11\"}", ok),
      es256(stranger, "{\"alg\":\"ES256\",\"kid\":\"2026-12\"}", ok),
      es256(stranger, "{\"alg\":\"ES256\"}", ok),
      devSecret.sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", ok),
      configuredSecret.sign("{\"alg\":\"HS256\",\"kid\":\"2026-11\"}", ok),
      confusedUnsigned + "." + B64.encodeToString(confusion.doFinal(confusedUnsigned.getBytes(StandardCharsets.US_ASCII))),
      DevTokens.b64("{\"alg\":\"none\"}") + "." + DevTokens.b64(ok) + ".",
      es256(current, "{\"alg\":\"RS256\",\"kid\":\"2026-11\"}", ok),
      es256(current, "{\"alg\":\"ES256\",\"kid\":\"2026-11\"}", claims(user, -3600, "")),
      es256(current, "{\"alg\":\"ES256\",\"kid\":\"2026-11\"}", claims(user, 600, ",\"nbf\":" + (now + 3600))),
      es256(current, "{\"alg\":\"ES256\",\"kid\":\"2026-11\"}", "{\"sub\":\"" + user + "\"}"),
      tamper(es256(current, "{\"alg\":\"ES256\",\"kid\":\"2026-11\"}", ok)));
    for (String token : bad) {
      HttpResponse<Buffer> r = f.vote(poll, token, "{\"option\":0}");
      assertThat(r.statusCode()).as(token).isEqualTo(401);
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
    }
    assertThat(f.recorded(poll)).isEmpty();
    assertThat(f.bitSet(poll, user)).isFalse();
  }

  @Test
  @DisplayName("Login issues ES256 tokens with the current kid; the JWKS document publishes the public keys only")
  void shouldIssueAndPublish() {
    String email = "prod+" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    JsonObject cred = new JsonObject().put("email", email).put("password", "correct horse");
    assertThat(f.call(HttpMethod.POST, "/api/v1/auth/register", null, cred.encode()).statusCode()).isEqualTo(201);
    String token = f.call(HttpMethod.POST, "/api/v1/auth/login", null, cred.encode()).bodyAsJsonObject().getString("token");
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8));
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getString("kid")).isEqualTo("2026-11");
    int poll = f.openPollAs(admin());
    assertThat(f.vote(poll, token, "{\"option\":0}").statusCode()).isEqualTo(202);

    JsonObject jwks = f.call(HttpMethod.GET, "/.well-known/jwks.json", null, null).bodyAsJsonObject();
    assertThat(jwks.getJsonArray("keys")).hasSize(2);
    for (Object k : jwks.getJsonArray("keys")) assertThat(((JsonObject) k).fieldNames()).doesNotContain("d").contains("kid", "x", "y");
  }

  /** @return an admin token of the current key */
  private static String admin() {
    try {
      return es256(current, "{\"alg\":\"ES256\",\"kid\":\"2026-11\"}", claims(1, 600, ",\"roles\":[\"admin\"]"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** @return the token with one character of its signature changed */
  private static String tamper(String token) {
    int at = token.lastIndexOf('.') + 5;
    return token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
  }

  @Test
  @DisplayName("A production key set with private material, a symmetric key, no kid, or an issuing kid it lacks: the edge refuses to start")
  void shouldRefuseUnsafeKeySets() {
    JsonObject good = jwk(current, "2026-11");
    for (JsonObject bad : new JsonObject[] {good.copy().put("d", "secret"), new JsonObject().put("kty", "oct").put("k", "c2VjcmV0").put("kid", "h"),
      good.copy().put("kid", (String) null), good.copy().put("crv", "P-384")}) {
      Map<String, String> env = production();
      env.put("VOTING_JWT_JWKS", new JsonObject().put("keys", new JsonArray().add(bad).add(good)).encode());
      assertThatThrownBy(() -> EdgeConfig.fromEnv(env)).as(bad.encode()).isInstanceOf(IllegalArgumentException.class);
    }
    Map<String, String> env = production();
    env.put("VOTING_JWT_KID", "2027-01");
    assertThatThrownBy(() -> EdgeConfig.fromEnv(env)).hasMessageContaining("VOTING_JWT_KID");
    Map<String, String> dev = production();
    dev.put("VOTING_JWT_SECRET", JwtConfig.DEV_SECRET);
    assertThatThrownBy(() -> EdgeConfig.fromEnv(dev)).hasMessageContaining("dev JWT secret");
    assertThat(Arrays.asList(EdgeConfig.fromEnv(production()).jwt().profile())).containsExactly("production");
  }
}
