package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Admin tokens are short-lived and revocable, on every edge. */
class AdminTokensIT {
  private static final String HS = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  private static final String POLL = "{\"title\": \"t\", \"options\": [\"a\", \"b\"]}";

  private static String admin(long user, long iat, long exp) {
    return TOKENS.sign(HS, "{\"sub\":\"" + user + "\",\"iat\":" + iat + ",\"exp\":" + exp + ",\"roles\":[\"admin\"]}");
  }

  private static long query(String sql) throws Exception {
    try (Connection c = Schema.connect(TestStack.pg()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void assertUnauthorized(HttpResponse<Buffer> r, String why) {
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
    assertThat(r.bodyAsJsonObject().getString("message")).contains(why);
  }

  @Test
  @DisplayName("An admin token lives at most 15 minutes and says when it was issued; a longer one, or one without iat, is refused and changes nothing")
  void shouldRefuseLongLivedAdminTokens() throws Exception {
    try (EdgeFixture f = EdgeFixture.started(Map.of())) {
      long now = System.currentTimeMillis() / 1000;
      long polls = query("SELECT count(*) FROM polls");
      assertUnauthorized(f.call(HttpMethod.POST, "/api/v1/polls", admin(1, now, now + 3600), POLL), "at most 900");
      assertUnauthorized(f.call(HttpMethod.POST, "/api/v1/polls", TOKENS.sign(HS, "{\"sub\":\"1\",\"exp\":" + (now + 600) + ",\"roles\":[\"admin\"]}"), POLL), "iat");
      assertThat(query("SELECT count(*) FROM polls")).as("nothing created").isEqualTo(polls);
      assertThat(f.call(HttpMethod.POST, "/api/v1/polls", admin(1, now, now + 900), POLL).statusCode()).isEqualTo(201);
      // A voter's token is not concerned: it lives the show.
      int poll = f.openPoll();
      assertThat(f.vote(poll, TOKENS.sign(HS, "{\"sub\":\"4242\",\"iat\":" + now + ",\"exp\":" + (now + 6 * 3600) + "}"), "{\"option\":0}").statusCode()).isEqualTo(202);
    }
  }

  @Test
  @DisplayName("Revoking an admin's tokens refuses them on every edge (the revoking one at once, another within its reload), recorded with who; a token issued after is taken; bad requests change nothing")
  void shouldRevokeAcrossEdges() throws Exception {
    try (EdgeFixture a = EdgeFixture.started(Map.of()); EdgeFixture b = EdgeFixture.started(Map.of())) {
      long user = 800_000 + (System.nanoTime() & 0xffff);
      long now = System.currentTimeMillis() / 1000;
      String stolen = admin(user, now - 10, now + 800);
      assertThat(a.call(HttpMethod.POST, "/api/v1/polls", stolen, POLL).statusCode()).isEqualTo(201);
      assertThat(b.call(HttpMethod.POST, "/api/v1/polls", stolen, POLL).statusCode()).isEqualTo(201);

      assertThat(a.call(HttpMethod.POST, "/api/v1/admin/revocations", TOKENS.voter(5), "{\"user\": " + user + "}").statusCode()).isEqualTo(403);
      assertThat(a.call(HttpMethod.POST, "/api/v1/admin/revocations", TOKENS.admin(1), "{\"user\": \"x\"}").statusCode()).isEqualTo(400);
      assertThat(a.call(HttpMethod.POST, "/api/v1/admin/revocations", TOKENS.admin(1), "{\"user\": 1, \"user\": " + user + "}").statusCode()).isEqualTo(400);
      assertThat(query("SELECT count(*) FROM admin_revocations WHERE user_id = " + user)).as("nothing revoked by bad requests").isZero();

      HttpResponse<Buffer> revoked = a.call(HttpMethod.POST, "/api/v1/admin/revocations", TOKENS.admin(1), "{\"user\": " + user + "}");
      assertThat(revoked.statusCode()).isEqualTo(200);
      assertUnauthorized(a.call(HttpMethod.POST, "/api/v1/polls", stolen, POLL), "revoked");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      int onB;
      while ((onB = b.call(HttpMethod.POST, "/api/v1/polls/1/close", stolen, null).statusCode()) != 401 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(onB).as("refused on the other edge too").isEqualTo(401);
      assertThat(query("SELECT count(*) FROM admin_actions WHERE action = 'revoke_tokens' AND actor = 'user:1' AND (details->>'user')::bigint = " + user))
        .isEqualTo(1);

      long before = java.time.Instant.parse(revoked.bodyAsJsonObject().getString("revokedBefore")).getEpochSecond();
      String fresh = admin(user, before + 1, before + 600);
      assertThat(a.call(HttpMethod.POST, "/api/v1/polls", fresh, POLL).statusCode()).as("a token issued after the revocation").isEqualTo(201);
    }
  }

  @Test
  @DisplayName("An admin account's login token lives 15 minutes; a voter's the configured 6 hours")
  void shouldIssueShortTokensToAdmins() throws Exception {
    try (EdgeFixture f = EdgeFixture.started(Map.of())) {
      String email = "admin-" + UUID.randomUUID() + "@example.com";
      assertThat(f.call(HttpMethod.POST, "/api/v1/auth/register", null, "{\"email\": \"" + email + "\", \"password\": \"correct horse\"}").statusCode()).isEqualTo(201);
      JsonObject voter = f.call(HttpMethod.POST, "/api/v1/auth/login", null, "{\"email\": \"" + email + "\", \"password\": \"correct horse\"}").bodyAsJsonObject();
      assertThat(voter.getLong("expiresIn")).isEqualTo(6 * 3600);
      try (Connection c = Schema.connect(TestStack.pg()); Statement s = c.createStatement()) {
        s.execute("UPDATE users SET roles = '{admin}' WHERE email_key = '" + email + "'");
      }
      JsonObject admin = f.call(HttpMethod.POST, "/api/v1/auth/login", null, "{\"email\": \"" + email + "\", \"password\": \"correct horse\"}").bodyAsJsonObject();
      assertThat(admin.getLong("expiresIn")).isEqualTo(900);
      assertThat(f.call(HttpMethod.POST, "/api/v1/polls", admin.getString("token"), POLL).statusCode()).isEqualTo(201);
    }
  }
}
