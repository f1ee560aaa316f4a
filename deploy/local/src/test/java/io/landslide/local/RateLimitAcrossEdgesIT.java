package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.Ports;
import io.landslide.infra.DevTokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A user's rate limit across two edge processes that share nothing but Redis. */
class RateLimitAcrossEdgesIT {
  private static final long WINDOW_MS = 60_000;
  // Five requests a window per user (0.01 a second refills nothing in a test), on every edge of the stack.
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of("VOTING_RATE_USER", "0.01/5", "VOTING_RATE_WINDOW_MS", String.valueOf(WINDOW_MS)));
  private static int edge2;

  @BeforeAll
  static void start() throws Exception {
    edge2 = Ports.free();
    f.stack.startEdge("edge-2", edge2);
    f.stack.awaitReady("edge-2", "http://localhost:" + edge2 + "/health/ready");
  }

  private static HttpResponse<String> get(int port, String path, String token) throws Exception {
    return StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Authorization", "Bearer " + token)
      .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("A user's allowance spent on edge 1 is refused on edge 2, which never saw the user; other users pass")
  void shouldHoldAcrossEdgeProcesses() throws Exception {
    int poll = f.createPoll("Limits", 2);
    // Both edges must count in the same window: do not start in its last 5 s.
    while (System.currentTimeMillis() % WINDOW_MS > WINDOW_MS - 5_000) Thread.sleep(50);
    long user = 20_000_000 + ThreadLocalRandom.current().nextInt(1_000_000);
    String token = DevTokens.dev().voter(user);
    String challenge = "/api/v1/polls/" + poll + "/challenge";
    int edge1 = f.stack.settings().edgePort();
    for (int i = 0; i < 5; i++) assertThat(get(edge1, challenge, token).statusCode()).isEqualTo(200);
    assertThat(get(edge1, challenge, token).statusCode()).isEqualTo(429);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + edge2 + "/metrics")).build(),
      HttpResponse.BodyHandlers.ofString()).body().contains("landslide_ratelimit_blocked{limit=\"user\"} 1.0") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    HttpResponse<String> refused = get(edge2, challenge, token);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body()).contains("\"error\":\"rate_limited\"");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(get(edge2, challenge, DevTokens.dev().voter(user + 1)).statusCode()).as("another user").isEqualTo(200);
  }
}
