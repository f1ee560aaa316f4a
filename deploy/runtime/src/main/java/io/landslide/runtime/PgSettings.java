package io.landslide.runtime;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Where PostgreSQL is and how to reach it, read the same way by every process (12-factor environment
 * variables). Every client is built from these settings: pgjdbc (writer, schema migrations) through
 * {@link #jdbcUrl()} and {@link #jdbcProperties()}, vertx-pg-client (edge) through {@link #sslMode()} and
 * {@link #vertxSslOptions()}, so both speak TLS, or not, alike.
 *
 * <p>TLS: the default {@link SslMode#DISABLE} keeps local stacks and tests on plain connections to the trusted
 * local server. <b>Production sets {@code VOTING_PG_SSLMODE=verify-full}</b> with {@code VOTING_PG_SSLROOTCERT}
 * pointing at the CA bundle of the server (for Aurora/RDS, Amazon's global bundle), see
 * {@code deploy/k8s/config.yaml}: the connection is encrypted and the server must show a certificate from
 * that CA for the host name it was reached by.
 *
 * @param host        {@code VOTING_PG_HOST}, default {@value #DEFAULT_HOST}
 * @param port        {@code VOTING_PG_PORT}, default {@value #DEFAULT_PORT}
 * @param database    {@code VOTING_PG_DATABASE}, default {@value #DEFAULT_DATABASE}
 * @param user        {@code VOTING_PG_USER}, default {@value #DEFAULT_USER} (the local machines trust it)
 * @param password    {@code VOTING_PG_PASSWORD}, default empty
 * @param sslMode     {@code VOTING_PG_SSLMODE}: one of {@code disable | allow | prefer | require | verify-ca |
 *                    verify-full} (libpq's words), default {@code disable}; production uses {@code verify-full}
 * @param sslRootCert {@code VOTING_PG_SSLROOTCERT}: path of a PEM file of the CA certificate(s) trusted for the
 *                    server (a bundle may hold many); required by {@code verify-ca} and {@code verify-full},
 *                    ignored by the other modes; default empty
 */
public record PgSettings(String host, int port, String database, String user, String password, SslMode sslMode,
                         String sslRootCert) {
  /** Default host. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default port. */
  public static final int DEFAULT_PORT = 5432;
  /** Default database. */
  public static final String DEFAULT_DATABASE = "landslide";
  /** Default user. */
  public static final String DEFAULT_USER = "root";
  /** Default TLS mode: plain connections, as a local server expects. Production sets {@code verify-full}. */
  public static final SslMode DEFAULT_SSL_MODE = SslMode.DISABLE;

  /**
   * How a client uses TLS towards PostgreSQL: libpq's {@code sslmode} values, which pgjdbc and vertx-pg-client
   * both take. Only the two verifying modes authenticate the server; {@code allow}, {@code prefer} and
   * {@code require} encrypt (or may) but accept any certificate, as pgjdbc does, so they protect against
   * passive listening only.
   */
  public enum SslMode {
    /** Plain connections only. */
    DISABLE("disable"),
    /** Plain first, TLS (unverified) if the server insists. */
    ALLOW("allow"),
    /** TLS (unverified) first, plain if the server has no TLS. */
    PREFER("prefer"),
    /** TLS only, any server certificate accepted. */
    REQUIRE("require"),
    /** TLS only, the server certificate must chain to {@code VOTING_PG_SSLROOTCERT}; its host name is not checked. */
    VERIFY_CA("verify-ca"),
    /** TLS only, certificate chained to {@code VOTING_PG_SSLROOTCERT} and issued for the host connected to. */
    VERIFY_FULL("verify-full");

    private final String value;

    SslMode(String value) {
      this.value = value;
    }

    /** @return libpq's word for this mode, as pgjdbc's {@code sslmode} and {@code io.vertx.pgclient.SslMode.of} take it */
    public String value() {
      return value;
    }

    /** @return whether this mode checks the server certificate against the root certificate */
    public boolean verifiesServer() {
      return this == VERIFY_CA || this == VERIFY_FULL;
    }

    /**
     * @param value a mode as written in {@code VOTING_PG_SSLMODE} (case and surrounding blanks ignored)
     * @return that mode
     * @throws IllegalArgumentException naming {@code VOTING_PG_SSLMODE} and the accepted values
     */
    public static SslMode of(String value) {
      String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
      for (SslMode m : values()) {
        if (m.value.equals(v)) return m;
      }
      throw new IllegalArgumentException("VOTING_PG_SSLMODE must be one of "
        + Arrays.stream(values()).map(SslMode::value).collect(Collectors.joining(", ")) + ", not '" + value + "'");
    }
  }

  /** Validates; a missing {@code sslMode} means {@link #DEFAULT_SSL_MODE}, a missing root certificate none. */
  public PgSettings {
    if (port <= 0 || port > 65535) throw new IllegalArgumentException("VOTING_PG_PORT out of range: " + port);
    if (host == null || host.isBlank()) throw new IllegalArgumentException("VOTING_PG_HOST is empty");
    if (database == null || database.isBlank()) throw new IllegalArgumentException("VOTING_PG_DATABASE is empty");
    if (sslMode == null) sslMode = DEFAULT_SSL_MODE;
    sslRootCert = sslRootCert == null ? "" : sslRootCert.trim();
    if (sslMode.verifiesServer() && sslRootCert.isEmpty()) {
      throw new IllegalArgumentException("VOTING_PG_SSLROOTCERT must name the PEM file of the server's CA when VOTING_PG_SSLMODE="
        + sslMode.value());
    }
    // Checked now, so a wrong mount fails the start with the variable's name, not the first connection with a TLS error.
    if (sslMode.verifiesServer() && !Files.isReadable(Path.of(sslRootCert))) {
      throw new IllegalArgumentException("VOTING_PG_SSLROOTCERT: no readable file at " + sslRootCert);
    }
  }

  /**
   * Settings without TLS ({@link SslMode#DISABLE}), as before TLS could be configured.
   *
   * @param host     the host
   * @param port     the port
   * @param database the database
   * @param user     the user
   * @param password the password, empty for none
   */
  public PgSettings(String host, int port, String database, String user, String password) {
    this(host, port, database, user, password, DEFAULT_SSL_MODE, "");
  }

  /**
   * @param env the environment
   * @return settings with defaults for what is not set
   * @throws IllegalArgumentException naming the variable when a value is invalid
   */
  public static PgSettings fromEnv(Map<String, String> env) {
    Env e = Env.of(env);
    String mode = e.optional("VOTING_PG_SSLMODE");
    return new PgSettings(e.string("VOTING_PG_HOST", DEFAULT_HOST), e.intValue("VOTING_PG_PORT", DEFAULT_PORT),
      e.string("VOTING_PG_DATABASE", DEFAULT_DATABASE), e.string("VOTING_PG_USER", DEFAULT_USER), e.string("VOTING_PG_PASSWORD", ""),
      mode == null || mode.isBlank() ? DEFAULT_SSL_MODE : SslMode.of(mode), e.string("VOTING_PG_SSLROOTCERT", ""));
  }

  /**
   * @param other another database name on the same server
   * @return these settings (TLS included) for that database
   */
  public PgSettings withDatabase(String other) {
    return new PgSettings(host, port, other, user, password, sslMode, sslRootCert);
  }

  /**
   * @param mode    another TLS mode
   * @param rootCert the PEM file of the trusted CA(s), empty for none
   * @return these settings with that TLS mode and root certificate
   */
  public PgSettings withSsl(SslMode mode, String rootCert) {
    return new PgSettings(host, port, database, user, password, mode, rootCert);
  }

  /** @return the pgjdbc URL (credentials and TLS passed separately, in {@link #jdbcProperties()}) */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /**
   * The pgjdbc connection properties every JDBC connection uses with {@link #jdbcUrl()}: {@code user},
   * {@code password} (when set), {@code sslmode} (always, so pgjdbc's own default {@code prefer} never applies)
   * and, for the verifying modes, {@code sslrootcert}. pgjdbc's default {@code sslfactory} (LibPQFactory) reads
   * the PEM bundle and, under {@code verify-full}, checks the host name. Callers add their own (e.g.
   * {@code ApplicationName}) to the returned copy.
   *
   * @return a new, mutable property set
   */
  public Properties jdbcProperties() {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (!password.isEmpty()) p.setProperty("password", password);
    p.setProperty("sslmode", sslMode.value());
    if (sslMode.verifiesServer()) p.setProperty("sslrootcert", sslRootCert);
    return p;
  }

  /**
   * The TLS options of a vertx-pg-client connection, to pass as
   * {@code PgConnectOptions.setSslMode(io.vertx.pgclient.SslMode.of(sslMode().value())).setSslOptions(vertxSslOptions())}
   * (this module does not depend on vertx-pg-client; these are vertx-core types):
   * <ul>
   *   <li>{@code verify-full}: trust only the PEM certificate(s) of {@code VOTING_PG_SSLROOTCERT}, host name
   *       verification {@code HTTPS} (the certificate must name the host connected to);</li>
   *   <li>{@code verify-ca}: the same trust, no host name verification ({@code ""});</li>
   *   <li>{@code allow}, {@code prefer}, {@code require}: trust all, as pgjdbc does in these modes;</li>
   *   <li>{@code disable}: default options, never used.</li>
   * </ul>
   *
   * @return new options
   */
  public ClientSSLOptions vertxSslOptions() {
    ClientSSLOptions o = new ClientSSLOptions();
    return switch (sslMode) {
      case DISABLE -> o;
      case ALLOW, PREFER, REQUIRE -> o.setTrustAll(true).setHostnameVerificationAlgorithm("");
      case VERIFY_CA -> o.setTrustOptions(new PemTrustOptions().addCertPath(sslRootCert)).setHostnameVerificationAlgorithm("");
      case VERIFY_FULL -> o.setTrustOptions(new PemTrustOptions().addCertPath(sslRootCert)).setHostnameVerificationAlgorithm("HTTPS");
    };
  }

  /** @return these settings for logs: everything but the password */
  @Override
  public String toString() {
    return "PgSettings[" + jdbcUrl() + ", user=" + user + (password.isEmpty() ? "" : ", password=***") + ", sslmode=" + sslMode.value()
      + (sslRootCert.isEmpty() ? "" : ", sslrootcert=" + sslRootCert) + "]";
  }
}
