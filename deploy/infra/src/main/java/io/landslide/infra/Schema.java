package io.landslide.infra;

import io.landslide.runtime.PgSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.logging.LogFactory;
import org.flywaydb.core.api.logging.LogLevel;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations run by Flyway: {@code db/migration/V<n>__<name>.sql} on the class path, each
 * applied once in its own transaction and recorded in Flyway's {@value #HISTORY_TABLE} table. Run as a
 * command ({@code java io.landslide.infra.Schema}) before edges and writers start, or as a Kubernetes Job.
 *
 * <ul>
 *   <li><b>Checksums</b>: Flyway validates on every migrate ({@code validateOnMigrate}); an applied migration
 *       whose file was edited afterwards is refused with an error naming its version. Never edit a released
 *       migration: add the next one.</li>
 *   <li><b>One runner at a time</b>: Flyway takes a PostgreSQL advisory lock around creating the history table
 *       and applying migrations, so processes that start together wait for each other and each migration is
 *       applied exactly once (the later ones find it applied). A waiting runner retries the lock once a second
 *       (Flyway's {@code lockRetryCount}, 50 by default) and then fails.</li>
 *   <li><b>Databases of the old runner</b>: before Flyway, this class kept its own table
 *       {@value #LEGACY_TABLE} (version, name, applied_at). When that table exists and Flyway's history table
 *       does not, the database is baselined at the highest version recorded there ({@code baselineOnMigrate}
 *       with that {@code baselineVersion}): Flyway records a baseline row instead of re-running V1..Vn, and
 *       applies only the later migrations. The recorded versions must be exactly 1..n (the old runner applied
 *       them in order), otherwise the database is refused rather than guessed at. The old table is left in
 *       place, unused. Once the history table exists, the old table is ignored.</li>
 *   <li><b>TLS</b>: every connection, Flyway's included, takes its credentials and TLS mode from
 *       {@link PgSettings#jdbcProperties()} ({@code VOTING_PG_SSLMODE}, {@code VOTING_PG_SSLROOTCERT}); the
 *       Kubernetes Job runs with {@code verify-full}.</li>
 *   <li><b>Logs</b>: Flyway's per-step INFO lines are muted (warnings and errors still go through slf4j);
 *       baselining an old database is logged in one line. Set the slf4j level of {@code org.flywaydb} to
 *       debug to see every step Flyway takes.</li>
 * </ul>
 */
public final class Schema {
  /** Flyway's history table (its default name). */
  static final String HISTORY_TABLE = "flyway_schema_history";
  /** The table of the hand-written runner that came before Flyway. */
  static final String LEGACY_TABLE = "schema_migrations";
  private static final String LOCATION = "classpath:db/migration";
  private static final Logger LOG = LoggerFactory.getLogger(Schema.class);

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
   * Applies every migration not yet applied, after validating the checksums of those already applied. A
   * database migrated by the old runner is baselined first (see the class comment).
   *
   * @param pg where
   * @return the file names of the migrations this call applied, in order (empty when already up to date, or
   *     when a concurrent runner applied them)
   * @throws SQLException when the database cannot be reached, a migration fails (its transaction is rolled
   *     back), an applied migration was edited (checksum mismatch, naming its version), or the old runner's
   *     table is not a plain 1..n sequence
   */
  public static List<String> migrate(PgSettings pg) throws SQLException {
    FluentConfiguration config = Flyway.configure(Schema.class.getClassLoader())
      .dataSource(dataSource(pg))
      .locations(LOCATION)
      .failOnMissingLocations(true)
      .validateMigrationNaming(true)
      .validateOnMigrate(true)
      .cleanDisabled(true);
    Integer legacy = legacyVersion(pg);
    if (legacy != null) {
      LOG.info("schema: {} was migrated by the old runner up to version {}; baselining Flyway there", pg.jdbcUrl(), legacy);
      config.baselineOnMigrate(true).baselineVersion(String.valueOf(legacy))
        .baselineDescription("applied by the old runner (" + LEGACY_TABLE + ")");
    }
    quietFlyway();
    MigrateResult result;
    try {
      result = new Flyway(config).migrate();
    } catch (FlywayException e) {
      throw new SQLException("schema migration of " + pg.jdbcUrl() + " failed: " + e.getMessage(), sqlState(e), e);
    }
    List<String> applied = new ArrayList<>();
    for (MigrateOutput m : result.migrations) applied.add(fileName(m.filepath));
    return applied;
  }

  /**
   * @param pg where, and how (TLS per {@code pg.sslMode()}, see {@link PgSettings#jdbcProperties()})
   * @return a new pgjdbc connection
   * @throws SQLException when it cannot connect, e.g. the server refuses the TLS mode or the certificate fails
   *     verification
   */
  public static Connection connect(PgSettings pg) throws SQLException {
    return DriverManager.getConnection(pg.jdbcUrl(), pg.jdbcProperties());
  }

  /** @return a pgjdbc data source for Flyway, with the same properties (credentials, TLS) as {@link #connect} */
  private static DataSource dataSource(PgSettings pg) throws SQLException {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(pg.jdbcUrl());
    Properties p = pg.jdbcProperties();
    for (String name : p.stringPropertyNames()) ds.setProperty(name, p.getProperty(name));
    return ds;
  }

  /**
   * @return the highest version the old runner recorded when its table exists and Flyway's does not (0 when
   *     that table is empty); null when Flyway owns the database or it is fresh
   */
  static Integer legacyVersion(PgSettings pg) throws SQLException {
    try (Connection c = connect(pg); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + LEGACY_TABLE + "') IS NOT NULL, to_regclass('"
        + HISTORY_TABLE + "') IS NOT NULL")) {
        rs.next();
        if (!rs.getBoolean(1) || rs.getBoolean(2)) return null;
      }
      List<Integer> versions = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT version FROM " + LEGACY_TABLE + " ORDER BY version")) {
        while (rs.next()) versions.add(rs.getInt(1));
      }
      for (int i = 0; i < versions.size(); i++) {
        if (versions.get(i) != i + 1) {
          throw new SQLException("schema: " + pg.jdbcUrl() + " has " + LEGACY_TABLE + " versions " + versions
            + ", not 1.." + versions.size() + "; refusing to guess a Flyway baseline (baseline it by hand)");
        }
      }
      return versions.size();
    }
  }

  /** Mutes Flyway's INFO lines, unless its slf4j logger is at debug: then someone asked for all of them. */
  private static void quietFlyway() {
    LogFactory.setLogLevel(LoggerFactory.getLogger("org.flywaydb").isDebugEnabled() ? LogLevel.DEBUG : LogLevel.WARN);
  }

  private static String fileName(String path) {
    return path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  }

  private static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) return s.getSQLState();
    }
    return null;
  }
}
