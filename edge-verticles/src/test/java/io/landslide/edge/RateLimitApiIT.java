package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rate limits on the real stack (Redis shared by the edges); every 429 also proves nothing was recorded. */
class RateLimitApiIT {
  private record Answer(int status, String retryAfter, String body) {
  }

  private static EdgeFixture edge(Map<String, String> rates) {
    return EdgeFixture.started(rates);
  }

  @Test
  @DisplayName("A flood from one address is cut to its limit, with Retry-After, while users elsewhere keep voting")
  void shouldCutAFloodFromOneAddress() throws Exception {
    int burst = 30;
    try (EdgeFixture f = edge(Map.of("VOTING_RATE_IP", "1/" + burst, "VOTING_RATE_WINDOW_MS", "60000"))) {
      int flooded = f.openPoll();
      int calm = f.openPoll();
      // The flood comes from 127.0.0.2 (all of 127/8 is this machine), everyone else from 127.0.0.1.
      HttpClient bot = f.client.createHttpClient(new HttpClientOptions().setLocalAddress("127.0.0.2"), new PoolOptions().setHttp1MaxSize(16));
      List<Future<Answer>> flood = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String token = TOKENS.voter(8_100_000 + i);
        flood.add(bot.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(f.config.http().port())
            .setURI("/api/v1/polls/" + flooded + "/votes").putHeader("Authorization", "Bearer " + token))
          .compose(req -> req.send(Buffer.buffer("{\"option\": 0}")))
          // The body is read in the same step as the head: a handler set later could miss it.
          .compose(res -> res.body().map(b -> new Answer(res.statusCode(), res.getHeader("Retry-After"), b.toString()))));
      }
      for (int i = 0; i < 20; i++) {
        assertThat(f.vote(calm, TOKENS.voter(8_200_000 + i), "{\"option\": 1}").statusCode()).as("a user elsewhere").isEqualTo(202);
      }
      Future.join(flood).await(60, TimeUnit.SECONDS);
      long accepted = flood.stream().filter(r -> r.result().status() == 202).count();
      assertThat(accepted).as("the burst, plus a token a second while it lasted").isBetween((long) burst, burst + 5L);
      assertThat(flood).filteredOn(r -> r.result().status() != 202).allSatisfy(r -> {
        assertThat(r.result().status()).isEqualTo(429);
        assertThat(r.result().retryAfter()).isNotBlank();
        assertThat(new io.vertx.core.json.JsonObject(r.result().body()).getString("error")).isEqualTo("rate_limited");
      });
      assertThat(f.recorded(flooded)).as("only the accepted votes reached Kafka").hasSize((int) accepted);
      assertThat(f.recorded(calm)).hasSize(20);
      bot.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("A user's limit holds across two edges: spent on one, refused on the other")
  void shouldHoldAcrossEdges() throws Exception {
    long window = 60_000;
    Map<String, String> rates = Map.of("VOTING_RATE_USER", "0.01/5", "VOTING_RATE_WINDOW_MS", String.valueOf(window));
    // Both edges must count in the same window: do not start in its last 5 s.
    while (System.currentTimeMillis() % window > window - 5_000) Thread.sleep(50);
    try (EdgeFixture a = edge(rates); EdgeFixture b = edge(rates)) {
      int poll = a.openPoll();
      long user = 9_000_000 + ThreadLocalRandom.current().nextInt(1_000_000);
      String path = "/api/v1/polls/" + poll + "/challenge";
      for (int i = 0; i < 5; i++) assertThat(a.call(HttpMethod.GET, path, TOKENS.voter(user), null).statusCode()).isEqualTo(200);
      assertThat(a.call(HttpMethod.GET, path, TOKENS.voter(user), null).statusCode()).isEqualTo(429);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!b.call(HttpMethod.GET, "/metrics", null, null).bodyAsString().contains("landslide_ratelimit_blocked{limit=\"user\"} 1.0")
        && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      HttpResponse<Buffer> refused = b.call(HttpMethod.GET, path, TOKENS.voter(user), null);
      assertThat(refused.statusCode()).as("edge B never saw this user, but knows").isEqualTo(429);
      assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("rate_limited");
      assertThat(refused.getHeader("Retry-After")).isNotBlank();
      assertThat(b.vote(poll, TOKENS.voter(user), "{\"option\": 0}").statusCode()).as("votes too").isEqualTo(429);
      assertThat(b.bitSet(poll, user)).isFalse();
      assertThat(b.call(HttpMethod.GET, path, TOKENS.voter(user + 1), null).statusCode()).as("another user").isEqualTo(200);
    }
  }
}
