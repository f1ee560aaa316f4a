package io.landslide.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.runtime.PgSettings;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(FreshDatabase.class)
class InfraIT {
  private static final List<String> MIGRATIONS = List.of("V1__core.sql", "V2__accounts.sql", "V3__poll_pow.sql", "V4__vote_log.sql", "V5__admin_revocations.sql", "V6__address_retention.sql", "V7__identity.sql", "V8__results_embargo.sql", "V9__log_order.sql", "V10__log_entries_no_jit.sql");


  @Test
  void shouldNeverMakeAClusterIdTheStorageToolReadsAsAnOption() {
    for (int i = 0; i < 20_000; i++) {
      String id = LocalKafka.clusterId();
      assertThat(id).hasSize(22).doesNotStartWith("-");
    }
  }

  @Test
  void shouldMigrateOnceAndBeIdempotent(PgSettings pg) throws Exception {
    Schema.ensureDatabase(pg);
    assertThat(Schema.migrate(pg)).containsExactly(MIGRATIONS.toArray(String[]::new));
    assertThat(Schema.migrate(pg)).isEmpty();
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement()) {
      s.execute("INSERT INTO polls (id, title, options) VALUES (7, 't', ARRAY['a','b'])");
      s.execute("SELECT landslide_create_vote_partitions(7, 4)");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relkind = 'r' AND c.relname LIKE 'votes_p7_h%'")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(4);
      }
    }
  }

  @Test
  void shouldRefuseAnAppliedMigrationThatWasEditedNamingItsVersion(PgSettings pg) throws Exception {
    Schema.ensureDatabase(pg);
    Schema.migrate(pg);
    sql(pg, "UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '2'");

    assertThatThrownBy(() -> Schema.migrate(pg)).isInstanceOf(SQLException.class)
      .hasMessageContaining("checksum mismatch").hasMessageContaining("version 2");
    assertThat(history(pg)).containsExactly("1 SQL", "2 SQL", "3 SQL", "4 SQL", "5 SQL", "6 SQL", "7 SQL", "8 SQL", "9 SQL", "10 SQL");
  }

  @Test
  void shouldApplyEachMigrationOnceWhenTwoMigratorsStartTogether(PgSettings pg) throws Exception {
    Schema.ensureDatabase(pg);
    CyclicBarrier start = new CyclicBarrier(2);
    Callable<List<String>> migrator = () -> {
      start.await(1, TimeUnit.MINUTES);
      return Schema.migrate(pg);
    };
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<List<String>> a = pool.submit(migrator);
      Future<List<String>> b = pool.submit(migrator);
      List<String> applied = new ArrayList<>(a.get(3, TimeUnit.MINUTES));
      applied.addAll(b.get(3, TimeUnit.MINUTES));

      assertThat(applied).as("applied by either migrator").containsExactlyInAnyOrderElementsOf(MIGRATIONS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(history(pg)).containsExactly("1 SQL", "2 SQL", "3 SQL", "4 SQL", "5 SQL", "6 SQL", "7 SQL", "8 SQL", "9 SQL", "10 SQL");
  }

  @Test
  void shouldBaselineADatabaseTheOldRunnerMigratedWithoutRerunningAnything(PgSettings pg) throws Exception {
    Schema.ensureDatabase(pg);
    migrateLikeTheOldRunner(pg, 3);
    sql(pg, "INSERT INTO polls (id, title, options) VALUES (9, 'kept', ARRAY['a','b'])");

    assertThat(Schema.migrate(pg)).as("only what came after the old runner").containsExactly("V4__vote_log.sql", "V5__admin_revocations.sql", "V6__address_retention.sql", "V7__identity.sql", "V8__results_embargo.sql", "V9__log_order.sql", "V10__log_entries_no_jit.sql");
    assertThat(Schema.migrate(pg)).isEmpty();
    assertThat(history(pg)).containsExactly("3 BASELINE", "4 SQL", "5 SQL", "6 SQL", "7 SQL", "8 SQL", "9 SQL", "10 SQL");
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT title FROM polls WHERE id = 9")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("kept");
    }
  }

  @Test
  void shouldApplyOnlyWhatTheOldRunnerHadNotApplied(PgSettings pg) throws Exception {
    Schema.ensureDatabase(pg);
    migrateLikeTheOldRunner(pg, 2);

    assertThat(Schema.migrate(pg)).containsExactly("V3__poll_pow.sql", "V4__vote_log.sql", "V5__admin_revocations.sql", "V6__address_retention.sql", "V7__identity.sql", "V8__results_embargo.sql", "V9__log_order.sql", "V10__log_entries_no_jit.sql");
    assertThat(history(pg)).containsExactly("2 BASELINE", "3 SQL", "4 SQL", "5 SQL", "6 SQL", "7 SQL", "8 SQL", "9 SQL", "10 SQL");
  }

  @Test
  void shouldRefuseToGuessABaselineWhenTheOldRunnersVersionsHaveAGap(PgSettings pg) throws Exception {
    Schema.ensureDatabase(pg);
    migrateLikeTheOldRunner(pg, 1);
    sql(pg, "INSERT INTO schema_migrations (version, name) VALUES (3, 'V3__poll_pow.sql')");

    assertThatThrownBy(() -> Schema.migrate(pg)).isInstanceOf(SQLException.class)
      .hasMessageContaining("schema_migrations").hasMessageContaining("[1, 3]");
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT to_regclass('flyway_schema_history') IS NULL")) {
      rs.next();
      assertThat(rs.getBoolean(1)).as("no Flyway history created").isTrue();
    }
  }

  /** What the hand-written runner before Flyway left behind: the SQL of V1..Vn and its own table. */
  private static void migrateLikeTheOldRunner(PgSettings pg, int upTo) throws Exception {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
        + " applied_at timestamptz NOT NULL DEFAULT now())");
      for (String name : MIGRATIONS.subList(0, upTo)) {
        try (InputStream in = InfraIT.class.getClassLoader().getResourceAsStream("db/migration/" + name)) {
          s.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        s.execute("INSERT INTO schema_migrations (version, name) VALUES (" + (MIGRATIONS.indexOf(name) + 1) + ", '" + name + "')");
      }
    }
  }

  /** @return Flyway's history as "version type" lines, in installation order */
  private static List<String> history(PgSettings pg) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT version, type, success FROM flyway_schema_history ORDER BY installed_rank")) {
      while (rs.next()) {
        assertThat(rs.getBoolean("success")).as("migration %s succeeded", rs.getString("version")).isTrue();
        rows.add(rs.getString("version") + " " + rs.getString("type"));
      }
    }
    return rows;
  }

  private static void sql(PgSettings pg, String sql) throws SQLException {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement()) {
      s.execute(sql);
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
