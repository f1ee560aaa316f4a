package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge's own TLS, and CORS for pages on other origins. */
class TlsAndCorsIT {
  private static final String SHOW = "https://show.example.com";

  @Test
  @DisplayName("With a certificate and key the edge serves HTTPS only, with HSTS")
  void shouldServeHttps(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost").redirectErrorStream(true).start();
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0).as("openssl made a certificate").isTrue();
    assertThat(Files.size(cert)).isPositive();
    try (EdgeFixture f = EdgeFixture.started(Map.of("VOTING_TLS_CERT", cert.toString(), "VOTING_TLS_KEY", key.toString()))) {
      WebClient https = WebClient.create(f.client, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setDefaultHost("localhost").setDefaultPort(f.config.http().port()));
      HttpResponse<Buffer> live = https.get("/health/live").send().await(30, TimeUnit.SECONDS);
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.getHeader("Strict-Transport-Security")).contains("max-age=");
      assertThatThrownBy(() -> f.call(HttpMethod.GET, "/health/live", null, null)).as("plain HTTP").isInstanceOf(IllegalStateException.class);
      https.close();
    }
  }

  @Test
  @DisplayName("An allowed origin gets CORS answers, on the router and on the vote path; another origin gets none")
  void shouldAllowConfiguredOriginsOnly() throws Exception {
    try (EdgeFixture f = EdgeFixture.started(Map.of("VOTING_CORS_ORIGINS", SHOW))) {
      int poll = f.openPoll();
      String votes = "/api/v1/polls/" + poll + "/votes";
      HttpResponse<Buffer> preflight = f.http.request(HttpMethod.OPTIONS, votes).putHeader("Origin", SHOW)
        .putHeader("Access-Control-Request-Method", "POST").putHeader("Access-Control-Request-Headers", "authorization,content-type")
        .send().await(30, TimeUnit.SECONDS);
      assertThat(preflight.statusCode()).isBetween(200, 204);
      assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo(SHOW);
      assertThat(preflight.getHeader("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");

      HttpResponse<Buffer> vote = f.http.post(votes).putHeader("Origin", SHOW).putHeader("Authorization", "Bearer " + TOKENS.voter(13_000_001))
        .sendBuffer(Buffer.buffer("{\"option\": 0}")).await(30, TimeUnit.SECONDS);
      assertThat(vote.statusCode()).isEqualTo(202);
      assertThat(vote.getHeader("Access-Control-Allow-Origin")).isEqualTo(SHOW);

      HttpResponse<Buffer> results = f.http.get("/api/v1/polls/" + poll + "/results").putHeader("Origin", "https://evil.example")
        .send().await(30, TimeUnit.SECONDS);
      assertThat(results.getHeader("Access-Control-Allow-Origin")).isNull();
      HttpResponse<Buffer> evilVote = f.http.post(votes).putHeader("Origin", "https://evil.example")
        .putHeader("Authorization", "Bearer " + TOKENS.voter(13_000_002)).sendBuffer(Buffer.buffer("{\"option\": 0}")).await(30, TimeUnit.SECONDS);
      assertThat(evilVote.getHeader("Access-Control-Allow-Origin")).as("the browser will not show it the answer").isNull();
    }
  }
}
