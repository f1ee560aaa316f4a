package io.landslide.infra;

import io.landslide.codec.PgSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Versioned, idempotent schema migrations: {@code db/migration/V<n>__<name>.sql}, listed in order in
 * {@code db/migration/index.txt}. Each runs once, in its own transaction, recorded in
 * {@code schema_migrations}; concurrent migrators serialise on an advisory lock. Run as a command
 * ({@code java io.landslide.infra.Schema}) before edges and writers start, or as a Kubernetes Job.
 */
public final class Schema {
  private static final long LOCK_KEY = 0x4c414e44534c4944L; // "LANDSLID"

  private Schema() {
  }

  /** Creates the database if needed and migrates it; settings from the environment. */
  public static void main(String[] args) throws SQLException {
    PgSettings pg = PgSettings.fromEnv(System.getenv());
    ensureDatabase(pg);
    List<String> applied = migrate(pg);
    System.out.println("schema: " + pg.jdbcUrl() + " up to date" + (applied.isEmpty() ? "" : ", applied " + applied));
  }

  /**
   * Creates {@code pg.database()} when it does not exist (connecting to the {@code postgres} database).
   *
   * @param pg where
   * @throws SQLException when the server refuses
   */
  public static void ensureDatabase(PgSettings pg) throws SQLException {
    try (Connection c = connect(pg.withDatabase("postgres"));
         PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      q.setString(1, pg.database());
      try (ResultSet rs = q.executeQuery()) {
        if (rs.next()) return;
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE \"" + pg.database().replace("\"", "\"\"") + "\"");
      } catch (SQLException e) {
        if (!"42P04".equals(e.getSQLState())) throw e; // created meanwhile by another process
      }
    }
  }

  /**
   * Applies every migration not yet applied.
   *
   * @param pg where
   * @return the names applied now (empty when already up to date)
   * @throws SQLException when a migration fails (its transaction is rolled back)
   */
  public static List<String> migrate(PgSettings pg) throws SQLException {
    List<String> done = new ArrayList<>();
    try (Connection c = connect(pg)) {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
        s.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
          + " applied_at timestamptz NOT NULL DEFAULT now())");
      }
      try {
        Set<Integer> have = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM schema_migrations")) {
          while (rs.next()) have.add(rs.getInt(1));
        }
        c.setAutoCommit(false);
        for (String name : index()) {
          int version = version(name);
          if (have.contains(version)) continue;
          try (Statement s = c.createStatement()) {
            s.execute(resource("db/migration/" + name));
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO schema_migrations (version, name) VALUES (?, ?)")) {
              ins.setInt(1, version);
              ins.setString(2, name);
              ins.executeUpdate();
            }
            c.commit();
            done.add(name);
          } catch (SQLException e) {
            c.rollback();
            throw new SQLException("migration " + name + " failed: " + e.getMessage(), e.getSQLState(), e);
          }
        }
      } finally {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
        }
      }
    }
    return done;
  }

  /**
   * @param pg where
   * @return a new pgjdbc connection
   * @throws SQLException when it cannot connect
   */
  public static Connection connect(PgSettings pg) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", pg.user());
    if (!pg.password().isEmpty()) p.setProperty("password", pg.password());
    return DriverManager.getConnection(pg.jdbcUrl(), p);
  }

  static List<String> index() {
    List<String> names = new ArrayList<>();
    for (String line : resource("db/migration/index.txt").split("\n")) {
      if (!line.isBlank()) names.add(line.strip());
    }
    return names;
  }

  static int version(String name) {
    if (!name.matches("V\\d+__\\w+\\.sql")) throw new IllegalStateException("bad migration name " + name);
    return Integer.parseInt(name.substring(1, name.indexOf("__")));
  }

  private static String resource(String path) {
    try (InputStream in = Schema.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing resource " + path);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
