package io.landslide.edge.http;

import io.landslide.infra.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.VoteEvent;
import io.landslide.edge.RecordedVotes;
import io.landslide.edge.EdgeConfig;
import io.landslide.edge.EdgeMain;
import io.landslide.infra.DevTokens;
import io.landslide.infra.LocalKafka;
import io.landslide.infra.TestStack;
import io.landslide.runtime.PgSettings;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The edge behind a load balancer that speaks the PROXY protocol, on the real stack: the client address is the one
 * the header names (it is in the vote on Kafka, and per-address rate limits count it), and only a trusted peer may
 * name one. The edge trusts 127.0.0.1 alone; 127.0.0.2 (this machine too) plays a peer inside the network that is
 * not a load balancer.
 *
 * <p>Raw sockets, because the header comes before HTTP: no HTTP client writes it. The edge is started here rather
 * than through the edge package's {@code EdgeFixture}, which is package-private there; the settings are its test
 * defaults.
 */
class ProxyProtocolIT {
  private static final DevTokens TOKENS = DevTokens.dev();
  private static final int PARTITIONS = 4;
  private static final String TRUSTED = "127.0.0.1";
  private static final String UNTRUSTED = "127.0.0.2";
  private static final int BURST = 3;
  private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
  /** The PROXY v2 signature (12 bytes). */
  private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

  private static EdgeMain edge;
  private static String bootstrap;
  private static String topic;
  private static int port;

  private record Answer(int status, String body) {
  }

  @BeforeAll
  static void startEdge() throws Exception {
    bootstrap = TestStack.kafkaBootstrap();
    topic = "votes-test-" + UUID.randomUUID();
    LocalKafka.ensureTopic(bootstrap, topic, PARTITIONS);
    port = Ports.free();
    PgSettings pg = TestStack.pg();
    Map<String, String> env = new HashMap<>(Map.of("VOTING_HTTP_PORT", String.valueOf(port), "VOTING_EDGE_INSTANCES", "2",
      "VOTING_KAFKA_BOOTSTRAP", bootstrap, "VOTING_TOPIC", topic, "VOTING_KAFKA_DELIVERY_TIMEOUT_MS", "3000",
      "VOTING_WRITER_GROUP", "edge-test-" + UUID.randomUUID(), "VOTING_RETRY_AFTER_SECONDS", "1", "VOTING_VOTE_HASH_PARTITIONS", "2",
      "VOTING_PG_POOL_SIZE", "4", "VOTING_CLUSTER_NAME", "none"));
    env.putAll(Map.of("VOTING_RATE_USER", "0", "VOTING_RATE_AUTH", "0.01/" + BURST, "VOTING_ABUSE_ADDRESS_VOTES", "0",
      // Per address on the vote path: a burst of 3, then nothing for 100 s; a short shared window (tests own addresses).
      "VOTING_RATE_IP", "0.01/" + BURST, "VOTING_RATE_WINDOW_MS", "1000",
      "VOTING_HTTP_PROXY_PROTOCOL", "true", "VOTING_HTTP_TRUSTED_PROXIES", TRUSTED + "/32,fd00::/8"));
    env.putAll(Map.of("VOTING_PG_HOST", pg.host(), "VOTING_PG_PORT", String.valueOf(pg.port()), "VOTING_PG_DATABASE", pg.database(),
      "VOTING_PG_USER", pg.user(), "VOTING_PG_PASSWORD", pg.password()));
    edge = EdgeMain.start(EdgeConfig.fromEnv(env)).await(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopEdge() throws Exception {
    if (edge != null) edge.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("PROXY v1: the vote on Kafka carries the network of the address the header names (its /24), not the load balancer's")
  void shouldTakeTheClientAddressFromAVersion1Header() {
    int poll = openPoll();
    long user = freshUser();
    Answer a = send(TRUSTED, v1("203.0.113.7"), vote(poll, user, 1));
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    List<VoteEvent> events = recorded(poll);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).userId()).isEqualTo(user);
    // Kept as its network only (a /24), never the address itself.
    assertThat(events.get(0).clientAddress()).isEqualTo(new byte[] {(byte) 203, 0, 113, 0});
  }

  @Test
  @DisplayName("PROXY v2 (binary, as the NLB sends it) with an IPv6 client: the vote carries its /48")
  void shouldTakeAnIpv6ClientAddressFromAVersion2Header() throws Exception {
    int poll = openPoll();
    long user = freshUser();
    InetAddress client = InetAddress.getByName("2001:db8::7");
    Answer a = send(TRUSTED, v2(client, InetAddress.getByName("fd00::1")), vote(poll, user, 0));
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    // Kept as its /48.
    assertThat(recorded(poll)).singleElement().satisfies(e -> assertThat(e.clientAddress()).isEqualTo(InetAddress.getByName("2001:db8::").getAddress()));
  }

  @Test
  @DisplayName("Per-address rate limits count the address the header names: one peer, two clients, two buckets")
  void shouldRateLimitPerProxiedAddress() {
    int poll = openPoll();
    String flooding = randomAddress();
    String calm = randomAddress();
    List<Long> accepted = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      long user = freshUser();
      Answer a = send(TRUSTED, v1(flooding), vote(poll, user, 0));
      assertThat(a.status()).as("vote %d of the burst: %s", i + 1, a.body()).isEqualTo(202);
      accepted.add(user);
    }
    long refusedUser = freshUser();
    Answer refused = send(TRUSTED, v1(flooding), vote(poll, refusedUser, 0));
    assertThat(refused.status()).as(refused.body()).isEqualTo(429);
    assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("rate_limited");

    long calmUser = freshUser();
    Answer other = send(TRUSTED, v1(calm), vote(poll, calmUser, 2));
    assertThat(other.status()).as("another client behind the same load balancer: " + other.body()).isEqualTo(202);

    List<VoteEvent> events = recorded(poll);
    assertThat(events).extracting(VoteEvent::userId).as("the refused vote was not recorded")
      .containsExactlyInAnyOrderElementsOf(concat(accepted, calmUser));
    assertThat(events).filteredOn(e -> e.userId() == calmUser).singleElement()
      .satisfies(e -> assertThat(e.clientAddress()).isEqualTo(network(calm)));
  }

  @Test
  @DisplayName("A peer that is not a trusted proxy is closed before its request is read: no answer, nothing recorded")
  void shouldCloseAConnectionFromAnUntrustedPeer() {
    int poll = openPoll();
    long user = freshUser();
    // It even claims to be the trusted proxy; and header and request come in one write, so the request is already in
    // the edge's buffer when it looks at the peer.
    Answer a = send(UNTRUSTED, v1(TRUSTED), vote(poll, user, 1));
    assertThat(a).as("closed with no response").isNull();
    assertThat(recorded(poll)).as("votes produced for poll " + poll).isEmpty();
    // The same vote through the load balancer is accepted, not a duplicate: the refused one claimed nothing either.
    Answer trusted = send(TRUSTED, v1(randomAddress()), vote(poll, user, 1));
    assertThat(trusted.status()).as(trusted.body()).isEqualTo(202);
    assertThat(recorded(poll)).hasSize(1);
  }

  @Test
  @DisplayName("A trusted peer without a PROXY header is closed with no answer: nobody reaches the edge around the header")
  void shouldCloseAConnectionWithoutAHeader() {
    assertThat(send(TRUSTED, new byte[0], get("/api/v1/polls"))).isNull();
  }

  @Test
  @DisplayName("Register and login are limited per IPv6 /64, not per address: rotating addresses inside one /64 gains nothing; another /64 has its own")
  void shouldLimitRegistrationsPerIpv6Prefix() throws Exception {
    String prefix = "2001:db8:" + Integer.toHexString(1 + (int) (System.nanoTime() & 0x7fff)) + ":" + Integer.toHexString((int) (System.nanoTime() >>> 16) & 0xffff);
    InetAddress proxy = InetAddress.getByName("fd00::1");
    byte[] bad = request("POST", "/api/v1/auth/register", null, "{\"email\": \"not an e-mail\", \"password\": \"x\"}");
    for (int i = 0; i < BURST; i++) {
      Answer a = send(TRUSTED, v2(InetAddress.getByName(prefix + "::" + Integer.toHexString(i + 1)), proxy), bad);
      assertThat(a.status()).as("attempt %d from its own address: %s", i + 1, a.body()).isEqualTo(400);
    }
    Answer sameNetwork = send(TRUSTED, v2(InetAddress.getByName(prefix + ":ffff:ffff:ffff:fffe"), proxy), bad);
    assertThat(sameNetwork.status()).as("another address of the same /64: " + sameNetwork.body()).isEqualTo(429);
    Answer otherNetwork = send(TRUSTED, v2(InetAddress.getByName(prefix.substring(0, prefix.lastIndexOf(':')) + ":ffff::1"), proxy), bad);
    assertThat(otherNetwork.status()).as("another /64: " + otherNetwork.body()).isEqualTo(400);
  }

  // --- the client side ---------------------------------------------------------------------------------------------

  private static byte[] v1(String client) {
    return ("PROXY TCP4 " + client + " 10.0.0.1 5555 8080\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A PROXY v2 header: signature, version 2 + PROXY, family (TCP over IPv4 or IPv6), length, addresses, ports. */
  private static byte[] v2(InetAddress client, InetAddress proxy) {
    boolean v6 = client.getAddress().length == 16;
    int length = v6 ? 36 : 12;
    ByteBuffer b = ByteBuffer.allocate(16 + length);
    b.put(V2_SIGNATURE).put((byte) 0x21).put((byte) (v6 ? 0x21 : 0x11)).putShort((short) length);
    b.put(client.getAddress()).put(proxy.getAddress()).putShort((short) 5555).putShort((short) 8080);
    return b.array();
  }

  private static byte[] vote(int poll, long user, int option) {
    return request("POST", "/api/v1/polls/" + poll + "/votes", TOKENS.voter(user), "{\"option\": " + option + "}");
  }

  private static byte[] get(String path) {
    return request("GET", path, null, null);
  }

  private static byte[] request(String method, String path, String token, String body) {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost:").append(port)
      .append("\r\nUser-Agent: ").append(BROWSER).append("\r\nAccept-Language: en\r\nConnection: close\r\n");
    if (token != null) head.append("Authorization: Bearer ").append(token).append("\r\n");
    if (body != null) head.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
    byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(h.length + content.length);
    return b.put(h).put(content).array();
  }

  /**
   * Connects from {@code from}, writes the header and the request in one write, and reads to the end of the stream.
   *
   * @return the answer, or null when the edge closed the connection without a byte
   */
  private static Answer send(String from, byte[] header, byte[] request) {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(from, 0));
      s.connect(new InetSocketAddress(TRUSTED, port), 10_000);
      s.setSoTimeout(30_000); // a deadline, not a wait: the edge answers or closes long before
      s.getOutputStream().write(ByteBuffer.allocate(header.length + request.length).put(header).put(request).array());
      s.getOutputStream().flush();
      byte[] read = readToEnd(s.getInputStream());
      if (read.length == 0) return null;
      String text = new String(read, StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(text.indexOf(' ') + 1, text.indexOf(' ') + 4));
      int bodyAt = text.indexOf("\r\n\r\n");
      return new Answer(status, bodyAt < 0 ? "" : text.substring(bodyAt + 4));
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the edge neither answered nor closed the connection", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
    } catch (SocketException e) {
      if (out.size() > 0) throw e; // a reset after part of an answer is a failure; before any byte, a close
    }
    return out.toByteArray();
  }

  /** An open poll with three options, created through the load balancer. */
  private static int openPoll() {
    String body = new JsonObject().put("title", "Proxy protocol test").put("options", List.of("A", "B", "C"))
      .put("opensAt", Instant.now().minusSeconds(60).toString()).encode();
    Answer a = send(TRUSTED, v1(randomAddress()), request("POST", "/api/v1/polls", TOKENS.admin(1), body));
    assertThat(a).isNotNull();
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    return new JsonObject(a.body()).getInteger("id");
  }

  /** Every vote event on this test's topic for the poll (reads the whole topic). */
  private static List<VoteEvent> recorded(int poll) {
    return RecordedVotes.of(bootstrap, topic, PARTITIONS, poll);
  }

  private static long freshUser() {
    return 1 + ThreadLocalRandom.current().nextLong(4_000_000_000L);
  }

  /** A client address of this run's own in 198.18.0.0/15 (benchmarking), so reruns never share a rate-limit bucket. */
  private static String randomAddress() {
    int n = ThreadLocalRandom.current().nextInt(1 << 17);
    return "198." + (18 + (n >> 16)) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
  }

  /** @return an IPv4 address's /24, as the edge keeps it */
  private static byte[] network(String address) {
    byte[] b = bytes(address);
    b[3] = 0;
    return b;
  }

  private static byte[] bytes(String address) {
    try {
      return InetAddress.getByName(address).getAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Long> concat(List<Long> users, long user) {
    List<Long> all = new ArrayList<>(users);
    all.add(user);
    return all;
  }
}
