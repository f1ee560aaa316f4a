package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.landslide.infra.Ports;
import io.landslide.codec.TallyUpdate;
import io.landslide.codec.TallyUpdateDescriptor;
import io.landslide.infra.DevTokens;
import io.landslide.runtime.ClusterSettings;
import io.landslide.runtime.Clustering;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The security suite: attacks the running stack (broker, writer and edges as separate processes) the way an outsider
 * would, through its public port (raw sockets: no client library tidies a request), its cluster network and its
 * topic, and after each attack proves that nothing was recorded: no vote in PostgreSQL or on the topic, no account,
 * no count moved. Each attack prints what it sent and what came back.
 *
 * <p>The stack runs with the production controls the attacks are about: a broadcaster's identity provider (a JWKS
 * served by this test), five spectator connections per address, a one-second header limit and a five-second body
 * limit; and a second edge behind a PROXY-protocol "load balancer" (this test) with registration limited per
 * network, for the flood from one IPv6 /64.
 */
class SecuritySuiteIT {
  private static final String ISSUER = "https://id.security-suite.example";
  private static final String AUDIENCE = "landslide";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final KeyPair PROVIDER_KEY = rsa();
  private static final KeyPair ATTACKER_KEY = rsa();
  private static final HttpServer PROVIDER = provider();
  private static final DevTokens TOKENS = DevTokens.dev();

  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of("VOTING_OIDC_ISSUER", ISSUER, "VOTING_OIDC_AUDIENCE", AUDIENCE,
    "VOTING_OIDC_JWKS_URL", "http://127.0.0.1:" + PROVIDER.getAddress().getPort() + "/jwks",
    "VOTING_SPECTATORS_PER_ADDRESS", "5", "VOTING_HTTP_HEADER_TIMEOUT_MS", "1000",
    "VOTING_KAFKA_DELIVERY_TIMEOUT_MS", "4000", "VOTING_HTTP_BODY_TIMEOUT_MS", "5000"));

  private static int proxiedPort;

  private static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpServer provider() {
    RSAPublicKey p = (RSAPublicKey) PROVIDER_KEY.getPublic();
    String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"provider-1\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\""
      + B64.encodeToString(unsigned(p.getModulus())) + "\",\"e\":\"" + B64.encodeToString(unsigned(p.getPublicExponent())) + "\"}]}";
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      s.createContext("/jwks", ex -> {
        byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
      });
      s.start();
      return s;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b[0] == 0 && b.length > 1 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
  }

  @BeforeAll
  static void proxiedEdge() throws Exception {
    proxiedPort = Ports.free();
    int ops = Ports.free();
    f.stack.startEdge("edge-proxied", proxiedPort, Map.of("VOTING_HTTP_PROXY_PROTOCOL", "true",
      "VOTING_HTTP_TRUSTED_PROXIES", "127.0.0.1/32", "VOTING_OPS_PORT", Integer.toString(ops), "VOTING_RATE_AUTH", "1/5"));
    f.stack.awaitReady("edge-proxied", "http://127.0.0.1:" + ops + "/health/ready");
  }

  @AfterAll
  static void stopProvider() {
    PROVIDER.stop(0);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The outsider's tools.

  /** An answer read off a socket: status, headers and body as text (status 0: the server closed without one). */
  record Answer(int status, String head, String body) {
    String code() {
      int i = body.indexOf("\"error\":\"");
      return i < 0 ? "" : body.substring(i + 9, body.indexOf('"', i + 9));
    }
  }

  private static Answer raw(int port, String proxyLine, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      if (proxyLine != null) out.write(proxyLine.getBytes(StandardCharsets.US_ASCII));
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      int n;
      try {
        while ((n = in.read(buf)) > 0) got.write(buf, 0, n);
      } catch (java.net.SocketException reset) {
        // closed by the server: what came is the answer
      }
      String text = got.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      if (!text.startsWith("HTTP/1.") || end < 0) return new Answer(0, text, "");
      return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4));
    }
  }

  private static String request(String method, String path, String token, String body) {
    StringBuilder b = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if (token != null) b.append("Authorization: Bearer ").append(token).append("\r\n");
    if (body != null) {
      b.append("Content-Type: application/json\r\nContent-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n").append(body);
    } else {
      b.append("\r\n");
    }
    return b.toString();
  }

  private static Answer edge(String method, String path, String token, String body) throws IOException {
    return raw(f.stack.settings().edgePort(), null, request(method, path, token, body));
  }

  private static void report(String attack, String sent, Answer a) {
    System.out.printf("security suite | %-44s | %-60s | %d %s%n", attack, sent.length() > 60 ? sent.substring(0, 57) + "..." : sent, a.status(), a.code());
  }

  private static String sign(String headerJson, String claimsJson, PrivateKey key) {
    String input = B64.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String claims(String iss, String aud, String sub, long exp) {
    return "{\"iss\":\"" + iss + "\",\"aud\":\"" + aud + "\",\"sub\":\"" + sub + "\",\"iat\":" + Instant.now().getEpochSecond() + ",\"exp\":" + exp + "}";
  }

  private long votes(int poll) {
    return f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll);
  }

  /** Unique to the run: the test database outlives runs, and an earlier run's scheduled poll has opened since. */
  private static final String SECRET = "secret-" + UUID.randomUUID();

  private static int scheduledPoll() throws Exception {
    String body = "{\"title\":\"Tonight's question " + SECRET + "\",\"options\":[\"Hidden A " + SECRET + "\",\"Hidden B\"],\"opensAt\":\""
      + Instant.now().plusSeconds(3600) + "\"}";
    var r = f.post("/api/v1/polls", TOKENS.admin(1), body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Integer.parseInt(r.body().replaceAll(".*?\"id\":(\\d+).*", "$1"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The attacks.

  @Test
  @DisplayName("Forged and foreign tokens (other iss, other aud, far-future exp, unknown crit, alg none, another key, expired, tampered) get 401; no vote, no account")
  void forgedAndForeignTokens() throws Exception {
    int poll = f.createPoll("security: tokens", 2);
    long now = Instant.now().getEpochSecond();
    String sub = "attacker-" + UUID.randomUUID();
    String rs = "{\"alg\":\"RS256\",\"kid\":\"provider-1\"}";
    String good = sign(rs, claims(ISSUER, AUDIENCE, sub, now + 600), PROVIDER_KEY.getPrivate());
    String[] parts = good.split("\\.");
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("another issuer", sign(rs, claims("https://evil.example", AUDIENCE, sub, now + 600), PROVIDER_KEY.getPrivate()));
    tokens.put("another audience", sign(rs, claims(ISSUER, "another-app", sub, now + 600), PROVIDER_KEY.getPrivate()));
    tokens.put("far-future exp", sign(rs, claims(ISSUER, AUDIENCE, sub, now + 90L * 24 * 3600), PROVIDER_KEY.getPrivate()));
    tokens.put("unknown crit", sign("{\"alg\":\"RS256\",\"kid\":\"provider-1\",\"crit\":[\"x-bind\"],\"x-bind\":1}",
      claims(ISSUER, AUDIENCE, sub, now + 600), PROVIDER_KEY.getPrivate()));
    tokens.put("alg none", B64.encodeToString("{\"alg\":\"none\",\"kid\":\"provider-1\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".");
    tokens.put("the attacker's key, the provider's kid", sign(rs, claims(ISSUER, AUDIENCE, sub, now + 600), ATTACKER_KEY.getPrivate()));
    tokens.put("the attacker's key and kid", sign("{\"alg\":\"RS256\",\"kid\":\"attacker-1\"}", claims(ISSUER, AUDIENCE, sub, now + 600),
      ATTACKER_KEY.getPrivate()));
    tokens.put("expired", sign(rs, claims(ISSUER, AUDIENCE, sub, now - 3600), PROVIDER_KEY.getPrivate()));
    tokens.put("claims swapped under the signature", parts[0] + "."
      + B64.encodeToString(claims(ISSUER, AUDIENCE, "admin", now + 600).getBytes(StandardCharsets.UTF_8)) + "." + parts[2]);
    tokens.put("a dev token with an admin role, far-future", TOKENS.voter(1).split("\\.")[0] + "." + parts[1] + "." + parts[2]);
    for (Map.Entry<String, String> t : tokens.entrySet()) {
      Answer a = edge("POST", "/api/v1/polls/" + poll + "/votes", t.getValue(), "{\"option\":0}");
      report("token: " + t.getKey(), "POST votes", a);
      assertThat(a.status()).as(t.getKey() + ": " + a.body()).isEqualTo(401);
      assertThat(a.code()).isEqualTo("unauthorized");
    }
    assertThat(votes(poll)).as("no vote").isZero();
    assertThat(f.query("SELECT count(*) FROM users WHERE subject = '" + sub + "' OR subject = 'admin'")).as("no account").isZero();
    // The genuine token works: the refusals were the attacks'.
    Answer genuine = edge("POST", "/api/v1/polls/" + poll + "/votes", good, "{\"option\":1}");
    assertThat(genuine.status()).as(genuine.body()).isEqualTo(202);
    StackFixture.await("the genuine vote", () -> votes(poll), 1, 60);
  }

  @Test
  @DisplayName("A registration flood from one IPv6 /64, each request from another address of it: limited as one network; every account made is a 201")
  void registrationFloodFromOne64() throws Exception {
    long before = f.query("SELECT count(*) FROM users WHERE email LIKE 'flood+%'");
    String run = UUID.randomUUID().toString().substring(0, 8);
    int created = 0;
    int limited = 0;
    for (int i = 0; i < 40; i++) {
      String from = "2001:db8:77:" + "1" + ":" + Integer.toHexString(i + 1) + "::" + Integer.toHexString(i * 7 + 3);
      String proxy = "PROXY TCP6 " + from + " ::1 " + (40_000 + i) + " " + proxiedPort + "\r\n";
      Answer a = raw(proxiedPort, proxy, request("POST", "/api/v1/auth/register", null,
        "{\"email\":\"flood+" + run + "-" + i + "@example.com\",\"password\":\"long enough\"}"));
      if (i < 3 || a.status() != 201 && limited == 0) report("register flood from " + from, "POST register", a);
      if (a.status() == 201) created++;
      else if (a.status() == 429) limited++;
      else throw new AssertionError("unexpected " + a.status() + " " + a.body());
    }
    System.out.printf("security suite | register flood: 40 requests from 40 addresses of one /64: %d created, %d refused 429%n", created, limited);
    assertThat(limited).as("the /64 is one network to the limit").isGreaterThanOrEqualTo(30);
    assertThat(f.query("SELECT count(*) FROM users WHERE email LIKE 'flood+" + run + "-%'")).as("accounts = 201s").isEqualTo(created);
    assertThat(f.query("SELECT count(*) FROM users WHERE email LIKE 'flood+%'") - before).isEqualTo(created);
  }

  @Test
  @DisplayName("Enumeration: a failed login answers the same for an unknown and a known address; a new verification link, the same for any address; the times are printed")
  void enumeration() throws Exception {
    String known = "known+" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    assertThat(f.post("/api/v1/auth/register", null, "{\"email\":\"" + known + "\",\"password\":\"correct horse\"}").statusCode()).isEqualTo(201);
    String unknown = "nobody+" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    long[] knownNs = new long[5];
    long[] unknownNs = new long[5];
    Answer a = null;
    Answer b = null;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      a = edge("POST", "/api/v1/auth/login", null, "{\"email\":\"" + known + "\",\"password\":\"wrong password\"}");
      long t1 = System.nanoTime();
      b = edge("POST", "/api/v1/auth/login", null, "{\"email\":\"" + unknown + "\",\"password\":\"wrong password\"}");
      knownNs[i] = t1 - t0;
      unknownNs[i] = System.nanoTime() - t1;
    }
    report("login: known address, wrong password", "POST login", a);
    report("login: unknown address", "POST login", b);
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.body()).as("the same answer").isEqualTo(b.body());
    java.util.Arrays.sort(knownNs);
    java.util.Arrays.sort(unknownNs);
    System.out.printf("security suite | login time, median of 5: known address %.1f ms, unknown %.1f ms (the same Argon2id work; printed, not asserted)%n",
      knownNs[2] / 1e6, unknownNs[2] / 1e6);
    Answer r1 = edge("POST", "/api/v1/auth/verify/resend", null, "{\"email\":\"" + known + "\"}");
    Answer r2 = edge("POST", "/api/v1/auth/verify/resend", null, "{\"email\":\"" + unknown + "\"}");
    report("verification resend: known / unknown", "POST verify/resend", r2);
    assertThat(r1.status()).isEqualTo(202);
    assertThat(r1.body()).isEqualTo(r2.body());
    assertThat(f.query("SELECT count(*) FROM users WHERE email_key = '" + unknown + "'")).isZero();
  }

  @Test
  @DisplayName("Slow headers and a slow body are cut at their limits; the trickled vote is not recorded")
  void slowHeadersAndBodies() throws Exception {
    int poll = f.createPoll("security: slow clients", 2);
    long headerCut = trickle(null, "GET /api/v1/polls HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(100) + "\r\n\r\n");
    System.out.printf("security suite | slow headers, a byte every 200 ms: cut after %d ms (limit 1,000 ms)%n", headerCut);
    assertThat(headerCut).isBetween(500L, 8_000L);
    String body = "{\"option\":0" + " ".repeat(100) + "}";
    String head = "POST /api/v1/polls/" + poll + "/votes HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKENS.voter(880_001)
      + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
    long bodyCut = trickle(head, body);
    System.out.printf("security suite | slow vote body, a byte every 200 ms: cut after %d ms (limit 5,000 ms)%n", bodyCut);
    assertThat(bodyCut).isBetween(3_000L, 15_000L);
    assertThat(votes(poll)).as("nothing recorded").isZero();
    assertThat(f.query("SELECT count(*) FROM vote_rejects WHERE poll_id = " + poll)).isZero();
  }

  /** @return ms until the server closed, sending {@code slow} a byte every 200 ms after {@code head} */
  private static long trickle(String head, String slow) throws Exception {
    try (Socket s = new Socket("127.0.0.1", f.stack.settings().edgePort())) {
      long start = System.nanoTime();
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      if (head != null) out.write(head.getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(200);
      for (byte c : slow.getBytes(StandardCharsets.US_ASCII)) {
        try {
          out.write(c);
          out.flush();
          if (in.read() < 0) return (System.nanoTime() - start) / 1_000_000;
        } catch (SocketTimeoutException pace) {
          // the trickle's pace
        } catch (IOException closed) {
          return (System.nanoTime() - start) / 1_000_000;
        }
      }
      throw new AssertionError("never cut: the whole request went through a byte at a time");
    }
  }

  @Test
  @DisplayName("A spectator flood from one address: the sixth stream is 429 while five are open")
  void spectatorFlood() throws Exception {
    int poll = f.createPoll("security: spectators", 2);
    List<Socket> open = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        Socket s = new Socket("127.0.0.1", f.stack.settings().edgePort());
        s.getOutputStream().write(("GET /api/v1/polls/" + poll + "/events HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(10_000);
        byte[] first = new byte[12];
        assertThat(s.getInputStream().readNBytes(first, 0, 12)).isEqualTo(12);
        assertThat(new String(first, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        open.add(s);
      }
      Answer sixth = edge("GET", "/api/v1/polls/" + poll + "/events", null, null);
      report("spectator flood: the 6th stream", "GET events", sixth);
      assertThat(sixth.status()).isEqualTo(429);
      assertThat(sixth.head()).containsIgnoringCase("Retry-After");
    } finally {
      for (Socket s : open) s.close();
    }
  }

  @Test
  @DisplayName("HTTP/2 cleartext with prior knowledge is not spoken: no HTTP/2 frame comes back")
  void h2cPriorKnowledge() throws Exception {
    try (Socket s = new Socket("127.0.0.1", f.stack.settings().edgePort())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
      s.getOutputStream().flush();
      byte[] got = new byte[64];
      int n;
      try {
        n = s.getInputStream().read(got);
      } catch (IOException closed) {
        n = -1;
      }
      String answer = n <= 0 ? "" : new String(got, 0, n, StandardCharsets.ISO_8859_1);
      System.out.printf("security suite | h2c prior knowledge: %s%n", n <= 0 ? "closed" : answer.split("\r\n")[0]);
      // An HTTP/2 server's first bytes are a SETTINGS frame (binary: type 4 at byte 3). This edge answers the preface as
      // an HTTP/1 request line (Netty: "HTTP/2.0 501 Not Implemented", in text), or closes: it does not speak HTTP/2.
      assertThat(n <= 0 || answer.startsWith("HTTP/") && answer.substring(9, 10).matches("[45]")).as("answered: " + answer).isTrue();
    }
  }

  @Test
  @DisplayName("Forged tallies on the cluster bus, from a process that joined the cluster without the key: refused and counted; the results do not move")
  void forgedTalliesOnTheBus() throws Exception {
    int poll = f.createPoll("security: forged tallies", 2);
    Vertx intruder = Clustering.build(Vertx.builder(), new VertxOptions(),
      ClusterSettings.fromEnv(Map.of("VOTING_CLUSTER_NAME", f.stack.clusterName()))).await(90, TimeUnit.SECONDS);
    try {
      byte[] forged = TallyUpdateDescriptor.encode(List.of(new TallyUpdate(poll, 0, 0, 5_000_000)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // Published until the edge counts one refused (the intruder's membership spreads first), then the count checked.
      while (refused() < 1) {
        intruder.eventBus().publish(TallyUpdateDescriptor.ADDRESS, Buffer.buffer(forged));
        if (System.nanoTime() > deadline) throw new AssertionError("the edge never heard the intruder's update");
        Thread.sleep(200);
      }
      System.out.printf("security suite | forged tally (5,000,000 votes for option 0) on the bus: refused %d time(s)%n", refused());
      String results = f.get("/api/v1/polls/" + poll + "/results", null).body();
      assertThat(results).contains("\"total\":0");
    } finally {
      intruder.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static long refused() {
    try {
      String m = f.get("/metrics", null).body();
      java.util.regex.Matcher x = java.util.regex.Pattern.compile("landslide_tally_updates_total\\{outcome=\"refused\"} (\\S+)").matcher(m);
      return x.find() ? (long) Double.parseDouble(x.group(1)) : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  @Test
  @DisplayName("Poison records on the topic (garbage, an option over 31): kept in vote_corrupt; the partition goes on; no count moves")
  void poisonRecordsOnTheTopic() throws Exception {
    int poll = f.createPoll("security: poison", 2);
    long corrupt = f.query("SELECT count(*) FROM vote_corrupt WHERE topic = '" + f.stack.settings().topic() + "'");
    Properties p = new Properties();
    p.put("bootstrap.servers", f.stack.kafkaBootstrap());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      byte[] key = new byte[8];
      producer.send(new ProducerRecord<>(f.stack.settings().topic(), 0, key, "not a vote at all".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
      byte[] good = io.landslide.codec.VoteEventDescriptor.encode(new io.landslide.codec.VoteEvent(poll, 990_001, 0,
        System.currentTimeMillis(), io.landslide.codec.Receipt.random(), new byte[] {127, 0, 0, 1}, 0));
      byte[] outOfRange = good.clone();
      outOfRange[io.landslide.codec.VoteEventDescriptor.OPTION_OFFSET + 1] = 40; // option 40
      producer.send(new ProducerRecord<>(f.stack.settings().topic(), 0, key, outOfRange)).get(30, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>(f.stack.settings().topic(), 0, key, good)).get(30, TimeUnit.SECONDS);
    }
    StackFixture.await("the good record after the poison, counted", () -> votes(poll), 1, 60);
    System.out.printf("security suite | poison on partition 0 (garbage, option 40), then a vote: %d kept apart, the vote counted%n",
      f.query("SELECT count(*) FROM vote_corrupt WHERE topic = '" + f.stack.settings().topic() + "'") - corrupt);
    assertThat(f.query("SELECT count(*) FROM vote_corrupt WHERE topic = '" + f.stack.settings().topic() + "'") - corrupt).isEqualTo(2);
    assertThat(f.query("SELECT sum(count) FROM tallies WHERE poll_id = " + poll)).isEqualTo(1);
  }

  @Test
  @DisplayName("Duplicate JSON keys in a vote (plain and escaped): 400, nothing recorded")
  void duplicateJsonKeys() throws Exception {
    int poll = f.createPoll("security: duplicate keys", 2);
    for (String body : List.of("{\"option\":0,\"option\":1}", "{\"option\":0,\"\\u006fption\":1}")) {
      Answer a = edge("POST", "/api/v1/polls/" + poll + "/votes", TOKENS.voter(881_001), body);
      report("duplicate key", body, a);
      assertThat(a.status()).isEqualTo(400);
      assertThat(a.code()).isEqualTo("bad_request");
    }
    Answer ok = edge("POST", "/api/v1/polls/" + poll + "/votes", TOKENS.voter(881_002), "{\"option\":1}");
    assertThat(ok.status()).isEqualTo(202);
    StackFixture.await("only the well-formed vote", () -> votes(poll), 1, 60);
    assertThat(f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll + " AND user_id = 881001")).isZero();
  }

  @Test
  @DisplayName("Scheduled-poll probing: its id, results, streams and the list tell an outsider nothing; a vote is 409 poll_not_open and not recorded")
  void scheduledPollProbing() throws Exception {
    int poll = scheduledPoll();
    for (String path : List.of("/api/v1/polls/" + poll, "/api/v1/polls/" + poll + "/results", "/api/v1/polls/" + poll + "/events")) {
      Answer a = edge("GET", path, TOKENS.voter(882_001), null);
      report("scheduled poll: " + path.substring(path.lastIndexOf('/')), "GET " + path, a);
      assertThat(a.status()).as(path).isEqualTo(404);
      assertThat(a.body()).doesNotContain(SECRET);
    }
    Answer list = edge("GET", "/api/v1/polls", null, null);
    assertThat(list.body()).doesNotContain("\"id\":" + poll + ",").doesNotContain(SECRET);
    Answer vote = edge("POST", "/api/v1/polls/" + poll + "/votes", TOKENS.voter(882_001), "{\"option\":0}");
    report("scheduled poll: a vote", "POST votes", vote);
    assertThat(vote.status()).isEqualTo(409);
    assertThat(vote.code()).isEqualTo("poll_not_open");
    assertThat(vote.body()).doesNotContain(SECRET);
    assertThat(votes(poll)).isZero();
  }
}
