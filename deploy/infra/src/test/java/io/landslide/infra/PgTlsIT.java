package io.landslide.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.runtime.PgSettings;
import io.landslide.runtime.PgSettings.SslMode;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both PostgreSQL clients over TLS from the same {@link PgSettings}, against a real server that accepts TLS only
 * ({@link TlsPostgres}): pgjdbc as {@link Schema} (and the writer) use it, vertx-pg-client as the edge's pool does.
 */
class PgTlsIT {
  @RegisterExtension
  static final TlsPostgres PG = new TlsPostgres();
  private static final String PROBE = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    if (vertx != null) vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("Schema creates and migrates a database over verify-full; its connections use TLS")
  void shouldMigrateOverVerifyFull() throws Exception {
    PgSettings pg = PG.settings("localhost", "landslide_tls", SslMode.VERIFY_FULL, PG.ca());
    Schema.ensureDatabase(pg);
    assertThat(Schema.migrate(pg)).as("every migration applied through Flyway's TLS connection").isNotEmpty();
    assertThat(Schema.migrate(pg)).as("up to date").isEmpty();
    assertThat(jdbcSsl(pg)).isTrue();
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Schema.HISTORY_TABLE)) {
      rs.next();
      assertThat(rs.getInt(1)).isPositive();
    }
  }

  @Test
  @DisplayName("A JDBC connection with sslmode=disable is refused by the TLS-only server")
  void shouldRefuseJdbcWithoutTls() {
    PgSettings plain = PG.settings("localhost", "postgres", SslMode.DISABLE, null);
    assertThatThrownBy(() -> Schema.connect(plain)).isInstanceOf(SQLException.class)
      .hasMessageContaining("no encryption")
      .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as("invalid authorization").isEqualTo("28000"));
  }

  @Test
  @DisplayName("JDBC verify-full fails with a CA that did not sign the server's certificate, and for a host it does not name")
  void shouldRefuseJdbcWhenTheServerCannotBeVerified() throws Exception {
    assertThatThrownBy(() -> Schema.connect(PG.settings("localhost", "postgres", SslMode.VERIFY_FULL, PG.otherCa())))
      .isInstanceOf(SQLException.class).satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SSLException.class));
    // The certificate names DNS:localhost only: reached as 127.0.0.1, the chain is good but the host name is not.
    assertThatThrownBy(() -> Schema.connect(PG.settings("127.0.0.1", "postgres", SslMode.VERIFY_FULL, PG.ca())))
      .isInstanceOf(SQLException.class).hasMessageContaining("127.0.0.1");
    assertThat(jdbcSsl(PG.settings("127.0.0.1", "postgres", SslMode.VERIFY_CA, PG.ca()))).as("verify-ca checks no host name").isTrue();
    assertThat(jdbcSsl(PG.settings("localhost", "postgres", SslMode.REQUIRE, null))).as("require: encrypted, unverified").isTrue();
  }

  @Test
  @DisplayName("The vertx-pg-client pool connects over verify-full and its session uses TLS")
  void shouldConnectThePoolOverVerifyFull() throws Exception {
    assertThat(poolSsl(PG.settings("localhost", "postgres", SslMode.VERIFY_FULL, PG.ca()))).isTrue();
  }

  @Test
  @DisplayName("The pool maps every mode as pgjdbc does: refused in plain, unverifiable servers refused, verify-ca and require accepted")
  void shouldMapEveryModeToThePoolAsToJdbc() throws Exception {
    assertThatThrownBy(() -> poolSsl(PG.settings("localhost", "postgres", SslMode.DISABLE, null))).hasMessageContaining("no encryption");
    assertThatThrownBy(() -> poolSsl(PG.settings("localhost", "postgres", SslMode.VERIFY_FULL, PG.otherCa())))
      .satisfies(PgTlsIT::isHandshakeFailure);
    assertThatThrownBy(() -> poolSsl(PG.settings("127.0.0.1", "postgres", SslMode.VERIFY_FULL, PG.ca())))
      .as("host name verification (HTTPS)").satisfies(PgTlsIT::isHandshakeFailure);
    assertThat(poolSsl(PG.settings("127.0.0.1", "postgres", SslMode.VERIFY_CA, PG.ca()))).as("verify-ca checks no host name").isTrue();
    assertThat(poolSsl(PG.settings("localhost", "postgres", SslMode.REQUIRE, null))).as("require: encrypted, unverified").isTrue();
  }

  private static boolean jdbcSsl(PgSettings pg) throws SQLException {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(PROBE)) {
      assertThat(rs.next()).isTrue();
      return rs.getBoolean(1);
    }
  }

  /** @return whether the pool's session uses TLS; throws what the connection failed with */
  private static boolean poolSsl(PgSettings pg) throws Exception {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(connectOptions(pg)).using(vertx).build();
    try {
      return pool.query(PROBE).execute().map(rows -> rows.iterator().next().getBoolean(0)).await(10, TimeUnit.SECONDS);
    } finally {
      pool.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** The edge's mapping (EdgeMain): vertx-pg-client takes the mode by libpq's word and the vertx-core TLS options as they are. */
  private static PgConnectOptions connectOptions(PgSettings pg) {
    return new PgConnectOptions().setHost(pg.host()).setPort(pg.port()).setDatabase(pg.database()).setUser(pg.user())
      .setSslMode(io.vertx.pgclient.SslMode.of(pg.sslMode().value())).setSslOptions(pg.vertxSslOptions());
  }

  /**
   * vertx-pg-client 5.0.8 reports the handshake's own SSLException only when it sees it before the connection closes;
   * otherwise it fails with a VertxException "SSL handshake failed" and no cause (InitiateSslHandler.channelInactive).
   */
  private static void isHandshakeFailure(Throwable e) {
    assertThat(causes(e)).anySatisfy(t -> assertThat(t instanceof SSLException || "SSL handshake failed".equals(t.getMessage()))
      .as("a TLS handshake failure: %s", t).isTrue());
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> all = new ArrayList<>();
    for (Throwable t = e; t != null && !all.contains(t); t = t.getCause()) all.add(t);
    return all;
  }
}
