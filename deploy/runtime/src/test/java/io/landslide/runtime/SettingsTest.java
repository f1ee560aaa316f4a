package io.landslide.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  void shouldReadPgSettingsWithDefaultsAndValidate() {
    PgSettings d = PgSettings.fromEnv(Map.of());
    assertThat(d.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/landslide");
    assertThat(PgSettings.fromEnv(Map.of("VOTING_PG_DATABASE", "x", "VOTING_PG_PORT", "6543")).jdbcUrl())
      .isEqualTo("jdbc:postgresql://127.0.0.1:6543/x");
    assertThatThrownBy(() -> PgSettings.fromEnv(Map.of("VOTING_PG_PORT", "0"))).hasMessageContaining("VOTING_PG_PORT");
  }

  @Test
  void shouldDefaultToPlainConnectionsAndTellBothClientsSo() {
    PgSettings d = PgSettings.fromEnv(Map.of());
    assertThat(d.sslMode()).isEqualTo(PgSettings.SslMode.DISABLE);
    assertThat(d.jdbcProperties()).containsOnly(Map.entry("user", "root"), Map.entry("sslmode", "disable"));
    assertThat(new PgSettings("h", 5432, "d", "u", "")).as("the constructor of before TLS")
      .isEqualTo(new PgSettings("h", 5432, "d", "u", "", PgSettings.SslMode.DISABLE, ""))
      .isEqualTo(new PgSettings("h", 5432, "d", "u", "", null, null));
    assertThat(PgSettings.fromEnv(Map.of("VOTING_PG_PASSWORD", "s3cret")).toString()).doesNotContain("s3cret");
  }

  @Test
  void shouldReadVerifyFullWithItsRootCertificateForJdbcAndVertx(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path ca = java.nio.file.Files.writeString(dir.resolve("global-bundle.pem"), "not parsed here\n");
    PgSettings pg = PgSettings.fromEnv(Map.of("VOTING_PG_SSLMODE", "verify-full", "VOTING_PG_SSLROOTCERT", ca.toString(),
      "VOTING_PG_PASSWORD", "pw"));
    assertThat(pg.jdbcProperties()).containsOnly(Map.entry("user", "root"), Map.entry("password", "pw"),
      Map.entry("sslmode", "verify-full"), Map.entry("sslrootcert", ca.toString()));
    assertThat(pg.withDatabase("other").sslMode()).as("kept for another database").isEqualTo(PgSettings.SslMode.VERIFY_FULL);
    io.vertx.core.net.ClientSSLOptions full = pg.vertxSslOptions();
    assertThat(full.getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(full.isTrustAll()).isFalse();
    assertThat(((io.vertx.core.net.PemTrustOptions) full.getTrustOptions()).getCertPaths()).containsExactly(ca.toString());

    io.vertx.core.net.ClientSSLOptions ca0 = pg.withSsl(PgSettings.SslMode.VERIFY_CA, ca.toString()).vertxSslOptions();
    assertThat(ca0.getHostnameVerificationAlgorithm()).as("verify-ca checks no host name").isEmpty();
    assertThat(ca0.getTrustOptions()).isNotNull();

    PgSettings require = PgSettings.fromEnv(Map.of("VOTING_PG_SSLMODE", " REQUIRE ", "VOTING_PG_SSLROOTCERT", ca.toString()));
    assertThat(require.sslMode()).isEqualTo(PgSettings.SslMode.REQUIRE);
    assertThat(require.jdbcProperties()).doesNotContainKey("sslrootcert").containsEntry("sslmode", "require");
    assertThat(require.vertxSslOptions().isTrustAll()).as("require encrypts without verifying, as in pgjdbc").isTrue();
  }

  @Test
  void shouldRefuseABadSslModeOrAMissingRootCertificateNamingTheVariable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    assertThatThrownBy(() -> PgSettings.fromEnv(Map.of("VOTING_PG_SSLMODE", "verify_full"))).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("VOTING_PG_SSLMODE").hasMessageContaining("verify_full").hasMessageContaining("verify-full");
    assertThatThrownBy(() -> PgSettings.fromEnv(Map.of("VOTING_PG_SSLMODE", "verify-ca"))).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("VOTING_PG_SSLROOTCERT");
    String missing = dir.resolve("none.pem").toString();
    assertThatThrownBy(() -> PgSettings.fromEnv(Map.of("VOTING_PG_SSLMODE", "verify-full", "VOTING_PG_SSLROOTCERT", missing)))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_PG_SSLROOTCERT").hasMessageContaining(missing);
    assertThat(PgSettings.fromEnv(Map.of("VOTING_PG_SSLMODE", "disable", "VOTING_PG_SSLROOTCERT", missing)).sslMode())
      .as("the root certificate matters only to the verifying modes").isEqualTo(PgSettings.SslMode.DISABLE);
  }

  @Test
  void shouldNameTheVariableOfAValueThatIsNotANumber() {
    assertThatThrownBy(() -> PgSettings.fromEnv(Map.of("VOTING_PG_PORT", "five"))).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("VOTING_PG_PORT").hasMessageContaining("five");
    assertThatThrownBy(() -> Env.of(Map.of("X_MS", "12.5")).longValue("X_MS", 1)).hasMessageContaining("X_MS");
    assertThat(Env.of(Map.of("X", " 7 ")).intValue("X", 1)).isEqualTo(7);
    assertThat(Env.of(Map.of()).intValue("X", 3)).isEqualTo(3);
  }

  @Test
  void shouldReadListsAndClusterSettings() {
    assertThat(Env.of(Map.of("L", " a, b ,,c ")).list("L")).containsExactly("a", "b", "c");
    assertThat(Env.of(Map.of()).list("L")).isEmpty();
    ClusterSettings c = ClusterSettings.fromEnv(Map.of("VOTING_CLUSTER_MEMBERS", "10.0.0.1, 10.0.0.2"));
    assertThat(c.members()).isEqualTo(List.of("10.0.0.1", "10.0.0.2"));
    assertThat(ClusterSettings.fromEnv(Map.of("VOTING_CLUSTER_NAME", "none")).enabled()).isFalse();
  }

  @Test
  void shouldPassKafkaClientPropertiesFromTheEnvironmentAndAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("kafka.properties");
    java.nio.file.Files.writeString(file, "sasl.mechanism=SCRAM-SHA-512\nsecurity.protocol=SASL_PLAINTEXT\n");
    Map<String, String> passed = KafkaClientProperties.fromEnv(Map.of(KafkaClientProperties.FILE, file.toString(),
      "VOTING_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL", "VOTING_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION", "/etc/ts.p12",
      "VOTING_KAFKA_BOOTSTRAP", "b:9094"));
    assertThat(passed).containsOnly(Map.entry("sasl.mechanism", "SCRAM-SHA-512"), Map.entry("security.protocol", "SASL_SSL"),
      Map.entry("ssl.truststore.location", "/etc/ts.p12"));
    assertThat(KafkaClientProperties.merge(passed, Map.of("acks", "all"))).containsEntry("acks", "all").containsEntry("security.protocol", "SASL_SSL");
    assertThatThrownBy(() -> KafkaClientProperties.merge(Map.of("acks", "1"), Map.of("acks", "all")))
      .hasMessageContaining("VOTING_KAFKA_CLIENT_ACKS");
    assertThatThrownBy(() -> KafkaClientProperties.fromEnv(Map.of(KafkaClientProperties.FILE, dir.resolve("none").toString())))
      .hasMessageContaining(KafkaClientProperties.FILE);
  }
}
