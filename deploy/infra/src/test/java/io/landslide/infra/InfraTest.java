package io.landslide.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.PgSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfraTest {

  @Test
  void shouldNeverMakeAClusterIdTheStorageToolReadsAsAnOption() {
    for (int i = 0; i < 20_000; i++) {
      String id = LocalKafka.clusterId();
      assertThat(id).hasSize(22).doesNotStartWith("-");
    }
  }

  @Test
  void shouldMigrateOnceAndBeIdempotent() throws Exception {
    PgSettings pg = PgSettings.fromEnv(Map.of()).withDatabase("landslide_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    try {
      Schema.ensureDatabase(pg);
      assertThat(Schema.migrate(pg)).containsExactly("V1__core.sql", "V2__accounts.sql", "V3__poll_pow.sql");
      assertThat(Schema.migrate(pg)).isEmpty();
      try (Connection c = Schema.connect(pg); Statement s = c.createStatement()) {
        s.execute("INSERT INTO polls (id, title, options) VALUES (7, 't', ARRAY['a','b'])");
        s.execute("SELECT landslide_create_vote_partitions(7, 4)");
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relkind = 'r' AND c.relname LIKE 'votes_p7_h%'")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(4);
        }
      }
    } finally {
      try (Connection c = Schema.connect(pg.withDatabase("postgres")); Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + pg.database() + " WITH (FORCE)");
      }
    }
  }

  @Test
  void shouldRunARealBrokerThatSurvivesARestart(@TempDir Path dir) throws Exception {
    LocalKafka k = LocalKafka.start(dir);
    int port = k.port();
    int cport = Integer.parseInt(Files.readString(dir.resolve("server.properties")).lines()
      .filter(l -> l.startsWith("controller.quorum.voters")).findFirst().orElseThrow().replaceAll(".*:", ""));
    LocalKafka.ensureTopic(k.bootstrap(), "infra-test", 1);
    try (var p = new KafkaProducer<String, String>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrap(),
      ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
      p.send(new ProducerRecord<>("infra-test", "k", "v")).get(30, TimeUnit.SECONDS);
    }
    k.stop();
    k = LocalKafka.start(dir, port, cport);
    try (var c = new KafkaConsumer<String, String>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrap(),
      ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
      new StringDeserializer(), new StringDeserializer())) {
      c.subscribe(List.of("infra-test"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int seen = 0;
      while (seen == 0 && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> rs = c.poll(Duration.ofMillis(500));
        seen += rs.count();
      }
      assertThat(seen).as("record written before the restart").isEqualTo(1);
    } finally {
      k.stop();
    }
  }
}
