package io.landslide.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.TallySeal;
import io.landslide.codec.TallyUpdate;
import io.landslide.codec.TallyUpdateDescriptor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WebSocket and SSE spectators on the real stack; the tallies change in PostgreSQL as a writer's commits would change them. */
class LiveResultsIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();

  private static void commit(String sql) throws Exception {
    EdgeFixture.commit(sql);
  }

  private static void awaitTotal(List<JsonObject> frames, long total) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while ((frames.isEmpty() || frames.get(frames.size() - 1).getLong("total") != total) && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(frames).as("frames").isNotEmpty();
    assertThat(frames.get(frames.size() - 1).getLong("total")).isEqualTo(total);
  }

  @Test
  @DisplayName("A WebSocket and an SSE spectator get the current results first, then every change; frames never go back")
  void shouldStreamResultsToSpectators() throws Exception {
    int poll = f.openPoll();
    List<JsonObject> ws = new CopyOnWriteArrayList<>();
    List<JsonObject> sse = new CopyOnWriteArrayList<>();
    WebSocketClient wsClient = f.client.createWebSocketClient();
    // Handlers go on before any frame can arrive: the snapshot may come in the same packet as the handshake.
    wsClient.webSocket().textMessageHandler(m -> ws.add(new JsonObject(m)))
      .connect(f.config.http().port(), "localhost", "/api/v1/polls/" + poll + "/live").await(10, TimeUnit.SECONDS);
    StringBuilder pending = new StringBuilder();
    // Held until the end: Vert.x closes the pool of a client that is no longer referenced (its Cleaner), even mid-request.
    io.vertx.core.http.HttpClient sseClient = f.client.createHttpClient();
    var sseResponse = sseClient.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(f.config.http().port())
        .setHost("localhost").setURI("/api/v1/polls/" + poll + "/events"))
      .compose(req -> req.send()).map(res -> res.handler(buf -> { // on the event loop, before the body arrives
        pending.append(buf.toString());
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          String event = pending.substring(0, end);
          pending.delete(0, end + 2);
          if (event.startsWith("data: ")) sse.add(new JsonObject(event.substring(6)));
        }
      })).await(10, TimeUnit.SECONDS);
    assertThat(sseResponse.getHeader("Content-Type")).startsWith("text/event-stream");

    awaitTotal(ws, 0);
    awaitTotal(sse, 0);
    commit("INSERT INTO tallies (poll_id, option_id, shard, count) VALUES (" + poll + ", 1, 0, 3)");
    awaitTotal(ws, 3);
    awaitTotal(sse, 3);
    commit("UPDATE tallies SET count = 5 WHERE poll_id = " + poll + " AND option_id = 1 AND shard = 0;"
      + " INSERT INTO tallies (poll_id, option_id, shard, count) VALUES (" + poll + ", 2, 3, 2)");
    awaitTotal(ws, 7);
    awaitTotal(sse, 7);

    for (List<JsonObject> frames : List.of(ws, sse)) {
      for (int i = 1; i < frames.size(); i++) {
        for (int o = 0; o < 3; o++) {
          assertThat(frames.get(i).getJsonArray("options").getJsonObject(o).getLong("count"))
            .as("option %d, frame %d", o, i).isGreaterThanOrEqualTo(frames.get(i - 1).getJsonArray("options").getJsonObject(o).getLong("count"));
        }
      }
      JsonObject last = frames.get(frames.size() - 1).copy();
      JsonObject results = f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/results", null, null).bodyAsJsonObject();
      last.remove("asOf");
      results.remove("asOf");
      assertThat(last).isEqualTo(results);
    }
    assertThat(f.call(HttpMethod.GET, "/metrics", null, null).bodyAsString()).contains("landslide_live_spectators 2.0");
    wsClient.close();
    sseClient.close();
  }

  @Test
  @DisplayName("GET …/results comes from the edge's merged view: PostgreSQL warms it, the writers' tally updates move it, never back")
  void shouldServeResultsFromTheMergedView() throws Exception {
    // One event loop (one view) and re-reads 10 min apart: after warming, only the event bus can move the results.
    try (EdgeFixture one = EdgeFixture.started(java.util.Map.of("VOTING_EDGE_INSTANCES", "1", "VOTING_LIVE_RESYNC_MS", "600000"))) {
      int poll = one.openPoll();
      commit("INSERT INTO tallies (poll_id, option_id, shard, count) VALUES (" + poll + ", 0, 0, 4)");
      assertThat(counts(one, poll)).as("a cold view is warmed from PostgreSQL").containsExactly(4L, 0L, 0L);

      commit("UPDATE tallies SET count = 40 WHERE poll_id = " + poll + " AND option_id = 0 AND shard = 0");
      assertThat(counts(one, poll)).as("a warm view is not re-read per request").containsExactly(4L, 0L, 0L);

      publish(one, new TallyUpdate(poll, 1, 2, 5));
      awaitCounts(one, poll, 4, 5, 0);
      publish(one, new TallyUpdate(poll, 1, 2, 3), new TallyUpdate(poll, 2, 0, 1)); // a late, lower count for (1, 2)
      awaitCounts(one, poll, 4, 5, 1);
    }
  }

  private static void publish(EdgeFixture edge, TallyUpdate... updates) {
    edge.edge.eventBus().publish(TallyUpdateDescriptor.ADDRESS, Buffer.buffer(DEV_SEAL.seal(TallyUpdateDescriptor.encode(List.of(updates)))));
  }

  private static final TallySeal DEV_SEAL = TallySeal.fromEnv(java.util.Map.of());

  @Test
  @DisplayName("A forged tally update on the bus (no tag, another cluster's key, not bytes) is dropped and counted; the results do not move; a genuine one does")
  void shouldDropForgedTallies() throws Exception {
    try (EdgeFixture one = EdgeFixture.started(java.util.Map.of("VOTING_EDGE_INSTANCES", "1", "VOTING_LIVE_RESYNC_MS", "600000"))) {
      int poll = one.openPoll();
      assertThat(counts(one, poll)).containsExactly(0L, 0L, 0L);
      byte[] update = TallyUpdateDescriptor.encode(List.of(new TallyUpdate(poll, 0, 0, 1_000_000)));
      one.edge.eventBus().publish(TallyUpdateDescriptor.ADDRESS, Buffer.buffer(update));
      one.edge.eventBus().publish(TallyUpdateDescriptor.ADDRESS, Buffer.buffer(new TallySeal("another cluster's key, 32 bytes or more".getBytes()).seal(update)));
      one.edge.eventBus().publish(TallyUpdateDescriptor.ADDRESS, "1000000");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!one.call(HttpMethod.GET, "/metrics", null, null).bodyAsString().contains("landslide_tally_updates_total{outcome=\"refused\"} 3.0")
        && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(one.call(HttpMethod.GET, "/metrics", null, null).bodyAsString()).contains("landslide_tally_updates_total{outcome=\"refused\"} 3.0");
      assertThat(counts(one, poll)).as("no forged count on air").containsExactly(0L, 0L, 0L);
      publish(one, new TallyUpdate(poll, 1, 0, 2));
      awaitCounts(one, poll, 0, 2, 0);
    }
  }

  private static List<Long> counts(EdgeFixture edge, int poll) {
    JsonObject r = edge.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/results", null, null).bodyAsJsonObject();
    return r.getJsonArray("options").stream().map(o -> ((JsonObject) o).getLong("count")).toList();
  }

  private static void awaitCounts(EdgeFixture edge, int poll, long... expected) throws InterruptedException {
    List<Long> want = java.util.Arrays.stream(expected).boxed().toList();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!counts(edge, poll).equals(want) && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(counts(edge, poll)).isEqualTo(want);
  }

  @Test
  @DisplayName("One address holds at most VOTING_SPECTATORS_PER_ADDRESS live connections (WebSocket and SSE together): the next is 429 with Retry-After; one closed frees a place")
  void shouldCapLiveConnectionsPerAddress() throws Exception {
    try (EdgeFixture capped = EdgeFixture.started(java.util.Map.of("VOTING_SPECTATORS_PER_ADDRESS", "2"))) {
      int poll = capped.openPoll();
      io.vertx.core.http.HttpClient client = capped.client.createHttpClient();
      RequestOptions events = new RequestOptions().setMethod(HttpMethod.GET).setPort(capped.config.http().port()).setHost("localhost")
        .setURI("/api/v1/polls/" + poll + "/events");
      var first = client.request(events).compose(r -> r.send()).await(10, TimeUnit.SECONDS);
      WebSocketClient wsClient = capped.client.createWebSocketClient();
      var ws = wsClient.connect(capped.config.http().port(), "localhost", "/api/v1/polls/" + poll + "/live").await(10, TimeUnit.SECONDS);
      assertThat(first.statusCode()).isEqualTo(200);
      var third = capped.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/events", null, null);
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(third.bodyAsJsonObject().getString("error")).isEqualTo("rate_limited");
      assertThat(third.getHeader("Retry-After")).isNotNull();
      ws.close().await(10, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      int status;
      do {
        var again = client.request(events).compose(r -> r.send()).await(10, TimeUnit.SECONDS);
        status = again.statusCode();
        if (status == 200) again.request().connection().close();
      } while (status != 200 && System.nanoTime() < deadline);
      assertThat(status).as("a place freed by the closed WebSocket").isEqualTo(200);
      client.close();
      wsClient.close();
    }
  }

  @Test
  @DisplayName("Spectating a poll that does not exist: 404 poll_not_found")
  void shouldRefuseUnknownPolls() {
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/2147483647/events", null, null).statusCode()).isEqualTo(404);
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/2147483647/live", null, null).bodyAsJsonObject().getString("error")).isEqualTo("poll_not_found");
  }

  @Test
  @DisplayName("The results page is served at /polls/{id}")
  void shouldServeTheResultsPage() {
    var page = f.call(HttpMethod.GET, "/polls/1", null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).contains("<script src=\"/live.js\">").contains("<script src=\"/poll.js\">").contains("aria-live");
    assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors 'none'");
    assertThat(f.call(HttpMethod.GET, "/live.js", null, null).bodyAsString()).contains("/api/v1/polls/${id}/live");
    assertThat(f.call(HttpMethod.GET, "/poll.js", null, null).bodyAsString()).contains("LandslideLive.watch");
  }
}
