package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.VoteEvent;
import io.landslide.infra.DevTokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vote endpoint's every answer in api-contract.md, on the real stack; each rejection proves nothing was recorded. */
class VoteApiIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();

  private static long freshUser() {
    return 1 + ThreadLocalRandom.current().nextLong(4_000_000_000L);
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank();
  }

  /** Nothing reached Kafka for the poll, and the user's bit is clear. */
  private static void assertNothingRecorded(int poll, long user) {
    assertThat(f.recorded(poll)).as("votes produced to Kafka for poll " + poll).isEmpty();
    assertThat(f.bitSet(poll, user)).as("bit of user " + user).isFalse();
  }

  @Test
  @DisplayName("202: accepted only once durable, with a receipt; the event on Kafka is the vote")
  void shouldAcceptAndProduceTheVote() {
    int poll = f.openPoll();
    long user = freshUser();
    HttpResponse<Buffer> r = f.vote(poll, TOKENS.voter(user), "{\"option\": 2}");
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("receipt")).matches("[0-9a-f]{32}");
    assertThat(body.getInteger("poll")).isEqualTo(poll);
    assertThat(body.getInteger("option")).isEqualTo(2);
    List<VoteEvent> events = f.recorded(poll);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).userId()).isEqualTo(user);
    assertThat(events.get(0).option()).isEqualTo(2);
    assertThat(events.get(0).receipt().toString()).isEqualTo(body.getString("receipt"));
    assertThat(events.get(0).clientAddress()).hasSize(4);
    assertThat(f.bitSet(poll, user)).isTrue();
    JsonObject me = f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/votes/me", TOKENS.voter(user), null).bodyAsJsonObject();
    assertThat(me.getString("status")).isEqualTo("accepted");
  }

  @Test
  @DisplayName("409 already_voted: the second vote of a user, and 19 of 20 racing ones, are refused")
  void shouldRejectSecondVoteOfSameUser() {
    int poll = f.openPoll();
    long user = freshUser();
    assertThat(f.vote(poll, TOKENS.voter(user), "{\"option\":0}").statusCode()).isEqualTo(202);
    assertError(f.vote(poll, TOKENS.voter(user), "{\"option\":1}"), 409, "already_voted");

    long racer = freshUser();
    String token = TOKENS.voter(racer);
    var futures = new java.util.ArrayList<io.vertx.core.Future<HttpResponse<Buffer>>>();
    for (int i = 0; i < 20; i++) {
      futures.add(f.http.post("/api/v1/polls/" + poll + "/votes").putHeader("Authorization", "Bearer " + token)
        .sendBuffer(Buffer.buffer("{\"option\":1}")));
    }
    io.vertx.core.Future.join(futures).await();
    assertThat(futures.stream().filter(x -> x.result().statusCode() == 202).count()).isEqualTo(1);
    assertThat(futures.stream().filter(x -> x.result().statusCode() == 409).count()).isEqualTo(19);
    assertThat(f.recorded(poll)).extracting(VoteEvent::userId).containsExactlyInAnyOrder(user, racer);
  }

  @ParameterizedTest(name = "400 bad_request for body {0}")
  @ValueSource(strings = {"", "not json", "[]", "{}", "{\"option\":\"1\"}", "{\"option\":1.5}", "{\"option\":null}",
    "{\"option\":true}", "{\"option\":1,\"pow\":\"x\"}", "{\"option\":1", "\"option\""})
  void shouldRejectMalformedBodies(String body) {
    int poll = f.openPoll();
    long user = freshUser();
    assertError(f.vote(poll, TOKENS.voter(user), body), 400, "bad_request");
    assertNothingRecorded(poll, user);
  }

  @Test
  @DisplayName("401 unauthorized: missing, malformed, expired, wrongly signed, alg none or RS256, bad sub, no exp")
  void shouldRejectBadTokens() {
    int poll = f.openPoll();
    long user = freshUser();
    long now = Instant.now().getEpochSecond();
    DevTokens other = new DevTokens("another-secret-that-is-long-enough-0123456789");
    String hs = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    String claims = "{\"sub\":\"" + user + "\",\"exp\":" + (now + 600) + "}";
    List<String> bad = List.of(
      "garbage",
      "a.b.c",
      TOKENS.sign(hs, "{\"sub\":\"" + user + "\",\"exp\":" + (now - 3600) + "}"),
      other.sign(hs, claims),
      DevTokens.b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + DevTokens.b64(claims) + ".",
      TOKENS.sign("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims),
      TOKENS.sign(hs, "{\"sub\":\"0\",\"exp\":" + (now + 600) + "}"),
      TOKENS.sign(hs, "{\"sub\":\"4294967296\",\"exp\":" + (now + 600) + "}"),
      TOKENS.sign(hs, "{\"sub\":\"abc\",\"exp\":" + (now + 600) + "}"),
      TOKENS.sign(hs, "{\"sub\":" + user + ",\"exp\":" + (now + 600) + "}"),
      TOKENS.sign(hs, "{\"sub\":\"" + user + "\"}"));
    assertError(f.vote(poll, null, "{\"option\":0}"), 401, "unauthorized");
    for (String token : bad) assertError(f.vote(poll, token, "{\"option\":0}"), 401, "unauthorized");
    var r = f.http.post("/api/v1/polls/" + poll + "/votes").putHeader("Authorization", "Basic dXNlcjpwYXNz")
      .sendBuffer(Buffer.buffer("{\"option\":0}")).await();
    assertError(r, 401, "unauthorized");
    assertNothingRecorded(poll, user);
  }

  @Test
  @DisplayName("404 poll_not_found: unknown and non-numeric poll ids")
  void shouldRejectUnknownPolls() {
    long user = freshUser();
    assertError(f.vote(Integer.MAX_VALUE, TOKENS.voter(user), "{\"option\":0}"), 404, "poll_not_found");
    assertError(f.call(HttpMethod.POST, "/api/v1/polls/abc/votes", TOKENS.voter(user), "{\"option\":0}"), 404, "poll_not_found");
    assertError(f.call(HttpMethod.POST, "/api/v1/polls/99999999999/votes", TOKENS.voter(user), "{\"option\":0}"), 404, "poll_not_found");
    assertThat(f.bitSet(Integer.MAX_VALUE, user)).isFalse();
  }

  @Test
  @DisplayName("409 poll_not_open before opensAt; 410 poll_closed after close")
  void shouldRejectVotesOutsideTheWindow() {
    int scheduled = f.createPoll(new JsonObject().put("title", "Later").put("options", List.of("x", "y"))
      .put("opensAt", Instant.now().plusSeconds(3600).toString()));
    long user = freshUser();
    assertError(f.vote(scheduled, TOKENS.voter(user), "{\"option\":0}"), 409, "poll_not_open");
    assertNothingRecorded(scheduled, user);

    int poll = f.openPoll();
    assertThat(f.call(HttpMethod.POST, "/api/v1/polls/" + poll + "/close", TOKENS.admin(1), null).statusCode()).isEqualTo(200);
    assertError(f.vote(poll, TOKENS.voter(user), "{\"option\":0}"), 410, "poll_closed");
    assertNothingRecorded(poll, user);
  }

  @Test
  @DisplayName("413 payload_too_large: a body over 1 KiB")
  void shouldRejectLargeBodies() {
    int poll = f.openPoll();
    long user = freshUser();
    String big = "{\"option\":0,\"pad\":\"" + "x".repeat(2000) + "\"}";
    assertError(f.vote(poll, TOKENS.voter(user), big), 413, "payload_too_large");
    assertNothingRecorded(poll, user);
  }

  @ParameterizedTest(name = "422 invalid_option for option {0}")
  @ValueSource(longs = {3, -1, 32, 65536, 9_999_999_999L})
  void shouldRejectUnknownOptions(long option) {
    int poll = f.openPoll();
    long user = freshUser();
    assertError(f.vote(poll, TOKENS.voter(user), "{\"option\":" + option + "}"), 422, "invalid_option");
    assertNothingRecorded(poll, user);
  }

  @Test
  @DisplayName("votes/me: none before voting")
  void shouldSayNoneBeforeVoting() {
    int poll = f.openPoll();
    var r = f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/votes/me", TOKENS.voter(freshUser()), null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("none");
    assertError(f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/votes/me", null, null), 401, "unauthorized");
  }
}
