package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.Ports;
import io.landslide.infra.DevTokens;
import io.landslide.infra.LocalKafkaCluster;
import io.landslide.infra.TestStack;
import io.landslide.runtime.PgSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The production shape of {@code up.sh --cluster}, through {@link LocalStack}'s API: three Kafka brokers (the votes
 * topic at replication factor 3, {@code min.insync.replicas=2}), a Redis Cluster (3 masters + 3 replicas), two
 * writers and two edges as separate processes in one Hazelcast cluster. Votes spread over both edges are each
 * accepted once, refused on the other edge, counted once in PostgreSQL and in both edges' results, and both
 * writers share the partitions.
 */
class ClusterStackIT {
  private static final int USERS = 2_000;
  private static final String WRITER_GROUP = "landslide-writer";
  /**
   * The test database holds the open polls of every other test: the edges' bitmap guard would rebuild each of them in
   * the fresh Redis Cluster (not what this test is about), and on 2 cores a C1-only JIT brings four JVMs up sooner.
   */
  private static final Map<String, String> ENV = Map.of("VOTING_BITMAP_CHECK_MS", "0",
    "VOTING_JVM_OPTS", LocalStack.CLUSTER_JVM_OPTS + " -XX:TieredStopAtLevel=1");

  @Test
  @DisplayName("Production shape: 2,000 users over 2 edges → 2,000 × 202, each refused (409) on the other edge, 2,000 rows and tallies, both edges' results at 2,000; RF 3 / min ISR 2; both writers own partitions")
  void shouldRunTheProductionShape() throws Exception {
    Path dir = Files.createTempDirectory("landslide-cluster-");
    PgSettings pg = TestStack.pg();
    String topic = "votes-cluster-" + UUID.randomUUID();
    LocalStack stack = new LocalStack(new LocalStack.Settings(LocalStack.root(), dir, 0, Ports.free(),
      Ports.free(), 8, topic, pg, ENV, null, new LocalStack.Cluster(Ports.free(), Ports.free())));
    Vertx vertx = Vertx.vertx();
    Map<String, ProcessHandle> started = Map.of();
    try {
      long t0 = System.nanoTime();
      try {
        stack.up();
      } finally {
        started = stack.running();
      }
      long upMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      Map<String, Long> rss = stack.rssKiB();
      System.out.printf("ClusterStackIT: up in %d ms; %d processes, RSS %d MiB: %s%n", upMs, rss.size(),
        rss.values().stream().mapToLong(Long::longValue).sum() / 1024, rss);
      assertThat(started.keySet()).contains("edge", "edge-2", "writer", "writer-2",
        "kafka/node-1/broker", "kafka/node-2/broker", "kafka/node-3/broker");
      assertThat(started.keySet().stream().filter(n -> n.startsWith("redis/"))).hasSize(6);
      assertThat(stack.redisSeeds().split(",")).hasSize(6);

      LocalKafkaCluster kafka = stack.kafkaCluster().orElseThrow();
      assertThat(stack.kafkaBootstrap()).isEqualTo(kafka.bootstrap());
      try (Admin admin = kafka.admin()) {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
        assertThat(d.partitions()).hasSize(8);
        for (TopicPartitionInfo p : d.partitions()) assertThat(p.replicas()).as("replicas of partition %d", p.partition()).hasSize(3);
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        var config = admin.describeConfigs(List.of(res)).all().get(15, TimeUnit.SECONDS).get(res);
        assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
      }

      List<String> edges = stack.edgeUrls();
      assertThat(edges).hasSize(2);
      for (String edge : edges) assertThat(get(edge + "/health/ready").body()).contains("\"cluster\":\"UP\"");

      int poll = createPoll(edges.get(0));
      for (String edge : edges) {
        StackFixture.await("poll known to " + edge, () -> get(edge + "/api/v1/polls/" + poll).statusCode(), 200, 30);
      }
      // User i votes on edge i % 2; then once more on the other edge.
      long[][] users = new long[2][USERS / 2];
      for (int i = 0; i < USERS; i++) users[i % 2][i / 2] = 7_000_000L + i;
      List<VoteDriver> drivers = List.of(driver(vertx, stack.settings().edgePort()), driver(vertx, stack.settings().cluster().edge2Port()));
      String[][] bearers = {VoteDriver.bearers(users[0]), VoteDriver.bearers(users[1])};

      VoteDriver.Results[] first = vote(drivers, poll, users, bearers, false);
      for (int e = 0; e < 2; e++) {
        assertThat(first[e].count(202)).as("202s on edge %d", e + 1).isEqualTo(USERS / 2);
      }
      VoteDriver.Results[] again = vote(drivers, poll, users, bearers, true);
      for (int e = 0; e < 2; e++) {
        assertThat(again[e].count(409)).as("409s on edge %d for users who voted on edge %d", e + 1, 2 - e).isEqualTo(USERS / 2);
      }

      StackFixture.await("rows of the poll", () -> query(pg, "SELECT count(*) FROM votes WHERE poll_id = " + poll), USERS, 60);
      StackFixture.await("sum(tallies) of the poll", () -> query(pg, "SELECT coalesce(sum(count), 0) FROM tallies WHERE poll_id = " + poll), USERS, 30);
      for (String edge : edges) {
        StackFixture.await("results total on " + edge, () -> new JsonObject(get(edge + "/api/v1/polls/" + poll + "/results").body()).getLong("total"), USERS, 30);
      }

      // Both writers (client.id writer-<pid>) own partitions of the one consumer group, all 8 between them.
      Set<String> writers = Set.of("writer-" + started.get("writer").pid(), "writer-" + started.get("writer-2").pid());
      try (Admin admin = kafka.admin()) {
        StackFixture.await("writers owning partitions", () -> {
          ConsumerGroupDescription g = group(admin);
          Set<String> owners = g.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty())
            .map(MemberDescription::clientId).collect(Collectors.toSet());
          Set<TopicPartition> assigned = g.members().stream().flatMap(m -> m.assignment().topicPartitions().stream())
            .collect(Collectors.toSet());
          return owners.equals(writers) && assigned.size() == 8 ? 1 : 0;
        }, 1, 30);
      }
      for (String w : List.of("writer", "writer-2")) {
        assertThat(Files.readString(dir.resolve(w + ".log"))).as(w + "'s log").containsPattern("assigned \\[" + topic + "-\\d");
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      stack.down();
      Set<String> alive = new TreeSet<>();
      started.forEach((name, h) -> {
        if (h.isAlive()) alive.add(name);
      });
      if (!Boolean.getBoolean("landslide.keepLogs")) {
        try (var paths = Files.walk(dir)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      assertThat(alive).as("processes still running after down()").isEmpty();
    }
  }

  private static VoteDriver driver(Vertx vertx, int port) {
    return new VoteDriver(vertx, "localhost", port, 32);
  }

  /** Both edges at once: edge e gets users[e] first, users[1 - e] when {@code swapped}. */
  private static VoteDriver.Results[] vote(List<VoteDriver> drivers, int poll, long[][] users, String[][] bearers, boolean swapped)
    throws Exception {
    List<Future<VoteDriver.Results>> runs = List.of(
      drivers.get(0).run(poll, users[swapped ? 1 : 0], bearers[swapped ? 1 : 0], u -> (int) (u % 3), 32, false),
      drivers.get(1).run(poll, users[swapped ? 0 : 1], bearers[swapped ? 0 : 1], u -> (int) (u % 3), 32, false));
    VoteDriver.Results[] out = new VoteDriver.Results[2];
    for (int e = 0; e < 2; e++) out[e] = runs.get(e).await(60, TimeUnit.SECONDS);
    return out;
  }

  private static ConsumerGroupDescription group(Admin admin) {
    try {
      return admin.describeConsumerGroups(List.of(WRITER_GROUP)).all().get(10, TimeUnit.SECONDS).get(WRITER_GROUP);
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe the group " + WRITER_GROUP, e);
    }
  }

  private static int createPoll(String edge) throws Exception {
    HttpResponse<String> r = StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create(edge + "/api/v1/polls"))
      .header("Authorization", "Bearer " + DevTokens.dev().admin(1)).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Cluster\",\"options\":[\"A\",\"B\",\"C\"]}")).build(),
      HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Integer.parseInt(r.body().replaceAll(".*?\"id\":(\\d+).*", "$1"));
  }

  private static HttpResponse<String> get(String url) {
    try {
      return StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(url, e);
    }
  }

  private static long query(PgSettings pg, String sql) {
    try (var c = io.landslide.infra.Schema.connect(pg); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
