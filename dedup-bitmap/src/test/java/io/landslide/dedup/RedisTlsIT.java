package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.dedup.VoterBitmap.Claim;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bitmap over TLS with AUTH ({@code rediss://:password@host:port}, {@code VOTING_REDIS_CA}), against real
 * TLS-only Redis servers that want a password ({@link TlsRedis}): one standalone server and a cluster of three
 * masters, started once for the class. Claims, releases and counts work, and so do the clients other Redis users
 * get ({@link BitmapOptions#redisOptions}, the edge's rate-limit sync); a wrong password, a server certificate the
 * client does not trust, a host name the certificate does not name and a plain connection to the TLS port each fail
 * to connect (claims answer UNKNOWN), and no failure shows a password.
 */
class RedisTlsIT {
  private static final String PASSWORD = "tls-pw-" + UUID.randomUUID();
  private static final String WRONG_PASSWORD = "wrong-pw-" + UUID.randomUUID();
  private static final long DEADLINE_S = 15;
  private static TlsRedis servers;
  private static int port;
  private static List<Integer> clusterPorts;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    servers = TlsRedis.create(PASSWORD);
    port = servers.startStandalone();
    clusterPorts = servers.startCluster(3);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (vertx != null) vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      if (servers != null) servers.close();
    }
  }

  /** Options as the services read them from the environment; ca null leaves VOTING_REDIS_CA unset. */
  private static BitmapOptions options(String uri, String mode, String ca) {
    Map<String, String> env = new HashMap<>(Map.of("VOTING_REDIS_URI", uri, "VOTING_REDIS_MODE", mode,
      "VOTING_BITMAP_CHUNK_BITS", "10", "VOTING_REDIS_TIMEOUT_MS", "5000", "VOTING_PG_DATABASE", "landslide_test"));
    if (ca != null) env.put("VOTING_REDIS_CA", ca);
    return BitmapOptions.fromEnv(env);
  }

  private static String ca() {
    return servers.ca().toString();
  }

  private static String standaloneUri(String password, String host) {
    return "rediss://:" + password + "@" + host + ":" + port;
  }

  private static String clusterSeeds(String password) {
    // One seed is enough (the configuration endpoint of ElastiCache); the rest comes from CLUSTER SLOTS.
    return "rediss://:" + password + "@localhost:" + clusterPorts.get(0);
  }

  private static int freshPoll() {
    return 1_000_000_000 + ThreadLocalRandom.current().nextInt(1_000_000_000);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(DEADLINE_S, TimeUnit.SECONDS);
  }

  /** @return the failure of the future (null if it succeeded), waiting at most the deadline */
  private static Throwable failureOf(Future<?> f) throws Exception {
    return f.<Throwable>transform(ar -> Future.succeededFuture(ar.failed() ? ar.cause() : null)).await(DEADLINE_S, TimeUnit.SECONDS);
  }

  /** @return the failure with its causes and stack, as a log would print it */
  private static String printed(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  /** Connects a bitmap that must not get in, and checks it answers UNKNOWN and shows no password. */
  private static String assertRefused(BitmapOptions options) throws Exception {
    VoterBitmap bitmap = VoterBitmap.create(vertx, options);
    try {
      Throwable failure = failureOf(bitmap.connect());
      assertThat(failure).as("connect() must fail").isNotNull();
      String text = printed(failure);
      assertThat(text).doesNotContain(PASSWORD).doesNotContain(WRONG_PASSWORD);
      assertThat(await(bitmap.claim(freshPoll(), 1))).isEqualTo(Claim.UNKNOWN);
      assertThat(options.toString()).doesNotContain(PASSWORD).doesNotContain(WRONG_PASSWORD);
      return text;
    } finally {
      bitmap.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldClaimReleaseAndCountOverTlsWithThePassword() throws Exception {
    VoterBitmap bitmap = VoterBitmap.create(vertx, options(standaloneUri(PASSWORD, "localhost"), "standalone", ca()));
    try {
      await(bitmap.connect());
      int poll = freshPoll();
      long[] users = {1, 1023, 1024, 5_000_000};
      for (long u : users) assertThat(await(bitmap.claim(poll, u))).isEqualTo(Claim.CLAIMED);
      assertThat(await(bitmap.claim(poll, 1024))).isEqualTo(Claim.ALREADY_CLAIMED);
      assertThat(await(bitmap.count(poll))).isEqualTo(users.length);
      assertThat(await(bitmap.release(poll, 1024))).isTrue();
      assertThat(await(bitmap.count(poll))).isEqualTo(users.length - 1);
      assertThat(await(bitmap.claim(poll, 1024))).as("released: free to claim again").isEqualTo(Claim.CLAIMED);
    } finally {
      bitmap.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldClaimReleaseAndCountOnATlsCluster() throws Exception {
    VoterBitmap bitmap = VoterBitmap.create(vertx, options(clusterSeeds(PASSWORD), "cluster", ca()));
    try {
      await(bitmap.connect());
      int poll = freshPoll();
      int users = 40; // 40 chunks of 2^10 users: keys on every master
      for (int i = 0; i < users; i++) assertThat(await(bitmap.claim(poll, i * 1024L + 7))).isEqualTo(Claim.CLAIMED);
      assertThat(await(bitmap.claim(poll, 7))).isEqualTo(Claim.ALREADY_CLAIMED);
      assertThat(await(bitmap.count(poll))).isEqualTo(users);
      assertThat(await(bitmap.release(poll, 7))).isTrue();
      assertThat(await(bitmap.count(poll))).isEqualTo(users - 1);
    } finally {
      bitmap.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldGiveOtherRedisUsersTheSameTlsSettings() throws Exception {
    // As the edge's rate-limit sync makes its client.
    BitmapOptions standalone = options(standaloneUri(PASSWORD, "localhost"), "standalone", ca());
    Redis one = Redis.createClient(vertx, standalone.redisOptions().setMaxPoolSize(4).setMaxPoolWaiting(64));
    BitmapOptions cluster = options(clusterSeeds(PASSWORD), "cluster", ca());
    Redis many = Redis.createClient(vertx, cluster.redisOptions().setMaxPoolSize(4).setMaxPoolWaiting(64));
    try {
      assertThat(await(one.send(Request.cmd(Command.PING))).toString()).isEqualTo("PONG");
      for (int i = 0; i < 10; i++) {
        String key = "rl:{landslide_test}:" + i + ":" + UUID.randomUUID();
        await(many.send(Request.cmd(Command.SET).arg(key).arg("v" + i).arg("PX").arg(60_000)));
        Response got = await(many.send(Request.cmd(Command.GET).arg(key)));
        assertThat(got.toString()).isEqualTo("v" + i);
      }
    } finally {
      one.close();
      many.close();
    }
  }

  @Test
  void shouldRefuseAWrongPasswordWithoutShowingIt() throws Exception {
    String standalone = assertRefused(options(standaloneUri(WRONG_PASSWORD, "localhost"), "standalone", ca()));
    assertThat(standalone).contains("WRONGPASS");
    String cluster = assertRefused(options(clusterSeeds(WRONG_PASSWORD), "cluster", ca()));
    assertThat(cluster).contains("WRONGPASS").contains("rediss://:***@localhost:" + clusterPorts.get(0));
  }

  @Test
  void shouldNotTrustTheServerWithoutItsCa() throws Exception {
    String defaultTrust = assertRefused(options(standaloneUri(PASSWORD, "localhost"), "standalone", null));
    // A TLS handshake that failed on trust, not a client that could not even try (Vert.x 5 refuses TLS options
    // without a host name verification algorithm, which rediss:// alone used to hit).
    assertThat(defaultTrust).as("the JVM's trust store does not hold the test CA")
      .contains("SSLHandshakeException").contains("unable to find valid certification path");
    String otherCa = assertRefused(options(standaloneUri(PASSWORD, "localhost"), "standalone", servers.otherCa().toString()));
    assertThat(otherCa).contains("unable to find valid certification path");
    assertRefused(options(clusterSeeds(PASSWORD), "cluster", null));
  }

  @Test
  void shouldVerifyTheHostName() throws Exception {
    // The certificate names localhost only: the same server as 127.0.0.1 must not pass.
    String text = assertRefused(options(standaloneUri(PASSWORD, "127.0.0.1"), "standalone", ca()));
    assertThat(text).contains("No subject alternative names matching IP address 127.0.0.1");
  }

  @Test
  void shouldNotTalkPlainToTheTlsPort() throws Exception {
    // The server drops a client that does not start with a TLS handshake. (Vert.x logs the reset and, with -ea, an
    // AssertionError of its own from RedisStandaloneConnection.end: noise, the connect fails all the same.)
    assertRefused(options("redis://:" + PASSWORD + "@localhost:" + port, "standalone", null));
  }
}
