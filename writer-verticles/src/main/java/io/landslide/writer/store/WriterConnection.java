package io.landslide.writer.store;

import io.landslide.runtime.PgSettings;
import io.vertx.core.Context;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A writer's one JDBC connection to PostgreSQL: opened on first use with the writer's settings, never in
 * autocommit, dropped when a failure says the connection is gone or a rollback leaves it invalid (a broken
 * connection is replaced on next use: a restarted PostgreSQL is reconnected to), closed with the writer. Each consuming verticle owns one and uses it only from its own worker thread (not thread-safe).
 *
 * <p>Invariant 7: every use goes through {@link #get()}, which refuses to run on an event loop, where
 * blocking JDBC would stall every connection the loop serves.
 */
public final class WriterConnection implements AutoCloseable {
  private static final String APPLICATION_NAME = "landslide-writer";
  /** Seconds a readiness probe waits to connect and for the server to answer. */
  private static final int PROBE_TIMEOUT_S = 2;

  private final PgSettings pg;
  private Connection conn;

  /**
   * Work done inside one transaction of this connection.
   *
   * @param <T> what it returns
   * @param <E> the checked exception it may throw besides {@link SQLException}
   */
  @FunctionalInterface
  interface Work<T, E extends Exception> {
    T run(Connection c) throws SQLException, E;
  }

  /** @param pg where PostgreSQL is; nothing is opened until first use */
  public WriterConnection(PgSettings pg) {
    this.pg = pg;
  }

  /**
   * Opens a short-lived connection and checks that the server answers (readiness). Blocking: worker thread only.
   *
   * @param pg where PostgreSQL is
   * @throws SQLException when PostgreSQL cannot be reached
   */
  public static void probe(PgSettings pg) throws SQLException {
    notOnEventLoop();
    Properties p = credentials(pg);
    p.setProperty("connectTimeout", Integer.toString(PROBE_TIMEOUT_S));
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), p)) {
      if (!c.isValid(PROBE_TIMEOUT_S)) throw new IllegalStateException("invalid");
    }
  }

  /** @return the open connection, opened (again) if there is none */
  Connection get() throws SQLException {
    notOnEventLoop();
    if (conn == null || conn.isClosed()) {
      Properties p = credentials(pg);
      p.setProperty("ApplicationName", APPLICATION_NAME);
      p.setProperty("reWriteBatchedInserts", "true");
      conn = DriverManager.getConnection(pg.jdbcUrl(), p);
      conn.setAutoCommit(false);
    }
    return conn;
  }

  /**
   * Runs {@code work} and commits; on any exception rolls back (replacing a broken connection) and rethrows.
   *
   * @return what {@code work} returned
   */
  <T, E extends Exception> T inTransaction(Work<T, E> work) throws SQLException, E {
    Connection c = get();
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (Exception e) { // SQLException, E or unchecked: rethrown as it is
      if (e instanceof SQLException se && connectionLost(se)) close(); // a restarted server: open a new one next time
      else rollbackQuietly();
      throw e;
    }
  }

  /** Closes the connection; the next {@link #get()} would open a new one. */
  @Override
  public void close() {
    try {
      if (conn != null) conn.close();
    } catch (SQLException ignored) {
      // already broken
    } finally {
      conn = null;
    }
  }

  private void rollbackQuietly() {
    try {
      if (conn != null && !conn.isClosed()) conn.rollback();
      // pgjdbc's rollback can succeed on a connection whose socket is gone (nothing to send while idle): ask it
      if (conn != null && !conn.isValid(PROBE_TIMEOUT_S)) close();
    } catch (SQLException e) {
      close(); // a broken connection is replaced on next use
    }
  }

  /**
   * @param e a failure
   * @return whether it says the connection is gone: SQLSTATE class 08 (connection exception), or 57P (the server
   *         shutting down or restarting), anywhere in its chain
   */
  static boolean connectionLost(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }

  /** @return credentials and TLS (VOTING_PG_SSLMODE, VOTING_PG_SSLROOTCERT), as every JDBC connection of the project */
  private static Properties credentials(PgSettings pg) {
    return pg.jdbcProperties();
  }

  private static void notOnEventLoop() {
    if (Context.isOnEventLoopThread()) throw new IllegalStateException("blocking JDBC called on an event loop");
  }
}
