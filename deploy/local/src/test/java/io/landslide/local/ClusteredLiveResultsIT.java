package io.landslide.local;

import io.landslide.infra.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two edges and a writer clustered with Hazelcast on loopback. The edges re-read PostgreSQL only every 10 minutes
 * here, so after the first frame only the writer's shard counts on the clustered event bus can move a spectator's
 * results.
 */
class ClusteredLiveResultsIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of("VOTING_LIVE_RESYNC_MS", "600000"));
  private static int edge2;

  @BeforeAll
  static void start() throws Exception {
    edge2 = Ports.free();
    f.stack.startEdge("edge-2", edge2);
    f.stack.awaitReady("edge-2", "http://localhost:" + edge2 + "/health/ready");
  }

  private static void awaitFinal(List<JsonObject> frames) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!frames.get(frames.size() - 1).getBoolean("final") && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(frames.get(frames.size() - 1).getBoolean("final")).as("last frame final").isTrue();
  }

  private static void awaitTotal(List<JsonObject> frames, long total) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((frames.isEmpty() || frames.get(frames.size() - 1).getLong("total") != total) && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(frames).isNotEmpty();
    assertThat(frames.get(frames.size() - 1).getLong("total")).isEqualTo(total);
  }

  @Test
  @DisplayName("A WebSocket spectator on edge 2 and an SSE spectator on edge 1 both see every vote cast through edge 1, then the final results once the poll closes")
  void shouldFanOutAcrossTheCluster() throws Exception {
    assertThat(f.get("/health/ready", null).body()).contains("\"cluster\":\"UP\"");
    int poll = f.createPoll("Cluster", 3);
    List<JsonObject> ws = new CopyOnWriteArrayList<>();
    List<JsonObject> sse = new CopyOnWriteArrayList<>();
    // The JDK's WebSocket client, like a browser (Vert.x 5.0.8's own client fails the handshake with the edge
    // processes here, while curl and Chromium complete it).
    StringBuilder partial = new StringBuilder();
    java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
      .buildAsync(java.net.URI.create("ws://127.0.0.1:" + edge2 + "/api/v1/polls/" + poll + "/live"), new java.net.http.WebSocket.Listener() {
        @Override
        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
          partial.append(data);
          if (last) {
            ws.add(new JsonObject(partial.toString()));
            partial.setLength(0);
          }
          w.request(1);
          return null;
        }
      }).get(10, TimeUnit.SECONDS);
    StringBuilder pending = new StringBuilder();
    // Held until the end: Vert.x closes the pool of a client that is no longer referenced (its Cleaner), even mid-request.
    io.vertx.core.http.HttpClient sseClient = f.vertx.createHttpClient();
    var events = sseClient.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost")
      .setPort(f.stack.settings().edgePort()).setURI("/api/v1/polls/" + poll + "/events")).compose(r -> r.send())
      .map(res -> res.handler(buf -> { // on the event loop, before the body arrives: the snapshot may share the headers' packet
        pending.append(buf.toString());
        for (int end; (end = pending.indexOf("\n\n")) >= 0; ) {
          String event = pending.substring(0, end);
          pending.delete(0, end + 2);
          if (event.startsWith("data: ")) sse.add(new JsonObject(event.substring(6)));
        }
      })).await(10, TimeUnit.SECONDS);
    awaitTotal(ws, 0);
    awaitTotal(sse, 0);

    int n = 600;
    long[] users = new long[n];
    for (int i = 0; i < n; i++) users[i] = 900_000 + i;
    VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 16);
    assertThat(driver.run(poll, users, VoteDriver.bearers(users), u -> (int) (u % 3), 16, false).await(60, TimeUnit.SECONDS).count(202)).isEqualTo(n);
    driver.close();

    awaitTotal(ws, n);
    awaitTotal(sse, n);
    String results = f.get("/api/v1/polls/" + poll + "/results", null).body();
    for (List<JsonObject> frames : List.of(ws, sse)) {
      assertThat(frames.size()).as("frames, not one per vote").isLessThan(n);
      for (int i = 1; i < frames.size(); i++) {
        for (int o = 0; o < 3; o++) {
          assertThat(frames.get(i).getJsonArray("options").getJsonObject(o).getLong("count"))
            .isGreaterThanOrEqualTo(frames.get(i - 1).getJsonArray("options").getJsonObject(o).getLong("count"));
        }
      }
      JsonObject last = frames.get(frames.size() - 1).copy();
      JsonObject fromApi = new JsonObject(results);
      last.remove("asOf");
      fromApi.remove("asOf");
      // The signed state moves on its own (every half second): each view's is the latest it took, never past the count.
      JsonObject frameCheckpoint = (JsonObject) last.remove("checkpoint");
      fromApi.remove("checkpoint");
      assertThat(last).isEqualTo(fromApi);
      if (frameCheckpoint != null) assertThat(frameCheckpoint.getLong("size")).isLessThanOrEqualTo(last.getLong("total"));
    }
    assertThat(f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll)).isEqualTo(n);

    // Closed, and every accepted vote written: results and both spectators (edge 2 hears of the close through
    // PostgreSQL's NOTIFY) turn final, within seconds although the views' PostgreSQL re-reads are 10 min apart.
    assertThat(f.post("/api/v1/polls/" + poll + "/close", io.landslide.infra.DevTokens.dev().admin(1), "").statusCode()).isEqualTo(200);
    awaitFinal(ws);
    awaitFinal(sse);
    JsonObject closed = new JsonObject(f.get("/api/v1/polls/" + poll + "/results", null).body());
    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); !closed.getBoolean("final") && System.nanoTime() < deadline; ) {
      Thread.sleep(20);
      closed = new JsonObject(f.get("/api/v1/polls/" + poll + "/results", null).body());
    }
    assertThat(closed.getBoolean("final")).isTrue();
    assertThat(closed.getLong("total")).isEqualTo(n);
    for (List<JsonObject> frames : List.of(ws, sse)) assertThat(frames.get(frames.size() - 1).getLong("total")).isEqualTo(n);
    socket.abort();
    events.request().connection().close().await(10, TimeUnit.SECONDS);
    sseClient.close().await(10, TimeUnit.SECONDS);
  }
}
