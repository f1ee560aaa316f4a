package io.landslide.bench;

import io.landslide.codec.PowHash;
import io.landslide.edge.EdgeConfig;
import io.landslide.edge.account.Authenticator;
import io.landslide.edge.account.JwtConfig;
import io.landslide.edge.account.Tokens;
import io.landslide.edge.defence.AbuseConfig;
import io.landslide.edge.defence.AbuseSignals;
import io.landslide.edge.defence.PowConfig;
import io.landslide.edge.defence.ProofOfWork;
import io.landslide.edge.defence.RateLimitConfig;
import io.landslide.edge.defence.RateLimiter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The CPU each bot defence costs one vote on the edge (a benchmark: it prints figures, asserts nothing). Each step runs
 * on real instances of the edge's own classes over inputs prepared before its clock starts, warms up, then is timed in
 * this thread's CPU time (not wall time): HS256 and ES256 token verification, the proof-of-work check, the per-user and
 * per-address rate limits, and the abuse score. Run with {@code deploy/local/bench.sh defences}.
 */
public final class DefenceBench {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private DefenceBench() {
  }

  /** @param args [operations per step = 100000] */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Vertx vertx = Vertx.vertx();
    try {
      System.out.printf("landslide defence benchmark: %,d operations per step, CPU time of one thread%n%n", n);
      long now = System.currentTimeMillis() / 1000;

      Authenticator hs = new Authenticator(vertx, EdgeConfig.fromEnv(Map.of()).jwt());
      String[] hsTokens = new String[n];
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(JwtConfig.DEV_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      for (int i = 0; i < n; i++) {
        String unsigned = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64("{\"sub\":\"" + (i + 1) + "\",\"exp\":" + (now + 3600) + "}");
        hsTokens[i] = "Bearer " + unsigned + "." + B64.encodeToString(mac.doFinal(unsigned.getBytes(StandardCharsets.US_ASCII)));
      }
      report("JWT HS256 verification (local profile)", n, i -> hs.authenticate(hsTokens[i]).await());

      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair kp = g.generateKeyPair();
      Map<String, String> prod = new HashMap<>(Map.of("VOTING_PROFILE", "production", "VOTING_JWT_SECRET", "not the dev secret, 32 bytes or more",
        "VOTING_POW_SECRET", "not the dev proof-of-work key, 32 bytes", "VOTING_JWT_JWKS",
        new JsonObject().put("keys", new JsonArray().add(Tokens.publicJwk((ECPublicKey) kp.getPublic(), "k1"))).encode()));
      // Production refuses every dev key: the log's, the receipts', the cluster's.
      prod.put("VOTING_CLUSTER_NAME", "none"); // one process: no cluster (production clusters only over TLS)
      prod.putAll(Map.of("VOTING_LOG_VERIFIER_KEY", "prod.example/votes+9bdeaf04+AaF9RFlEmrYB93Ne9glssF/cw4rNq/D0jrC6hxYBuhBO",
        "VOTING_RECEIPT_KEYS", "MDEyMzQ1Njc4OWFiY2RlZg==", "VOTING_CLUSTER_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
      Authenticator es = new Authenticator(vertx, EdgeConfig.fromEnv(prod).jwt());
      int m = Math.max(1, n / 10); // ECDSA signing here is slow to prepare; verification is what is timed
      String[] esTokens = signed(m, "SHA256withECDSAinP1363Format", kp, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", now + 3600);
      report("JWT ES256 verification (production profile)", m, i -> es.authenticate(esTokens[i]).await());

      KeyPairGenerator rg = KeyPairGenerator.getInstance("RSA");
      rg.initialize(2048);
      KeyPair rsa = rg.generateKeyPair();
      java.security.interfaces.RSAPublicKey rpub = (java.security.interfaces.RSAPublicKey) rsa.getPublic();
      Map<String, String> prodRsa = new HashMap<>(prod);
      prodRsa.put("VOTING_JWT_ALGORITHM", "RS256");
      prodRsa.put("VOTING_JWT_JWKS", new JsonObject().put("keys", new JsonArray().add(new JsonObject().put("kty", "RSA").put("kid", "r1")
        .put("alg", "RS256").put("n", B64.encodeToString(unsigned(rpub.getModulus()))).put("e", B64.encodeToString(unsigned(rpub.getPublicExponent()))))).encode());
      Authenticator rs = new Authenticator(vertx, EdgeConfig.fromEnv(prodRsa).jwt());
      String[] rsTokens = signed(m, "SHA256withRSA", rsa, "{\"alg\":\"RS256\",\"kid\":\"r1\"}", now + 3600);
      report("JWT RS256 verification (production profile, 2048-bit)", m, i -> rs.authenticate(rsTokens[i]).await());

      ProofOfWork pow = new ProofOfWork(PowConfig.DEV_SECRET.getBytes(StandardCharsets.UTF_8), 300, System::currentTimeMillis);
      int difficulty = 8; // checking costs one HMAC and one SHA-256 whatever the difficulty; 8 keeps preparing quick
      JsonObject[] proofs = new JsonObject[m];
      for (int i = 0; i < m; i++) {
        JsonObject c = pow.challenge(1, i + 1, difficulty);
        proofs[i] = new JsonObject().put("challenge", c.getString("challenge")).put("expires", c.getLong("expires"))
          .put("signature", c.getString("signature"))
          .put("nonce", Long.toString(PowHash.solve(c.getString("challenge"), i + 1, 1, difficulty)));
      }
      report("proof-of-work check", m, i -> {
        if (!pow.verify(proofs[i], 1, i + 1, difficulty)) throw new IllegalStateException("a solved challenge failed");
      });

      RateLimiter users = new RateLimiter(RateLimitConfig.limit("user", "", RateLimitConfig.DEFAULT_USER), 10_000, RateLimitConfig.DEFAULT_PUSH_AFTER, System::currentTimeMillis);
      RateLimiter addresses = new RateLimiter(RateLimitConfig.limit("ip", "", RateLimitConfig.DEFAULT_IP), 10_000, RateLimitConfig.DEFAULT_PUSH_AFTER, System::currentTimeMillis);
      String[] userKeys = new String[n];
      String[] addressKeys = new String[1000];
      for (int i = 0; i < n; i++) userKeys[i] = Long.toString(i + 1);
      for (int i = 0; i < addressKeys.length; i++) addressKeys[i] = "10.0." + (i / 250) + "." + (i % 250);
      report("rate limits (per user + per address, local check)", n, i -> {
        users.tryAcquire(userKeys[i]);
        addresses.tryAcquire(addressKeys[i % addressKeys.length]);
      });

      AbuseSignals abuse = new AbuseSignals(AbuseConfig.DEFAULT_FLAG_THRESHOLD, AbuseConfig.DEFAULT_ADDRESS_VOTES, System::currentTimeMillis);
      String ua = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
      long opened = System.currentTimeMillis() - 60_000;
      report("abuse score", n, i -> abuse.score(ua, "en-GB,en;q=0.9", addressKeys[i % addressKeys.length], opened));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Warms the step up on the same inputs, then times one pass in this thread's CPU time. */
  private static void report(String what, int n, IntConsumer step) {
    for (int round = 0; round < 2; round++) for (int i = 0; i < n; i++) step.accept(i);
    long t0 = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) step.accept(i);
    long t1 = CPU.getCurrentThreadCpuTime();
    System.out.printf("  %-50s %8.2f CPU-us per vote%n", what, (t1 - t0) / 1e3 / n);
  }

  /** @return n bearer tokens of users 1..n under the header, signed with the key (JWS: P1363 for ECDSA) */
  private static String[] signed(int n, String algorithm, KeyPair key, String header, long exp) throws Exception {
    String[] out = new String[n];
    Signature sig = Signature.getInstance(algorithm);
    for (int i = 0; i < n; i++) {
      String unsigned = b64(header) + "." + b64("{\"sub\":\"" + (i + 1) + "\",\"exp\":" + exp + "}");
      sig.initSign(key.getPrivate());
      sig.update(unsigned.getBytes(StandardCharsets.US_ASCII));
      out[i] = "Bearer " + unsigned + "." + B64.encodeToString(sig.sign());
    }
    return out;
  }

  private static String b64(String s) {
    return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }


  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b[0] == 0 && b.length > 1 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
  }
}
