package io.landslide.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real three-node KRaft cluster: acks=all writes survive a kill -9 of a partition leader (a survivor takes over,
 * two in-sync replicas remain, so acks=all still succeeds), nothing is lost or duplicated, and the killed node
 * rejoins the ISR after a restart. Clients are the application's kafka-clients 3.7.1.
 */
class LocalKafkaClusterIT {
  private static final int PARTITIONS = 3;

  @Test
  void shouldKeepEveryAcksAllRecordExactlyOnceWhenThePartitionLeaderIsKilled(@TempDir Path dir) throws Exception {
    long t0 = System.nanoTime();
    LocalKafkaCluster cluster = LocalKafkaCluster.start(dir);
    List<ProcessHandle> started = new ArrayList<>();
    try {
      log("cluster of 3 ready in %d ms on %s, RSS %d MiB together", ms(t0), cluster.bootstrap(), rssMiB(cluster));
      assertThat(cluster.bootstrap().split(",")).hasSize(3).allMatch(b -> b.startsWith("localhost:"));
      for (int i = 1; i <= 3; i++) {
        started.add(cluster.node(i).process());
        assertThat(cluster.node(i).id()).isEqualTo(i);
        assertThat(cluster.node(i).isAlive()).isTrue();
        assertThat(cluster.node(i).dir()).isEqualTo(dir.resolve("node-" + i));
      }
      assertThat(started.stream().map(ProcessHandle::pid).distinct()).hasSize(3);
      assertThat(IntStream.rangeClosed(1, 3).mapToObj(i -> readMetaClusterId(cluster.node(i).dir())).distinct()).hasSize(1);

      String topic = "votes-" + UUID.randomUUID();
      cluster.ensureTopic(topic, PARTITIONS);
      cluster.ensureTopic(topic, PARTITIONS); // idempotent
      try (Admin admin = cluster.admin()) {
        Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
          .all().get(15, TimeUnit.SECONDS).values().iterator().next();
        assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
        assertThat(config.get("unclean.leader.election.enable").value()).isEqualTo("false");
      }
      for (int p = 0; p < PARTITIONS; p++) {
        TopicPartitionInfo info = cluster.partitionInfo(topic, p);
        assertThat(info.replicas()).hasSize(3);
        assertThat(cluster.isrOf(topic, p)).containsExactlyInAnyOrder(1, 2, 3);
      }

      Set<String> expected = new HashSet<>();
      try (KafkaProducer<String, String> producer = producer(cluster)) {
        List<Future<RecordMetadata>> before = send(producer, topic, "before", 100, expected);
        for (Future<RecordMetadata> f : before) assertThat(f.get(30, TimeUnit.SECONDS).hasOffset()).isTrue();
        assertThat(readAll(cluster, topic)).containsExactlyInAnyOrderElementsOf(expected);

        int leader = cluster.leaderOf(topic, 0);
        assertThat(leader).isBetween(1, 3);
        Set<Integer> survivors = IntStream.rangeClosed(1, 3).filter(i -> i != leader).boxed().collect(Collectors.toSet());
        long killedAt = System.nanoTime();
        cluster.node(leader).kill9();
        assertThat(cluster.node(leader).isAlive()).isFalse();

        // Sent while partition 0 has no live leader: the idempotent producer retries them.
        List<Future<RecordMetadata>> during = send(producer, topic, "during", 50, expected);

        await(Duration.ofSeconds(90), "a survivor leads partition 0", () -> survivors.contains(cluster.leaderOf(topic, 0)));
        long failoverMs = ms(killedAt);
        await(Duration.ofSeconds(60), "the ISR of partition 0 shrinks to the survivors",
          () -> cluster.isrOf(topic, 0).equals(survivors));
        log("node %d (leader of partition 0) killed; node %d leads after %d ms; ISR %s after %d ms", leader,
          cluster.leaderOf(topic, 0), failoverMs, cluster.isrOf(topic, 0), ms(killedAt));

        List<Future<RecordMetadata>> after = send(producer, topic, "after", 100, expected);
        long afterAt = System.nanoTime();
        for (Future<RecordMetadata> f : after) assertThat(f.get(90, TimeUnit.SECONDS).hasOffset()).isTrue();
        log("100 acks=all records on 2 in-sync replicas acknowledged in %d ms", ms(afterAt));
        for (Future<RecordMetadata> f : during) assertThat(f.get(90, TimeUnit.SECONDS).hasOffset()).isTrue();
        log("acks=all writes fully available again %d ms after the kill", ms(killedAt));
      }
      assertThat(expected).hasSize(250);
      List<String> read = readAll(cluster, topic);
      assertThat(read).hasSize(250).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);

      int killed = IntStream.rangeClosed(1, 3).filter(i -> !cluster.node(i).isAlive()).findFirst().orElseThrow();
      int portBefore = cluster.node(killed).port();
      long restartAt = System.nanoTime();
      cluster.node(killed).restart();
      started.add(cluster.node(killed).process());
      assertThat(cluster.node(killed).port()).isEqualTo(portBefore);
      log("node %d restarted and registered in %d ms", killed, ms(restartAt));
      await(Duration.ofSeconds(120), "node " + killed + " back in every ISR", () -> IntStream.range(0, PARTITIONS)
        .allMatch(p -> cluster.isrOf(topic, p).equals(Set.of(1, 2, 3))));
      log("node %d back in the ISR of all %d partitions %d ms after the restart; RSS %d MiB together", killed,
        PARTITIONS, ms(restartAt), rssMiB(cluster));
      assertThat(readAll(cluster, topic)).hasSize(250).containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      long stopAt = System.nanoTime();
      cluster.stop();
      log("cluster stopped in %d ms", ms(stopAt));
    }
    assertThat(started).noneMatch(ProcessHandle::isAlive);
  }

  private static List<Future<RecordMetadata>> send(KafkaProducer<String, String> producer, String topic, String phase,
    int n, Set<String> expected) {
    List<Future<RecordMetadata>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String value = phase + "-" + i;
      expected.add(value);
      out.add(producer.send(new ProducerRecord<>(topic, i % PARTITIONS, "poll-" + i, value)));
    }
    return out;
  }

  private static KafkaProducer<String, String> producer(LocalKafkaCluster cluster) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  /** Every record's value, read from the beginning up to each partition's end offset now. */
  private static List<String> readAll(LocalKafkaCluster cluster, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<TopicPartition> tps = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
    List<String> got = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (tps.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
        assertThat(System.nanoTime()).as("read %s up to %s in time", topic, end).isLessThan(deadline);
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) got.add(r.value());
      }
      assertThat(got).hasSize((int) end.values().stream().mapToLong(Long::longValue).sum());
    }
    return got;
  }

  private static void await(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean ok;
      try {
        ok = condition.getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      if (ok) return;
      assertThat(System.nanoTime()).as("%s within %s", what, timeout).isLessThan(deadline);
      try {
        Thread.sleep(100); // polling the cluster's metadata between attempts, not synchronising
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static String readMetaClusterId(Path nodeDir) {
    try {
      return Files.readAllLines(nodeDir.resolve("data").resolve("meta.properties")).stream()
        .filter(l -> l.startsWith("cluster.id=")).findFirst().orElseThrow();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long rssMiB(LocalKafkaCluster cluster) {
    long kb = 0;
    for (LocalKafkaCluster.Node n : cluster.nodes()) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(n.process().pid()), "status"))) {
          if (line.startsWith("VmRSS:")) kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      } catch (Exception e) {
        // not Linux, or the process is gone: count nothing
      }
    }
    return kb / 1024;
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  private static void log(String format, Object... args) {
    System.out.println("LocalKafkaClusterIT: " + String.format(format, args));
  }
}
