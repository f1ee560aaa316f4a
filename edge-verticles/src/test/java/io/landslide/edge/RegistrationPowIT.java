package io.landslide.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.PowHash;
import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Registration under attack: a proof of work bound to the e-mail, when configured. */
class RegistrationPowIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.with(Map.of("VOTING_REGISTER_POW_DIFFICULTY", "8"));

  private static long accounts(String email) throws Exception {
    try (Connection c = Schema.connect(TestStack.pg()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM users WHERE email_key = '" + email + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static JsonObject solved(String email) {
    JsonObject ch = f.call(HttpMethod.GET, "/api/v1/auth/challenge?email=" + URLEncoder.encode(email, StandardCharsets.UTF_8), null, null).bodyAsJsonObject();
    assertThat(ch.getInteger("difficulty")).isEqualTo(8);
    assertThat(ch.getInteger("poll")).isZero();
    long nonce = PowHash.solve(ch.getString("challenge"), Long.parseLong(ch.getString("sub")), 0, 8);
    return new JsonObject().put("challenge", ch.getString("challenge")).put("expires", ch.getLong("expires"))
      .put("signature", ch.getString("signature")).put("nonce", Long.toString(nonce));
  }

  private static HttpResponse<Buffer> register(String email, JsonObject pow) {
    JsonObject body = new JsonObject().put("email", email).put("password", "correct horse");
    if (pow != null) body.put("pow", pow);
    return f.call(HttpMethod.POST, "/api/v1/auth/register", null, body.encode());
  }

  @Test
  @DisplayName("With VOTING_REGISTER_POW_DIFFICULTY set, a registration needs a proof of work bound to its e-mail: without one, or with another address's, 403 challenge_required and no account")
  void shouldAskRegistrationsForAProofOfWork() throws Exception {
    String email = "pow-" + UUID.randomUUID() + "@example.com";
    HttpResponse<Buffer> none = register(email, null);
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(none.bodyAsJsonObject().getString("error")).isEqualTo("challenge_required");
    assertThat(accounts(email)).isZero();

    JsonObject pow = solved(email);
    String other = "other-" + UUID.randomUUID() + "@example.com";
    assertThat(register(other, pow).statusCode()).as("one solution registers one address").isEqualTo(403);
    assertThat(accounts(other)).isZero();
    JsonObject forged = pow.copy().put("signature", pow.getString("signature").substring(1) + "A");
    assertThat(register(email, forged).statusCode()).as("a forged signature").isEqualTo(403);
    assertThat(accounts(email)).isZero();
    assertThat(register(email.toUpperCase(java.util.Locale.ROOT), pow).statusCode()).as("bound to the normalised address").isEqualTo(201);
    assertThat(accounts(email)).isEqualTo(1);
    assertThat(f.call(HttpMethod.GET, "/api/v1/auth/challenge", null, null).statusCode()).isEqualTo(400);
    assertThat(f.call(HttpMethod.GET, "/api/v1/auth/challenge?email=not-an-email", null, null).statusCode()).isEqualTo(400);
  }
}
