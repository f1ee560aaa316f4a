package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import io.landslide.infra.Schema;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The close is authoritative (issue 12): once a poll's closing time has passed no vote for it is counted, even one
 * an edge took because it had not heard of the close; the writer keeps it in {@code vote_rejects} ({@code poll_closed}).
 */
class AuthoritativeCloseIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());

  @Test
  @DisplayName("A vote after the closing time is never counted, even through an edge that missed the close")
  void shouldNeverCountAVoteAfterTheClose() throws Exception {
    int poll = f.createPoll("Closes early", 2);
    String votes = "/api/v1/polls/" + poll + "/votes";
    assertThat(f.post(votes, DevTokens.dev().voter(1), "{\"option\":0}").statusCode()).isEqualTo(202);
    StackFixture.await("the vote before the close", () -> f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll), 1, 60);
    // The close, written so that no edge hears of it: in a session whose triggers do not fire, the NOTIFY that tells
    // the edges is never sent, and the edge goes on thinking the poll open until its next full reload (30 s).
    try (Connection c = Schema.connect(f.pg); Statement s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
      s.execute("UPDATE polls SET closes_at = clock_timestamp() WHERE id = " + poll);
    }
    HttpResponse<String> late = f.post(votes, DevTokens.dev().voter(2), "{\"option\":1}");
    assertThat(late.statusCode()).as("the edge missed the close, and took the vote: " + late.body()).isEqualTo(202);
    StackFixture.await("the late vote kept apart by the writer", () -> f.query("SELECT count(*) FROM vote_rejects WHERE poll_id = " + poll
      + " AND user_id = 2 AND reason = 'poll_closed'"), 1, 60);
    assertThat(f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll)).as("never counted").isEqualTo(1);
    assertThat(f.query("SELECT sum(count) FROM tallies WHERE poll_id = " + poll)).isEqualTo(1);
    assertThat(f.query("SELECT size FROM vote_log WHERE poll_id = " + poll)).as("nor logged").isEqualTo(1);
    String mine = f.get("/api/v1/polls/" + poll + "/votes/me", DevTokens.dev().voter(2)).body();
    assertThat(mine).as("the voter is told").contains("\"status\":\"rejected\"").contains("\"reason\":\"poll_closed\"");
    assertThat(f.get("/api/v1/polls/" + poll + "/votes/me", DevTokens.dev().voter(1)).body()).contains("\"status\":\"counted\"");
    String results = f.get("/api/v1/polls/" + poll + "/results", null).body();
    assertThat(results).contains("\"total\":1");
    // An edge that heard of a close answers 410 itself.
    int heard = f.createPoll("Closed through the API", 2);
    assertThat(f.post("/api/v1/polls/" + heard + "/close", DevTokens.dev().admin(1), "").statusCode()).isEqualTo(200);
    HttpResponse<String> refused = f.post("/api/v1/polls/" + heard + "/votes", DevTokens.dev().voter(3), "{\"option\":0}");
    assertThat(refused.statusCode()).isEqualTo(410);
    assertThat(refused.body()).contains("\"error\":\"poll_closed\"");
  }
}
