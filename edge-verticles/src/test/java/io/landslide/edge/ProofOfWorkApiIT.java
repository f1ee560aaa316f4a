package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.PowHash;
import io.landslide.edge.vote.VoteHandler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proof of work through HTTP on the real stack; every refusal also proves nothing reached Kafka or the bitmap. */
class ProofOfWorkApiIT {
  private static final int DIFFICULTY = 8;
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();

  private static int powPoll(EdgeFixture edge, int difficulty) {
    return edge.createPoll(new JsonObject().put("title", "Proof of work").put("options", List.of("A", "B")).put("powDifficulty", difficulty));
  }

  private static JsonObject solved(EdgeFixture edge, int poll, long user) {
    HttpResponse<Buffer> r = edge.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/challenge", TOKENS.voter(user), null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject c = r.bodyAsJsonObject();
    long nonce = PowHash.solve(c.getString("challenge"), user, poll, c.getInteger("difficulty"));
    return new JsonObject().put("challenge", c.getString("challenge")).put("expires", c.getLong("expires"))
      .put("signature", c.getString("signature")).put("nonce", Long.toString(nonce));
  }

  private static String vote(int option, JsonObject pow) {
    JsonObject body = new JsonObject().put("option", option);
    if (pow != null) body.put("pow", pow);
    return body.encode();
  }

  private static void assertRefused(HttpResponse<Buffer> r, int poll, long user) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(403);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("challenge_required");
    assertThat(r.bodyAsJsonObject().getString("message")).contains("/api/v1/polls/" + poll + "/challenge");
    assertThat(f.bitSet(poll, user)).as("no bit claimed").isFalse();
  }

  @Test
  @DisplayName("A poll asking proof of work: 403 challenge_required without it or with a wrong one, 202 with a solved challenge")
  void shouldAskAndCheckProofOfWork() {
    int poll = powPoll(f, DIFFICULTY);
    long user = 7_100_001;
    assertRefused(f.vote(poll, TOKENS.voter(user), vote(0, null)), poll, user);
    assertRefused(f.vote(poll, TOKENS.voter(user), vote(0, new JsonObject().put("nonce", "1"))), poll, user);
    JsonObject pow = solved(f, poll, user);
    assertRefused(f.vote(poll, TOKENS.voter(user), vote(0, pow.copy().put("signature", "AAAA"))), poll, user);

    HttpResponse<Buffer> ok = f.vote(poll, TOKENS.voter(user), vote(1, pow));
    assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(202);
    assertThat(f.recorded(poll)).singleElement().satisfies(v -> {
      assertThat(v.userId()).isEqualTo(user);
      assertThat(v.botScore()).isZero();
    });
  }

  @Test
  @DisplayName("A solution replayed by another user or in another poll: 403, nothing recorded")
  void shouldRefuseReplaysForAnotherUserOrPoll() {
    int poll = powPoll(f, DIFFICULTY);
    int other = powPoll(f, DIFFICULTY);
    JsonObject alices = solved(f, poll, 7_200_001);
    assertRefused(f.vote(poll, TOKENS.voter(7_200_002), vote(0, alices)), poll, 7_200_002);
    assertRefused(f.vote(other, TOKENS.voter(7_200_001), vote(0, alices)), other, 7_200_001);
    assertThat(f.recorded(poll)).isEmpty();
    assertThat(f.recorded(other)).isEmpty();
  }

  @Test
  @DisplayName("The challenge needs a token and a poll; polls without a difficulty take the edge's (0 here: off)")
  void shouldServeChallengesAndLeaveDifficultyZeroOff() {
    int open = f.openPoll();
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + open + "/challenge", null, null).statusCode()).isEqualTo(401);
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/2147483647/challenge", TOKENS.voter(1), null).bodyAsJsonObject().getString("error"))
      .isEqualTo("poll_not_found");
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + open + "/challenge", TOKENS.voter(1), null).bodyAsJsonObject().getInteger("difficulty"))
      .isZero();
    assertThat(f.vote(open, TOKENS.voter(7_300_001), vote(0, new JsonObject().put("nonce", "junk"))).statusCode()).isEqualTo(202);
  }

  @Test
  @DisplayName("powDifficulty out of 0..32 or not an integer: 400, no poll created")
  void shouldValidateThePollDifficulty() {
    int before = f.call(HttpMethod.GET, "/api/v1/polls", null, null).bodyAsJsonArray().size();
    for (Object bad : new Object[] {-1, 33, "8", 1.5, true}) {
      HttpResponse<Buffer> r = f.call(HttpMethod.POST, "/api/v1/polls", TOKENS.admin(1),
        new JsonObject().put("title", "t").put("options", List.of("A", "B")).put("powDifficulty", bad).encode());
      assertThat(r.statusCode()).as(String.valueOf(bad)).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("bad_request");
    }
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls", null, null).bodyAsJsonArray().size()).isEqualTo(before);
  }

  @Test
  @DisplayName("Shadow mode: a vote without a valid proof is accepted, scored and counted for review, not refused")
  void shouldScoreInsteadOfRefusingInShadowMode() throws Exception {
    try (EdgeFixture edge = EdgeFixture.started(java.util.Map.of("VOTING_POW_MODE", "shadow"))) {
      int poll = powPoll(edge, DIFFICULTY);
      assertThat(edge.vote(poll, TOKENS.voter(7_400_001), vote(0, null)).statusCode()).isEqualTo(202);
      assertThat(edge.vote(poll, TOKENS.voter(7_400_002), vote(0, solved(edge, poll, 7_400_002))).statusCode()).isEqualTo(202);
      assertThat(edge.recorded(poll)).extracting(v -> v.userId() + ":" + v.botScore())
        .containsExactlyInAnyOrder("7400001:" + VoteHandler.SHADOW_POW_SCORE, "7400002:0");
      assertThat(edge.call(HttpMethod.GET, "/metrics", null, null).bodyAsString()).contains("landslide_pow_shadow_failed_total 1.0");
    }
  }
}
