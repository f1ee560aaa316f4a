package io.landslide.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A person's data: exported to its own account, erased on request without changing a count. */
class PersonalDataIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();

  private static long query(String sql) throws Exception {
    try (Connection c = Schema.connect(TestStack.pg()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void sql(String sql) throws Exception {
    try (Connection c = Schema.connect(TestStack.pg()); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  @DisplayName("GET /me exports the account and its votes; DELETE /me erases the e-mail, the password and the networks, refuses the tokens, and keeps every vote and count")
  void shouldExportAndEraseAPersonsData() throws Exception {
    String email = "ada-" + UUID.randomUUID() + "@example.com";
    String creds = "{\"email\": \"" + email + "\", \"password\": \"correct horse\"}";
    long user = f.call(HttpMethod.POST, "/api/v1/auth/register", null, creds).bodyAsJsonObject().getLong("userId");
    String token = f.call(HttpMethod.POST, "/api/v1/auth/login", null, creds).bodyAsJsonObject().getString("token");
    int poll = f.openPoll();
    // As the writer stores it: the vote, its network, its tally.
    sql("INSERT INTO votes (poll_id, user_id, option_id, receipt, accepted_at, client_addr, bot_score, kafka_partition, kafka_offset) VALUES ("
      + poll + ", " + user + ", 1, gen_random_uuid(), now(), '203.0.113.0', 0, 0, 1)");
    sql("INSERT INTO tallies (poll_id, option_id, shard, count) VALUES (" + poll + ", 1, 0, 1)");

    JsonObject mine = f.call(HttpMethod.GET, "/api/v1/me", token, null).bodyAsJsonObject();
    assertThat(mine.getString("email")).isEqualTo(email);
    // (Other tests write votes under arbitrary voter indexes, this one's among them: find this poll's.)
    JsonObject vote = mine.getJsonArray("votes").stream().map(JsonObject.class::cast).filter(v -> v.getInteger("poll") == poll).findFirst().orElseThrow();
    assertThat(vote.getInteger("option")).isEqualTo(1);
    assertThat(vote.getString("network")).isEqualTo("203.0.113.0");
    assertThat(vote.getString("receipt")).hasSize(32);
    assertThat(f.call(HttpMethod.GET, "/api/v1/me", null, null).statusCode()).isEqualTo(401);

    assertThat(f.call(HttpMethod.DELETE, "/api/v1/me", token, "{\"erase\": false}").statusCode()).isEqualTo(400);
    assertThat(f.call(HttpMethod.DELETE, "/api/v1/me", token, "{}").statusCode()).isEqualTo(400);
    assertThat(query("SELECT count(*) FROM users WHERE email_key = '" + email + "'")).as("nothing erased by a bad request").isEqualTo(1);

    JsonObject erased = f.call(HttpMethod.DELETE, "/api/v1/me", token, "{\"erase\": true}").bodyAsJsonObject();
    assertThat(erased.getBoolean("erased")).isTrue();
    assertThat(query("SELECT count(*) FROM users WHERE email_key = '" + email + "' OR email = '" + email + "'")).as("the e-mail is gone").isZero();
    assertThat(f.call(HttpMethod.POST, "/api/v1/auth/login", null, creds).statusCode()).as("no login").isEqualTo(401);
    assertThat(f.call(HttpMethod.GET, "/api/v1/me", token, null).statusCode()).as("its tokens refused").isEqualTo(401);
    assertThat(query("SELECT count(*) FROM votes WHERE poll_id = " + poll + " AND user_id = " + user + " AND client_addr IS NULL"))
      .as("the vote kept, without its network").isEqualTo(1);
    assertThat(query("SELECT sum(count) FROM tallies WHERE poll_id = " + poll)).as("the count unchanged").isEqualTo(1);
    assertThat(query("SELECT count(*) FROM admin_actions WHERE action = 'erase_personal_data' AND (details->>'user')::bigint = " + user)).isEqualTo(1);
    // The address can be registered anew: a new account, a new voter index.
    assertThat(f.call(HttpMethod.POST, "/api/v1/auth/register", null, creds).bodyAsJsonObject().getLong("userId")).isNotEqualTo(user);
  }
}
