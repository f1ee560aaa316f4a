package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.edge.defence.AbuseConfig;
import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Abuse signals on the real stack: the score travels with the vote, raises proof of work, and flags for review. */
class AbuseApiIT {
  private static final String BROWSER = EdgeFixture.BROWSER;
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();

  private static int vote(int poll, long user, String userAgent, String language) throws Exception {
    var req = f.http.post("/api/v1/polls/" + poll + "/votes").putHeader("Authorization", "Bearer " + TOKENS.voter(user)).putHeader("User-Agent", userAgent);
    if (language != null) req.putHeader("Accept-Language", language);
    return req.sendBuffer(Buffer.buffer("{\"option\": 1}")).await(30, TimeUnit.SECONDS).statusCode();
  }

  @Test
  @DisplayName("A script's vote is accepted with its abuse score on the vote event; a browser's scores nothing")
  void shouldScoreVotes() throws Exception {
    int poll = f.openPoll();
    assertThat(vote(poll, 12_000_001, "python-requests/2.31", null)).isEqualTo(202);
    assertThat(vote(poll, 12_000_002, BROWSER, "en-GB,en;q=0.8")).isEqualTo(202);
    assertThat(f.recorded(poll)).extracting(v -> v.userId() + ":" + v.botScore()).containsExactlyInAnyOrder("12000001:60", "12000002:0");
    assertThat(f.call(HttpMethod.GET, "/metrics", null, null).bodyAsString()).contains("landslide_votes_flagged_total");
  }

  @Test
  @DisplayName("A suspicious client is asked more proof of work than a browser in the same poll")
  void shouldRaiseDifficultyForSuspiciousClients() throws Exception {
    int poll = f.createPoll(new JsonObject().put("title", "PoW").put("options", List.of("A", "B")).put("powDifficulty", 4));
    String path = "/api/v1/polls/" + poll + "/challenge";
    int browser = f.http.get(path).putHeader("Authorization", "Bearer " + TOKENS.voter(1)).putHeader("User-Agent", BROWSER)
      .putHeader("Accept-Language", "fr").send().await(30, TimeUnit.SECONDS).bodyAsJsonObject().getInteger("difficulty");
    int script = f.http.get(path).putHeader("Authorization", "Bearer " + TOKENS.voter(1)).putHeader("User-Agent", "curl/8.5.0")
      .send().await(30, TimeUnit.SECONDS).bodyAsJsonObject().getInteger("difficulty");
    assertThat(browser).isEqualTo(4);
    assertThat(script).isEqualTo(4 + AbuseConfig.DEFAULT_POW_BONUS);
  }

  @Test
  @DisplayName("GET …/flags (admin): flagged votes counted by option, the highest-scored listed; 401/403/404 otherwise")
  void shouldListFlaggedVotesForAdmins() throws Exception {
    int poll = f.openPoll();
    try (Connection c = Schema.connect(TestStack.pg()); Statement s = c.createStatement()) {
      // As the writer stores them: three flagged (two for option 0), one not.
      s.execute("INSERT INTO votes (poll_id, user_id, option_id, receipt, accepted_at, client_addr, bot_score, kafka_partition, kafka_offset) VALUES "
        + "(" + poll + ", 1, 0, gen_random_uuid(), now(), '203.0.113.7', 80, 0, 1),"
        + "(" + poll + ", 2, 0, gen_random_uuid(), now(), '203.0.113.7', 40, 0, 2),"
        + "(" + poll + ", 3, 2, gen_random_uuid(), now(), '2001:db8::1', 60, 0, 3),"
        + "(" + poll + ", 4, 1, gen_random_uuid(), now(), '198.51.100.1', 20, 0, 4)");
    }
    String path = "/api/v1/polls/" + poll + "/flags";
    JsonObject flags = f.call(HttpMethod.GET, path, TOKENS.admin(1), null).bodyAsJsonObject();
    assertThat(flags.getInteger("threshold")).isEqualTo(AbuseConfig.DEFAULT_FLAG_THRESHOLD);
    assertThat(flags.getLong("flagged")).isEqualTo(3);
    assertThat(flags.getJsonArray("options").stream().map(o -> ((JsonObject) o).getLong("flagged")).toList()).containsExactly(2L, 0L, 1L);
    assertThat(flags.getJsonArray("votes").stream().map(o -> ((JsonObject) o).getInteger("score")).toList()).containsExactly(80, 60, 40);
    assertThat(flags.getJsonArray("votes").getJsonObject(0).getString("address")).isEqualTo("203.0.113.7");
    assertThat(f.call(HttpMethod.GET, path, TOKENS.voter(1), null).statusCode()).isEqualTo(403);
    assertThat(f.call(HttpMethod.GET, path, null, null).statusCode()).isEqualTo(401);
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/2147483647/flags", TOKENS.admin(1), null).bodyAsJsonObject().getString("error"))
      .isEqualTo("poll_not_found");
  }
}
