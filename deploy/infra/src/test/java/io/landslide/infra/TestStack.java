package io.landslide.infra;

import io.landslide.runtime.PgSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;

/**
 * What integration tests share in one JVM: one real Kafka broker (started on first use, stopped at exit)
 * and a migrated test database ({@code VOTING_PG_DATABASE}, default {@value #TEST_DATABASE}) on the local
 * PostgreSQL. Tests own their data (fresh poll ids, topics, consumer groups), so they can share both.
 */
public final class TestStack {
  /** The default test database. */
  public static final String TEST_DATABASE = "landslide_test";

  private static LocalKafka kafka;
  private static PgSettings pg;

  private TestStack() {
  }

  /** @return the shared broker's bootstrap address, starting the broker on first use */
  public static synchronized String kafkaBootstrap() {
    return kafka().bootstrap();
  }

  /** @return the shared broker, started on first use */
  public static synchronized LocalKafka kafka() {
    if (kafka == null) {
      try {
        Path dir = Files.createTempDirectory("landslide-kafka-");
        kafka = LocalKafka.start(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      LocalKafka k = kafka;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        k.stop();
        deleteTree(k.dir());
      }, "stop-test-kafka"));
    }
    return kafka;
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at JVM exit
    }
  }

  /** @return settings of the migrated test database */
  public static synchronized PgSettings pg() {
    if (pg == null) {
      Map<String, String> env = System.getenv();
      PgSettings s = PgSettings.fromEnv(env);
      if (!env.containsKey("VOTING_PG_DATABASE")) s = s.withDatabase(TEST_DATABASE);
      try {
        Schema.ensureDatabase(s);
        Schema.migrate(s);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot prepare test database " + s.jdbcUrl(), e);
      }
      pg = s;
    }
    return pg;
  }
}
