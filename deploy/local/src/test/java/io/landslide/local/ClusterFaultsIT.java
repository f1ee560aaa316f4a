package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.Ports;
import io.landslide.infra.LocalKafkaCluster;
import io.landslide.infra.LocalRedisCluster;
import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.landslide.runtime.PgSettings;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults on the production shape under load: three brokers (replication factor 3, min ISR 2), a Redis Cluster of three
 * masters with a replica each, two writers and two edges, with voters that retry like real clients
 * ({@link RetryingVoters}: after a network error or a 503, the same vote again after a pause, to the other edge after a
 * network error). Each fault has its own poll; after each, the invariants: every 202 counted once, with the option and
 * receipt of that 202; every row is a 202's or a cut-off voter's; a second vote of a voter who got a 202 never changes
 * the count; every voter cut off is counted or free to vote (after the reconciliation's grace).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsIT {
  private static final int USERS = 3_000;
  private static final int RATE = 600;
  private static final String GROUP = "landslide-writer";
  private static final long GRACE_MS = 10_000;
  private static final Map<String, String> ENV = Map.of("VOTING_BITMAP_CHECK_MS", "0",
    "VOTING_JVM_OPTS", LocalStack.CLUSTER_JVM_OPTS + " -XX:TieredStopAtLevel=1",
    "VOTING_RECONCILE_EVERY_MS", "1000", "VOTING_RECONCILE_GRACE_MS", Long.toString(GRACE_MS), "VOTING_RATE_USER", "0");

  private static Path dir;
  private static LocalStack stack;
  private static Vertx vertx;
  private static PgSettings pg;
  private static String topic;
  private static RetryingVoters voters;
  private static long nextUser = 20_000_000L;

  @BeforeAll
  static void up() throws Exception {
    dir = Files.createTempDirectory("landslide-faults-");
    pg = TestStack.pg();
    topic = "votes-faults-" + UUID.randomUUID();
    stack = new LocalStack(new LocalStack.Settings(LocalStack.root(), dir, 0, Ports.free(), Ports.free(), 8, topic,
      pg, ENV, null, new LocalStack.Cluster(Ports.free(), Ports.free())));
    vertx = Vertx.vertx();
    try {
      stack.up();
    } catch (Exception | Error e) {
      stack.down();
      throw e;
    }
    voters = new RetryingVoters(vertx, List.of(stack.settings().edgePort(), stack.settings().cluster().edge2Port()), 32, 200, 15_000);
  }

  @AfterAll
  static void down() throws Exception {
    try {
      if (voters != null) voters.close().await(10, TimeUnit.SECONDS);
      if (vertx != null) vertx.close().await(30, TimeUnit.SECONDS);
    } finally {
      if (stack != null) stack.down();
      if (dir != null && !Boolean.getBoolean("landslide.keepLogs")) {
        try (var paths = Files.walk(dir)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @Test
  @Order(1)
  @DisplayName("kill -9 the leader broker of a busy partition: no 202 lost, votes go on after the producer's retry; 503s counted")
  void shouldLoseNoVoteWhenTheLeaderBrokerIsKilled() throws Exception {
    LocalKafkaCluster kafka = stack.kafkaCluster().orElseThrow();
    int leader = kafka.leaderOf(topic, 0);
    LocalKafkaCluster.Node node = kafka.nodes().stream().filter(n -> n.id() == leader).findFirst().orElseThrow();
    try {
      RetryingVoters.Outcome o = underLoad(() -> {
        node.kill9();
        return "broker " + leader + " (leader of partition 0)";
      });
      assertThat(o.count(202)).as("votes went on").isGreaterThan(USERS / 2);
    } finally {
      node.restart();
    }
  }

  @Test
  @Order(2)
  @DisplayName("kill -9 a Redis master: its replica takes over; nothing counted twice")
  void shouldCountNothingTwiceWhenARedisMasterIsKilled() throws Exception {
    LocalRedisCluster redis = stack.redisCluster().orElseThrow();
    int master = redis.masterPorts().get(0);
    try {
      underLoad(() -> {
        redis.kill9(master);
        return "Redis master " + master;
      });
      StackFixture.await("a replica promoted", () -> redis.masterPorts().size(), LocalRedisCluster.MASTERS, 60);
    } finally {
      redis.restart(master);
    }
  }

  @Test
  @Order(3)
  @DisplayName("kill -9 a writer: the other takes its partitions over; the takeover is measured")
  void shouldTakeOverWhenAWriterIsKilled() throws Exception {
    long pid = stack.pid("writer-2").orElseThrow().pid();
    long[] killedAt = new long[1];
    try {
      writerKilled(pid, killedAt);
    } finally {
      if (stack.pid("writer-2").isEmpty()) stack.startWriter("writer-2", stack.settings().cluster().writer2Port());
      stack.awaitReady("writer-2", "http://localhost:" + stack.settings().cluster().writer2Port() + "/health/ready");
    }
  }

  private static void writerKilled(long pid, long[] killedAt) throws Exception {
    underLoad(() -> {
      killedAt[0] = System.nanoTime();
      stack.kill9("writer-2");
      return "writer-2";
    });
    try (Admin admin = stack.kafkaCluster().orElseThrow().admin()) {
      // Already settled by now (the load outlasts the session timeout); the figure is for docs/benchmarks.md.
      StackFixture.await("partitions owned by the surviving writer only", () -> {
        ConsumerGroupDescription g;
        try {
          g = admin.describeConsumerGroups(List.of(GROUP)).all().get(10, TimeUnit.SECONDS).get(GROUP);
        } catch (Exception e) {
          return 0;
        }
        long assigned = g.members().stream().mapToLong(m -> m.assignment().topicPartitions().size()).sum();
        boolean deadGone = g.members().stream().noneMatch(m -> m.clientId().equals("writer-" + pid));
        return deadGone && assigned == 8 ? 1 : 0;
      }, 1, 60);
    }
    System.out.printf("ClusterFaultsIT: writer-2 killed; group settled without it by %d ms after the kill%n",
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt[0]));
  }

  @Test
  @Order(4)
  @DisplayName("kill -9 an edge: the other keeps serving; no voter locked out by a claim the dead edge never produced")
  void shouldLockNoVoterOutWhenAnEdgeIsKilled() throws Exception {
    try {
      underLoad(() -> {
        stack.kill9("edge-2");
        return "edge-2";
      });
    } finally {
      if (stack.pid("edge-2").isEmpty()) stack.startEdge("edge-2", stack.settings().cluster().edge2Port());
      stack.awaitReady("edge-2", stack.edgeUrls().get(1) + "/health/ready");
    }
  }

  @Test
  @Order(5)
  @DisplayName("Restart PostgreSQL: writers and edges recover; nothing lost, nothing counted twice")
  void shouldRecoverWhenPostgresRestarts() throws Exception {
    underLoad(() -> {
      restartPostgres();
      return "PostgreSQL (restart)";
    });
  }

  // ---------------------------------------------------------------------------------------------------------------

  /**
   * A fresh poll, {@value #USERS} voters starting at {@value #RATE}/s over both edges, the fault about a second in,
   * then every invariant.
   */
  private static RetryingVoters.Outcome underLoad(FaultAction fault) throws Exception {
    int poll = createPoll();
    long[] users = new long[USERS];
    for (int i = 0; i < USERS; i++) users[i] = nextUser++;
    String[] bearers = VoteDriver.bearers(users);
    // Every voter may be in progress at once: one retrying does not hold up the others' first tries.
    var running = voters.run(poll, users, bearers, u -> (int) (u % 3), RATE, USERS, 180_000);
    StackFixture.await("votes under way", () -> Math.min(query("SELECT count(*) FROM votes WHERE poll_id = " + poll), 200), 200, 60);
    String what = fault.run();
    RetryingVoters.Outcome o = running.await(200, TimeUnit.SECONDS);
    System.out.printf("ClusterFaultsIT: %s: %d users, %d × 202, %d × 409, %d × 503 (retried), %d network errors (retried), "
        + "%d cut off, longest gap between 202s %.0f ms%n", what, USERS, o.count(202), o.count(409), o.unavailableTotal(),
      o.failedTotal(), cutOffCount(o), o.longestGapMs());
    assertInvariants(what, poll, o);
    return o;
  }

  @FunctionalInterface
  private interface FaultAction {
    String run() throws Exception;
  }

  private static long cutOffCount(RetryingVoters.Outcome o) {
    long n = 0;
    for (int i = 0; i < o.users().length; i++) if (o.cutOff(i)) n++;
    return n;
  }

  private static void assertInvariants(String fault, int poll, RetryingVoters.Outcome o) throws Exception {
    assertThat(o.count(0)).as("%s: voters with no answer by the deadline", fault).isZero();
    assertThat(o.count(202) + o.count(409)).as("%s: every voter ended 202 or 409", fault).isEqualTo(USERS);
    awaitWritersCaughtUp();
    Map<Long, Integer> index = new HashMap<>();
    for (int i = 0; i < USERS; i++) index.put(o.users()[i], i);
    Map<Long, String[]> rows = rows(poll);
    List<Long> cutOffFree = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      long u = o.users()[i];
      if (o.status()[i] == 202) {
        assertThat(rows).as("%s: user %d got a 202", fault, u).containsKey(u);
        assertThat(rows.get(u)[0]).as("%s: option of user %d", fault, u).isEqualTo(Integer.toString(o.options()[i]));
        assertThat(rows.get(u)[1]).as("%s: receipt of user %d", fault, u).isEqualTo(o.receipts()[i]);
      } else {
        assertThat(o.cutOff(i)).as("%s: user %d refused (409) without ever a 202 or an unanswered try", fault, u).isTrue();
        if (!rows.containsKey(u)) cutOffFree.add(u);
      }
    }
    for (long u : rows.keySet()) {
      Integer i = index.get(u);
      assertThat(i).as("%s: a row of a user who never voted", fault).isNotNull();
      assertThat(o.status()[i] == 202 || o.cutOff(i)).as("%s: row of user %d is a 202's or a cut-off voter's", fault, u).isTrue();
    }
    assertThat(query("SELECT coalesce(sum(count), 0) FROM tallies WHERE poll_id = " + poll)).as("%s: tallies", fault).isEqualTo(rows.size());

    // Every voter cut off without a row is free to vote: at once, or once the reconciliation settled the dead claim.
    long[] free = cutOffFree.stream().mapToLong(Long::longValue).toArray();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MS + 60_000);
    long[] left = free;
    while (left.length > 0 && System.nanoTime() < deadline) {
      RetryingVoters.Outcome again = voters.run(poll, left, VoteDriver.bearers(left), u -> 2, 0, 64, 60_000).await(90, TimeUnit.SECONDS);
      List<Long> refused = new ArrayList<>();
      for (int i = 0; i < left.length; i++) if (again.status()[i] != 202) refused.add(left[i]);
      left = refused.stream().mapToLong(Long::longValue).toArray();
      if (left.length > 0) Thread.sleep(1_000); // waiting for the reconciliation (a condition polled with a deadline)
    }
    assertThat(left).as("%s: voters cut off, not counted, still refused after the grace", fault).isEmpty();

    // A second vote of everyone who got a 202, for another option: never counted, never changes the first.
    int accepted = (int) o.count(202);
    long[] again = new long[accepted];
    int k = 0;
    for (int i = 0; i < USERS; i++) if (o.status()[i] == 202) again[k++] = o.users()[i];
    RetryingVoters.Outcome second = voters.run(poll, again, VoteDriver.bearers(again), u -> (int) ((u + 1) % 3), 0, 64, 60_000)
      .await(90, TimeUnit.SECONDS);
    awaitWritersCaughtUp();
    Map<Long, String[]> after = rows(poll);
    assertThat(after).as("%s: rows after the second votes", fault).hasSize(rows.size() + free.length);
    for (int i = 0; i < USERS; i++) {
      if (o.status()[i] == 202) assertThat(after.get(o.users()[i])[0]).isEqualTo(Integer.toString(o.options()[i]));
    }
    assertThat(query("SELECT coalesce(sum(count), 0) FROM tallies WHERE poll_id = " + poll)).isEqualTo(after.size());
    System.out.printf("ClusterFaultsIT: %s: %d rows; %d cut-off voters were free and voted; second votes: %d × 409, %d × 202 "
      + "(the bitmap forgot: kept out by PostgreSQL's key); edges' meters: %s%n", fault, after.size(), free.length, second.count(409),
      second.count(202), meters());
  }

  /** @return each edge's counters of claims Redis did not answer and of settled pending claims */
  private static String meters() {
    StringBuilder b = new StringBuilder();
    for (String e : stack.edgeUrls()) {
      try {
        String body = StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create(e + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        b.append(e.substring(e.lastIndexOf(':') + 1)).append(' ');
        for (String line : body.split("\n")) {
          if (line.startsWith("landslide_bitmap_unknown_total") || line.startsWith("landslide_bitmap_reconciled_total")) {
            b.append(line.replace("landslide_bitmap_", "")).append("; ");
          }
        }
      } catch (Exception ex) {
        b.append(e).append(" (no answer) ");
      }
    }
    return b.toString();
  }

  /** Waits until the writers' stored offsets reach the votes topic's end offsets. */
  private static void awaitWritersCaughtUp() throws Exception {
    try (Admin admin = stack.kafkaCluster().orElseThrow().admin()) {
      Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
      for (int p = 0; p < 8; p++) ask.put(new TopicPartition(topic, p), OffsetSpec.latest());
      Map<Integer, Long> end = new HashMap<>();
      admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp.partition(), info.offset()));
      StackFixture.await("writers at the end offsets " + end, () -> {
        Map<Integer, Long> stored = new HashMap<>();
        try (Connection c = Schema.connect(pg); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT partition, next_offset FROM kafka_offsets WHERE group_id = '" + GROUP
               + "' AND topic = '" + topic + "'")) {
          while (rs.next()) stored.put(rs.getInt(1), rs.getLong(2));
        } catch (Exception e) {
          return 0; // PostgreSQL restarting
        }
        for (var e : end.entrySet()) if (stored.getOrDefault(e.getKey(), 0L) < e.getValue()) return 0;
        return 1;
      }, 1, 120);
    }
  }

  private static Map<Long, String[]> rows(int poll) throws Exception {
    Map<Long, String[]> out = new HashMap<>();
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT user_id, option_id, replace(receipt::text, '-', '') FROM votes WHERE poll_id = " + poll)) {
      while (rs.next()) out.put(rs.getLong(1), new String[] {Integer.toString(rs.getInt(2)), rs.getString(3)});
    }
    return out;
  }

  private static long query(String sql) {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      return -1; // PostgreSQL restarting: the caller waits on a condition
    }
  }

  private static int createPoll() throws Exception {
    String edge = stack.edgeUrls().get(0);
    HttpResponse<String> r = StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create(edge + "/api/v1/polls"))
      .header("Authorization", "Bearer " + io.landslide.infra.DevTokens.dev().admin(1)).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Faults\",\"options\":[\"A\",\"B\",\"C\"]}")).build(),
      HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    int poll = Integer.parseInt(r.body().replaceAll(".*?\"id\":(\\d+).*", "$1"));
    for (String e : stack.edgeUrls()) {
      StackFixture.await("poll known to " + e, () -> {
        try {
          return StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create(e + "/api/v1/polls/" + poll)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception notYet) {
          return 0;
        }
      }, 200, 30);
    }
    return poll;
  }

  /** Restarts the machine's PostgreSQL (platform-notes: pg_ctlcluster), waiting until it takes connections again. */
  private static void restartPostgres() throws Exception {
    String version;
    try (var versions = Files.list(Path.of("/etc/postgresql"))) {
      version = versions.map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> b).orElseThrow();
    }
    Process p = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast")
      .redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("pg_ctlcluster restart ended").isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    StackFixture.await("PostgreSQL takes connections", () -> query("SELECT 1") == 1 ? 1 : 0, 1, 60);
  }
}
