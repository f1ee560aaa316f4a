package io.landslide.edge;

import io.landslide.infra.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** With {@code VOTING_OPS_PORT}, health and metrics live on their own listener only: the public one answers 404. */
class OpsPortIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("VOTING_OPS_PORT: /health/* and /metrics on the operations port, 404 on the public one; votes unaffected")
  void shouldServeHealthAndMetricsOnTheOperationsPortOnly() throws Exception {
    int opsPort = Ports.free();
    try (EdgeFixture f = EdgeFixture.started(Map.of("VOTING_OPS_PORT", String.valueOf(opsPort)))) {
      for (String path : new String[] {"/health/ready", "/health/live", "/metrics", "/api/v1/metrics"}) {
        HttpResponse<String> pub = get(f.config.http().port(), path);
        assertThat(pub.statusCode()).as("public " + path).isEqualTo(404);
        assertThat(pub.body()).contains("\"error\":\"not_found\"");
      }
      assertThat(get(opsPort, "/health/ready").statusCode()).isEqualTo(200);
      assertThat(get(opsPort, "/health/live").statusCode()).isEqualTo(200);
      assertThat(get(opsPort, "/metrics").body()).contains("landslide_dependency_up");
      int poll = f.openPoll();
      assertThat(f.vote(poll, EdgeFixture.TOKENS.voter(41), "{\"option\":0}").statusCode()).isEqualTo(202);
      assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + poll, null, null).statusCode()).isEqualTo(200);
    }
  }
}
