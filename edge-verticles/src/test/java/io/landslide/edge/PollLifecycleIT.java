package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's actions on a poll (issue 12's console; each through the API, each recorded with who and when): edit
 * before it opens, open now, extend the closing time, close; and every refusal changes nothing.
 */
class PollLifecycleIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();

  private static String admin() {
    return TOKENS.admin(7);
  }

  private HttpResponse<Buffer> call(HttpMethod m, String path, String token, JsonObject body) {
    return f.call(m, path, token, body == null ? null : body.encode());
  }

  private JsonObject poll(int id) {
    return call(HttpMethod.GET, "/api/v1/polls/" + id, admin(), null).bodyAsJsonObject();
  }

  private JsonArray actions(int id) {
    HttpResponse<Buffer> r = call(HttpMethod.GET, "/api/v1/admin/polls/" + id + "/actions", admin(), null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.getHeader("Cache-Control")).contains("no-store");
    return r.bodyAsJsonObject().getJsonArray("actions");
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getString("error")).as(r.bodyAsString()).isEqualTo(code);
  }

  private int scheduled(Instant opensAt) {
    return f.createPoll(new JsonObject().put("title", "Lifecycle " + UUID.randomUUID()).put("options", List.of("A", "B"))
      .put("opensAt", opensAt.toString()));
  }

  @Test
  @DisplayName("Once its closing time has passed, the edge refuses a vote by its own clock (410 poll_closed), with no close sent to it: nothing recorded")
  void shouldRefuseAVoteAfterTheClosingTimeWithNoCloseSent() throws Exception {
    Instant closes = Instant.now().plusSeconds(3);
    int id = f.createPoll(new JsonObject().put("title", "Closing by itself " + UUID.randomUUID()).put("options", List.of("A", "B"))
      .put("closesAt", closes.toString()));
    String voter = TOKENS.voter(880_001);
    assertThat(f.vote(id, voter, "{\"option\":0}").statusCode()).as("on time").isEqualTo(202);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (!Instant.now().isAfter(closes.plusMillis(50))) { // the clock is the condition: no close is sent, none is needed
      if (System.nanoTime() > deadline) throw new AssertionError("the clock did not pass " + closes);
      Thread.sleep(20);
    }
    String late = TOKENS.voter(880_002);
    assertError(f.vote(id, late, "{\"option\":1}"), 410, "poll_closed");
    assertThat(f.bitSet(id, 880_002)).as("no bit claimed").isFalse();
    assertThat(f.recorded(id)).as("only the vote on time reached Kafka").hasSize(1).allSatisfy(v -> assertThat(v.userId()).isEqualTo(880_001));
    assertThat(call(HttpMethod.GET, "/api/v1/polls/" + id + "/votes/me", late, null).bodyAsJsonObject().getString("status")).isEqualTo("none");
    assertThat(actions(id)).as("nobody closed it").extracting(a -> ((JsonObject) a).getString("action")).containsExactly("create");
    assertThat(poll(id).getString("status")).isEqualTo("closed");
  }

  @Test
  @DisplayName("A scheduled poll is edited (the fields given), opened now, extended and closed; each action recorded with who and when")
  void shouldEditOpenExtendAndCloseAPoll() {
    Instant opens = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    int id = scheduled(opens);
    Instant closes = opens.plus(2, ChronoUnit.HOURS);
    HttpResponse<Buffer> edited = call(HttpMethod.PATCH, "/api/v1/polls/" + id, admin(), new JsonObject().put("title", "Who wins tonight?")
      .put("options", List.of("Ana", "Ben", "Cleo")).put("closesAt", closes.toString()).put("hideResults", true).put("powDifficulty", 0));
    assertThat(edited.statusCode()).as(edited.bodyAsString()).isEqualTo(200);
    JsonObject p = edited.bodyAsJsonObject();
    assertThat(p.getString("title")).isEqualTo("Who wins tonight?");
    assertThat(p.getJsonArray("options")).hasSize(3);
    assertThat(p.getString("status")).isEqualTo("scheduled");
    assertThat(Instant.parse(p.getString("opensAt"))).isEqualTo(opens);
    assertThat(Instant.parse(p.getString("closesAt"))).isEqualTo(closes);
    assertThat(p.getBoolean("hidden")).isTrue();
    assertThat(poll(id).getString("title")).as("stored, not only answered").isEqualTo("Who wins tonight?");

    HttpResponse<Buffer> opened = call(HttpMethod.POST, "/api/v1/polls/" + id + "/open", admin(), null);
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(200);
    assertThat(opened.bodyAsJsonObject().getString("status")).isEqualTo("open");
    assertThat(Instant.parse(opened.bodyAsJsonObject().getString("opensAt"))).isBefore(Instant.now().plusSeconds(1));
    HttpResponse<Buffer> again = call(HttpMethod.POST, "/api/v1/polls/" + id + "/open", admin(), null);
    assertThat(again.statusCode()).as("opening an open poll changes nothing").isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("opensAt")).isEqualTo(opened.bodyAsJsonObject().getString("opensAt"));
    assertThat(f.vote(id, TOKENS.voter(4242), "{\"option\":2}").statusCode()).as("it takes votes").isEqualTo(202);

    Instant later = closes.plus(30, ChronoUnit.MINUTES);
    HttpResponse<Buffer> extended = call(HttpMethod.POST, "/api/v1/polls/" + id + "/extend", admin(), new JsonObject().put("closesAt", later.toString()));
    assertThat(extended.statusCode()).as(extended.bodyAsString()).isEqualTo(200);
    assertThat(Instant.parse(extended.bodyAsJsonObject().getString("closesAt"))).isEqualTo(later);

    HttpResponse<Buffer> closed = call(HttpMethod.POST, "/api/v1/polls/" + id + "/close", admin(), null);
    assertThat(closed.bodyAsJsonObject().getString("status")).isEqualTo("closed");

    JsonArray a = actions(id);
    assertThat(a.stream().map(o -> ((JsonObject) o).getString("action")).toList()).containsExactly("create", "edit", "open", "extend", "close");
    assertThat(a.stream().map(o -> ((JsonObject) o).getString("actor")).toList()).as("who: the creator, then the operator")
      .containsExactly("user:1", "user:7", "user:7", "user:7", "user:7");
    for (Object o : a) {
      JsonObject action = (JsonObject) o;
      assertThat(Instant.parse(action.getString("at"))).isBetween(Instant.now().minusSeconds(120), Instant.now().plusSeconds(5));
    }
    assertThat(a.getJsonObject(1).getJsonObject("details").getString("title")).isEqualTo("Who wins tonight?");
    assertThat(a.getJsonObject(1).getJsonObject("details").containsKey("opensAt")).as("only what changed").isFalse();
    assertThat(a.getJsonObject(3).getJsonObject("details").getString("previously")).isEqualTo(closes.toString());
    assertThat(a.getJsonObject(2).getJsonObject("details").getString("scheduledFor")).isEqualTo(opens.toString());
  }

  @Test
  @DisplayName("Refused and unchanged: an edit once open or within seconds of opening, bad edits, extending backwards or after the close, a closed poll opened, non-admins")
  void shouldRefuseWhatWouldChangeTheRulesOfAPollUnderWay() {
    // Open: no edit, whatever the field.
    int open = f.openPoll();
    JsonObject before = poll(open);
    assertError(call(HttpMethod.PATCH, "/api/v1/polls/" + open, admin(), new JsonObject().put("title", "Changed")), 409, "poll_started");
    assertError(call(HttpMethod.PATCH, "/api/v1/polls/" + open, admin(), new JsonObject().put("options", List.of("X", "Y"))), 409, "poll_started");
    // Within the margin before opening: the edges might not hear of it in time.
    int soon = scheduled(Instant.now().plusSeconds(2));
    JsonObject soonBefore = poll(soon);
    assertError(call(HttpMethod.PATCH, "/api/v1/polls/" + soon, admin(), new JsonObject().put("title", "Changed")), 409, "poll_started");
    assertThat(poll(soon).getString("title")).isEqualTo(soonBefore.getString("title"));

    int later = scheduled(Instant.now().plus(1, ChronoUnit.HOURS));
    JsonObject laterBefore = poll(later);
    for (JsonObject bad : List.of(new JsonObject(), new JsonObject().put("titel", "typo"), new JsonObject().put("title", ""),
      new JsonObject().put("options", List.of("A")), new JsonObject().put("options", List.of("A", "A")),
      new JsonObject().put("opensAt", "tomorrow"), new JsonObject().putNull("opensAt"),
      new JsonObject().put("closesAt", Instant.now().plusSeconds(60).toString()), // before its opening
      new JsonObject().put("powDifficulty", 99), new JsonObject().put("hideResults", "yes"),
      new JsonObject().put("eligibility", new JsonObject().put("age", 18)))) {
      assertError(call(HttpMethod.PATCH, "/api/v1/polls/" + later, admin(), bad), 400, "bad_request");
    }
    assertError(f.call(HttpMethod.PATCH, "/api/v1/polls/" + later, admin(), "{\"title\": \"a\", \"title\": \"b\"}"), 400, "bad_request");
    assertThat(poll(later)).as("nothing changed").isEqualTo(laterBefore.put("status", poll(later).getString("status")));

    // Extend: only later, only before the closing time passed.
    Instant closes = Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    int closing = f.createPoll(new JsonObject().put("title", "Closing " + UUID.randomUUID()).put("options", List.of("A", "B")).put("closesAt", closes.toString()));
    for (JsonObject bad : List.of(new JsonObject(), new JsonObject().put("closesAt", closes.minusSeconds(60).toString()),
      new JsonObject().put("closesAt", closes.toString()), new JsonObject().put("closesAt", Instant.now().minusSeconds(5).toString()),
      new JsonObject().put("closesAt", "later"), new JsonObject().put("closesAt", closes.plusSeconds(60).toString()).put("opensAt", "x"))) {
      assertError(call(HttpMethod.POST, "/api/v1/polls/" + closing + "/extend", admin(), bad), 400, "bad_request");
    }
    assertThat(Instant.parse(poll(closing).getString("closesAt"))).isEqualTo(closes);
    call(HttpMethod.POST, "/api/v1/polls/" + closing + "/close", admin(), null);
    String closedAt = poll(closing).getString("closesAt");
    assertError(call(HttpMethod.POST, "/api/v1/polls/" + closing + "/extend", admin(),
      new JsonObject().put("closesAt", Instant.now().plus(1, ChronoUnit.DAYS).toString())), 410, "poll_closed");
    assertError(call(HttpMethod.POST, "/api/v1/polls/" + closing + "/open", admin(), null), 410, "poll_closed");
    assertError(call(HttpMethod.PATCH, "/api/v1/polls/" + closing, admin(), new JsonObject().put("title", "Changed")), 410, "poll_closed");
    assertThat(poll(closing).getString("closesAt")).as("a close is final").isEqualTo(closedAt);
    assertThat(poll(closing).getString("status")).isEqualTo("closed");
    assertError(f.vote(closing, TOKENS.voter(4243), "{\"option\":0}"), 410, "poll_closed");

    // Not an admin, no token, no such poll.
    for (String token : new String[] {TOKENS.voter(31), null}) {
      int status = token == null ? 401 : 403;
      assertThat(call(HttpMethod.PATCH, "/api/v1/polls/" + later, token, new JsonObject().put("title", "Mine")).statusCode()).isEqualTo(status);
      assertThat(call(HttpMethod.POST, "/api/v1/polls/" + later + "/open", token, null).statusCode()).isEqualTo(status);
      assertThat(call(HttpMethod.POST, "/api/v1/polls/" + open + "/extend", token,
        new JsonObject().put("closesAt", Instant.now().plus(1, ChronoUnit.DAYS).toString())).statusCode()).isEqualTo(status);
      assertThat(call(HttpMethod.GET, "/api/v1/admin/polls/" + later + "/actions", token, null).statusCode()).isEqualTo(status);
    }
    assertError(call(HttpMethod.POST, "/api/v1/polls/999999999/open", admin(), null), 404, "poll_not_found");
    assertError(call(HttpMethod.PATCH, "/api/v1/polls/999999999", admin(), new JsonObject().put("title", "x")), 404, "poll_not_found");
    assertThat(poll(later).getString("status")).isEqualTo("scheduled");
    assertThat(poll(open)).isEqualTo(before.put("status", "open"));
    assertThat(actions(later).stream().map(o -> ((JsonObject) o).getString("action")).toList()).as("nothing refused was recorded").containsExactly("create");
    assertThat(actions(open).stream().map(o -> ((JsonObject) o).getString("action")).toList()).containsExactly("create");
  }
}
