package io.landslide.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.edge.defence.PowConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The edge's configuration: one record per concern, and a bad value fails at start naming its variable. */
class EdgeConfigTest {

  @Test
  void shouldReadEveryPartWithItsDefaults() {
    EdgeConfig c = EdgeConfig.fromEnv(Map.of("VOTING_EDGE_INSTANCES", "3"));
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().instances()).isEqualTo(3);
    assertThat(c.live().frameBudget()).as("the default frame budget scales with the event loops").isEqualTo(30_000);
    assertThat(c.live().maxSpectators()).isEqualTo(30_000);
    assertThat(c.kafka().topic()).isEqualTo("votes.v1");
    assertThat(c.polls().votePartitions()).isEqualTo(4);
    assertThat(c.jwt().production()).isFalse();
    assertThat(c.defences().pow().difficulty()).isZero();
    assertThat(c.http().proxyProtocol()).as("the client is the TCP peer").isFalse();
    assertThat(c.http().trustedProxies().isEmpty()).isTrue();
  }

  @Test
  void shouldReadTheTrustedProxiesOfThePublicListener() {
    EdgeConfig c = EdgeConfig.fromEnv(Map.of("VOTING_HTTP_PROXY_PROTOCOL", "true", "VOTING_HTTP_TRUSTED_PROXIES", " 10.0.0.0/16, fd00::/8 ,"));
    assertThat(c.http().proxyProtocol()).isTrue();
    assertThat(c.http().trustedProxies().blocks()).containsExactly("10.0.0.0/16", "fd00::/8");
    assertThat(c.http().trustedProxies().contains("10.0.3.4")).isTrue();
    assertThat(c.http().trustedProxies().contains("10.1.0.1")).isFalse();
    assertThat(EdgeConfig.fromEnv(Map.of("VOTING_HTTP_PROXY_PROTOCOL", "FALSE")).http().proxyProtocol()).isFalse();
  }

  @Test
  void shouldRefuseTheProxyProtocolWithoutTrustedProxies() {
    for (Map<String, String> env : List.of(Map.of("VOTING_HTTP_PROXY_PROTOCOL", "true"),
      Map.of("VOTING_HTTP_PROXY_PROTOCOL", "true", "VOTING_HTTP_TRUSTED_PROXIES", " , "))) {
      assertThatThrownBy(() -> EdgeConfig.fromEnv(env)).as(env.toString()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("VOTING_HTTP_TRUSTED_PROXIES").hasMessageContaining("any client could claim any address");
    }
  }

  @Test
  void shouldNameTheBlockOfTrustedProxiesThatIsNotOne() {
    assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("VOTING_HTTP_PROXY_PROTOCOL", "true", "VOTING_HTTP_TRUSTED_PROXIES", "10.0.0.0/8,10.0.0.1/33")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_HTTP_TRUSTED_PROXIES").hasMessageContaining("10.0.0.1/33");
  }

  @ParameterizedTest(name = "{0}=abc fails naming {0}")
  @ValueSource(strings = {"VOTING_HTTP_PORT", "VOTING_EDGE_INSTANCES", "VOTING_RETRY_AFTER_SECONDS", "VOTING_KAFKA_DELIVERY_TIMEOUT_MS",
    "VOTING_LIVE_FRAME_BUDGET", "VOTING_MAX_SPECTATORS", "VOTING_LIVE_RESYNC_MS", "VOTING_VOTE_HASH_PARTITIONS", "VOTING_PG_POOL_SIZE",
    "VOTING_BITMAP_CHECK_MS", "VOTING_POW_DIFFICULTY", "VOTING_POW_TTL_SECONDS", "VOTING_RATE_WINDOW_MS", "VOTING_RATE_SYNC_MS",
    "VOTING_RATE_SYNC_AFTER", "VOTING_FLAG_THRESHOLD", "VOTING_ABUSE_ADDRESS_VOTES", "VOTING_POW_ABUSE_BONUS", "VOTING_TOKEN_TTL_SECONDS",
    "VOTING_KDF_MEMORY_KIB", "VOTING_KDF_ITERATIONS", "VOTING_KDF_THREADS", "VOTING_KDF_MAX_QUEUED", "VOTING_PG_PORT",
    "VOTING_BITMAP_CHUNK_BITS", "VOTING_REDIS_TIMEOUT_MS", "VOTING_RATE_USER", "VOTING_SHUTDOWN_DRAIN_SECONDS",
    "VOTING_HTTP_PROXY_PROTOCOL", "VOTING_HTTP_TRUSTED_PROXIES", "VOTING_RECONCILE_EVERY_MS", "VOTING_RECONCILE_GRACE_MS",
    "VOTING_RECONCILE_LIMIT", "VOTING_PG_WAIT_MS", "VOTING_PG_WAIT_QUEUE"})
  void shouldNameTheVariableOfAValueThatDoesNotParse(String variable) {
    assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of(variable, "abc"))).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining(variable);
  }

  @Test
  void shouldRefuseAReconciliationGraceShorterThanAProduceCanTake() {
    assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("VOTING_KAFKA_DELIVERY_TIMEOUT_MS", "30000", "VOTING_RECONCILE_GRACE_MS", "34999")))
      .hasMessageContaining("VOTING_RECONCILE_GRACE_MS").hasMessageContaining("35000");
    assertThat(EdgeConfig.fromEnv(Map.of("VOTING_KAFKA_DELIVERY_TIMEOUT_MS", "30000", "VOTING_RECONCILE_GRACE_MS", "35000"))
      .reconcile().graceMs()).isEqualTo(35_000);
  }

  @Test
  void shouldRefuseTheDevProofOfWorkSecretInProduction() {
    Map<String, String> prod = Map.of("VOTING_PROFILE", "production", "VOTING_JWT_SECRET", "x".repeat(40),
      "VOTING_JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----", "VOTING_POW_SECRET", PowConfig.DEV_SECRET,
      "VOTING_LOG_VERIFIER_KEY", PROD_LOG_KEY, "VOTING_RECEIPT_KEYS", PROD_RECEIPT_KEY, "VOTING_CLUSTER_KEY", PROD_CLUSTER_KEY,
      "VOTING_CLUSTER_NAME", "none"); // unclustered: a production cluster also needs the event bus's TLS (ClusterPlaneIT)
    assertThatThrownBy(() -> EdgeConfig.fromEnv(prod)).hasMessageContaining("VOTING_POW_SECRET");
  }

  @Test
  @DisplayName("HTTP/2 over cleartext is off unless VOTING_HTTP_H2C=true; anything but true or false is refused")
  void shouldKeepH2cOffUnlessConfigured() {
    assertThat(EdgeConfig.fromEnv(Map.of()).http().h2c()).isFalse();
    assertThat(EdgeConfig.fromEnv(Map.of("VOTING_HTTP_H2C", "true")).http().h2c()).isTrue();
    assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("VOTING_HTTP_H2C", "yes"))).hasMessageContaining("VOTING_HTTP_H2C");
  }

  @Test
  @DisplayName("A request with a body may outlast a vote's wait for Kafka: the body limit follows the delivery timeout, and a shorter one is refused")
  void shouldKeepTheBodyLimitAboveTheDeliveryTimeout() {
    assertThat(EdgeConfig.fromEnv(Map.of()).http().bodyTimeoutMs()).isEqualTo(20_000);
    assertThat(EdgeConfig.fromEnv(Map.of("VOTING_KAFKA_DELIVERY_TIMEOUT_MS", "30000", "VOTING_RECONCILE_GRACE_MS", "35000")).http().bodyTimeoutMs())
      .isEqualTo(35_000);
    assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("VOTING_HTTP_BODY_TIMEOUT_MS", "3000"))).hasMessageContaining("VOTING_HTTP_BODY_TIMEOUT_MS");
    assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("VOTING_HTTP_HEADER_TIMEOUT_MS", "10"))).hasMessageContaining("VOTING_HTTP_HEADER_TIMEOUT_MS");
  }

  private static final String PROD_LOG_KEY = "prod.example/votes+9bdeaf04+AaF9RFlEmrYB93Ne9glssF/cw4rNq/D0jrC6hxYBuhBO";
  private static final String PROD_RECEIPT_KEY = "MDEyMzQ1Njc4OWFiY2RlZg==";
  private static final String PROD_CLUSTER_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

  @Test
  @DisplayName("Production refuses the dev log key and the dev receipt key; a receipt key must be AES-sized base64")
  void shouldRefuseTheDevAuditKeysInProduction() {
    io.landslide.runtime.Env prod = io.landslide.runtime.Env.of(Map.of("VOTING_RECEIPT_KEYS", PROD_RECEIPT_KEY));
    assertThatThrownBy(() -> io.landslide.edge.audit.AuditConfig.fromEnv(prod, true)).hasMessageContaining("VOTING_LOG_VERIFIER_KEY");
    io.landslide.runtime.Env devReceipts = io.landslide.runtime.Env.of(Map.of("VOTING_LOG_VERIFIER_KEY", PROD_LOG_KEY));
    assertThatThrownBy(() -> io.landslide.edge.audit.AuditConfig.fromEnv(devReceipts, true)).hasMessageContaining("VOTING_RECEIPT_KEYS");
    io.landslide.runtime.Env both = io.landslide.runtime.Env.of(Map.of("VOTING_LOG_VERIFIER_KEY", PROD_LOG_KEY, "VOTING_RECEIPT_KEYS", PROD_RECEIPT_KEY));
    assertThat(io.landslide.edge.audit.AuditConfig.fromEnv(both, true).verifier().name()).isEqualTo("prod.example/votes");
    io.landslide.runtime.Env shortKey = io.landslide.runtime.Env.of(Map.of("VOTING_RECEIPT_KEYS", "c2hvcnQ="));
    assertThatThrownBy(() -> io.landslide.edge.audit.AuditConfig.fromEnv(shortKey, false)).hasMessageContaining("16 or 32 bytes");
    assertThat(io.landslide.edge.audit.AuditConfig.fromEnv(io.landslide.runtime.Env.of(Map.of()), false).verifier().text())
      .isEqualTo(io.landslide.codec.tlog.LogKeys.DEV_VERIFIER);
  }
}
