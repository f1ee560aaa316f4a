package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.Ports;
import io.landslide.infra.DevTokens;
import io.landslide.infra.LocalKafka;
import io.landslide.infra.LocalTls;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole vote path over TLS to Kafka, configured the way production is (no code: client properties passed
 * through {@code VOTING_KAFKA_CLIENT_*}): the edge's producer and admin client and the writer's consumer and admin
 * client speak only to the broker's TLS listener, with hostname verification on.
 */
class KafkaTlsIT {

  @Test
  @DisplayName("Edge and writer on Kafka's TLS listener: every 202 is counted, readiness is UP, a forbidden override is refused")
  void shouldRunTheVotePathOverTls(@TempDir Path dir) throws Exception {
    LocalTls tls = LocalTls.create(dir.resolve("tls"));
    LocalKafka kafka = LocalKafka.startTls(dir.resolve("kafka"), tls);
    Map<String, String> env = new HashMap<>();
    env.put("VOTING_KAFKA_BOOTSTRAP", kafka.tlsBootstrap());
    tls.clientProperties().forEach((k, v) -> env.put("VOTING_KAFKA_CLIENT_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
    try (StackFixture f = new StackFixture(env, kafka.bootstrap())) {
      assertThat(f.get("/health/ready", null).body()).contains("\"kafka\":\"UP\"");
      int poll = f.createPoll("Over TLS", 3);
      int n = 200;
      for (int u = 1; u <= n; u++) {
        HttpResponse<String> r = f.post("/api/v1/polls/" + poll + "/votes", DevTokens.dev().voter(u), "{\"option\":" + (u % 3) + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      }
      StackFixture.await("votes counted through the TLS consumer", () -> f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll), n, 60);
      assertThat(f.query("SELECT coalesce(sum(count), 0) FROM tallies WHERE poll_id = " + poll)).isEqualTo(n);
      assertThat(f.get("/api/v1/polls/" + poll + "/votes/me", DevTokens.dev().voter(7)).body()).contains("\"status\":\"counted\"");

      // A property Landslide sets itself cannot be passed: an edge asked for acks=1 refuses to start.
      Map<String, String> weaker = new HashMap<>(env);
      weaker.put("VOTING_KAFKA_CLIENT_ACKS", "1");
      int port = Ports.free();
      ProcessHandle refused = f.stack.startEdge("edge-acks", port, weaker);
      StackFixture.await("the edge with acks=1 exits", () -> refused.isAlive() ? 1 : 0, 0, 60);
      assertThat(f.log("edge-acks")).contains("VOTING_KAFKA_CLIENT_ACKS");
    } finally {
      kafka.stop();
    }
  }
}
