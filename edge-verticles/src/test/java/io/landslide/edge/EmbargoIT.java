package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The results embargo (issue 12): a poll created with {@code hideResults} shows no count to anyone but admins, in its
 * results, its frames and its audit log, until an admin reveals it; the reveal reaches a spectator already watching.
 */
class EmbargoIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();

  private static void commit(String sql) throws Exception {
    EdgeFixture.commit(sql);
  }

  private static void assertHidden(JsonObject results, int poll) {
    assertThat(results.getBoolean("hidden")).as(results.encode()).isTrue();
    assertThat(results.getInteger("poll")).isEqualTo(poll);
    assertThat(results.containsKey("total")).as("no total").isFalse();
    assertThat(results.containsKey("checkpoint")).as("no checkpoint (its size is the total)").isFalse();
    assertThat(results.getJsonArray("options")).hasSize(3);
    for (int i = 0; i < 3; i++) assertThat(results.getJsonArray("options").getJsonObject(i).containsKey("count")).as("no count").isFalse();
  }

  @Test
  @DisplayName("Hidden results: no count for the public, its results, frames and log; admins see all; the reveal reaches the spectator watching")
  void shouldHideTheResultsUntilRevealed() throws Exception {
    JsonObject body = new JsonObject().put("title", "Embargoed").put("options", List.of("A", "B", "C")).put("hideResults", true);
    int poll = f.createPoll(body);
    JsonObject shown = f.call(HttpMethod.GET, "/api/v1/polls/" + poll, null, null).bodyAsJsonObject();
    assertThat(shown.getBoolean("hidden")).isTrue();
    commit("INSERT INTO tallies (poll_id, option_id, shard, count) VALUES (" + poll + ", 1, 0, 3), (" + poll + ", 2, 1, 4)");

    // A spectator already watching before the reveal.
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    WebSocketClient ws = f.client.createWebSocketClient();
    ws.webSocket().textMessageHandler(m -> frames.add(new JsonObject(m)))
      .connect(f.config.http().port(), "localhost", "/api/v1/polls/" + poll + "/live").await(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (frames.isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(frames).as("the first frame").isNotEmpty();
    assertHidden(frames.get(0), poll);

    HttpResponse<Buffer> anonymous = f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/results", null, null);
    assertHidden(anonymous.bodyAsJsonObject(), poll);
    assertHidden(f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/results", TOKENS.voter(31), null).bodyAsJsonObject(), poll);
    HttpResponse<Buffer> admin = f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/results", TOKENS.admin(1), null);
    assertThat(admin.bodyAsJsonObject().getLong("total")).as("an admin sees the counts").isEqualTo(7);
    assertThat(admin.getHeader("Cache-Control")).contains("no-store");
    for (String path : List.of("/log/checkpoint", "/log/result", "/log/tile/0/000", "/log/tile/entries/000", "/log/consistency?from=1&to=2",
      "/receipts/00000000000000000000000000000000")) {
      HttpResponse<Buffer> r = f.call(HttpMethod.GET, "/api/v1/polls/" + poll + path, null, null);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.bodyAsJsonObject().getString("error")).as(path).isEqualTo("results_hidden");
    }
    assertThat(f.call(HttpMethod.POST, "/api/v1/polls/" + poll + "/reveal", TOKENS.voter(31), null).statusCode()).as("not an admin").isEqualTo(403);
    assertThat(frames).allSatisfy(frame -> assertThat(frame.containsKey("total")).isFalse());

    HttpResponse<Buffer> revealed = f.call(HttpMethod.POST, "/api/v1/polls/" + poll + "/reveal", TOKENS.admin(1), null);
    assertThat(revealed.statusCode()).as(revealed.bodyAsString()).isEqualTo(200);
    assertThat(revealed.bodyAsJsonObject().containsKey("hidden")).isFalse();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!frames.get(frames.size() - 1).containsKey("total") && System.nanoTime() < deadline) Thread.sleep(20);
    JsonObject last = frames.get(frames.size() - 1);
    assertThat(last.getLong("total")).as("the reveal reached the spectator").isEqualTo(7);
    assertThat(last.getJsonArray("options").getJsonObject(2).getLong("count")).isEqualTo(4);
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/results", null, null).bodyAsJsonObject().getLong("total")).isEqualTo(7);
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/log/checkpoint", null, null).statusCode()).as("the log is public now")
      .isNotEqualTo(403);
    assertThat(f.call(HttpMethod.POST, "/api/v1/polls/" + poll + "/reveal", TOKENS.admin(1), null).statusCode()).as("again: idempotent").isEqualTo(200);
    try (Connection c = Schema.connect(TestStack.pg()); Statement s = c.createStatement();
         java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM admin_actions WHERE poll_id = " + poll + " AND action = 'reveal'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("each reveal recorded, who and when").isEqualTo(2);
    }
    ws.close();
  }

  @Test
  @DisplayName("A poll without hideResults shows its counts at once, and hideResults must be a boolean")
  void shouldShowResultsOfOtherPolls() throws Exception {
    int poll = f.openPoll();
    commit("INSERT INTO tallies (poll_id, option_id, shard, count) VALUES (" + poll + ", 0, 0, 2)");
    JsonObject results = f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/results", null, null).bodyAsJsonObject();
    assertThat(results.containsKey("hidden")).isFalse();
    assertThat(results.getLong("total")).isEqualTo(2);
    HttpResponse<Buffer> bad = f.call(HttpMethod.POST, "/api/v1/polls", TOKENS.admin(1),
      new JsonObject().put("title", "x").put("options", List.of("A", "B")).put("hideResults", "yes").encode());
    assertThat(bad.statusCode()).isEqualTo(400);
  }
}
