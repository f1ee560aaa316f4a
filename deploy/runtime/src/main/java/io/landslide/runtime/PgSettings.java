package io.landslide.runtime;

import java.util.Map;

/**
 * Where PostgreSQL is, read the same way by every process (12-factor environment variables).
 *
 * @param host     {@code VOTING_PG_HOST}, default {@value #DEFAULT_HOST}
 * @param port     {@code VOTING_PG_PORT}, default {@value #DEFAULT_PORT}
 * @param database {@code VOTING_PG_DATABASE}, default {@value #DEFAULT_DATABASE}
 * @param user     {@code VOTING_PG_USER}, default {@value #DEFAULT_USER} (the local machines trust it)
 * @param password {@code VOTING_PG_PASSWORD}, default empty
 */
public record PgSettings(String host, int port, String database, String user, String password) {
  /** Default host. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default port. */
  public static final int DEFAULT_PORT = 5432;
  /** Default database. */
  public static final String DEFAULT_DATABASE = "landslide";
  /** Default user. */
  public static final String DEFAULT_USER = "root";

  /** Validates. */
  public PgSettings {
    if (port <= 0 || port > 65535) throw new IllegalArgumentException("VOTING_PG_PORT out of range: " + port);
    if (host == null || host.isBlank()) throw new IllegalArgumentException("VOTING_PG_HOST is empty");
    if (database == null || database.isBlank()) throw new IllegalArgumentException("VOTING_PG_DATABASE is empty");
  }

  /**
   * @param env the environment
   * @return settings with defaults for what is not set
   */
  public static PgSettings fromEnv(Map<String, String> env) {
    Env e = Env.of(env);
    return new PgSettings(e.string("VOTING_PG_HOST", DEFAULT_HOST), e.intValue("VOTING_PG_PORT", DEFAULT_PORT),
      e.string("VOTING_PG_DATABASE", DEFAULT_DATABASE), e.string("VOTING_PG_USER", DEFAULT_USER), e.string("VOTING_PG_PASSWORD", ""));
  }

  /**
   * @param other another database name on the same server
   * @return these settings for that database
   */
  public PgSettings withDatabase(String other) {
    return new PgSettings(host, port, other, user, password);
  }

  /** @return the pgjdbc URL (credentials passed separately) */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }
}
