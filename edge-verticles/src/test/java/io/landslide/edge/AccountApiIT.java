package io.landslide.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.edge.account.AccountConfig;
import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Accounts through HTTP on the real stack: every rejection also proves no account was created. */
class AccountApiIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();

  private static String email(String local) {
    return local + "+" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  private static HttpResponse<Buffer> register(String email, String password) {
    return f.call(HttpMethod.POST, "/api/v1/auth/register", null, new JsonObject().put("email", email).put("password", password).encode());
  }

  private static HttpResponse<Buffer> login(String email, String password) {
    return f.call(HttpMethod.POST, "/api/v1/auth/login", null, new JsonObject().put("email", email).put("password", password).encode());
  }

  private static long users() {
    try (Connection c = Schema.connect(TestStack.pg()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo(code);
    assertThat(r.bodyAsJsonObject().getString("message")).isNotBlank();
  }

  @Test
  @DisplayName("Register gives dense ids in order; login gives a token that votes as that user")
  void shouldRegisterLogInAndVoteAsThatUser() {
    String a = email("ada");
    String b = email("bob");
    HttpResponse<Buffer> ra = register(a, "correct horse");
    HttpResponse<Buffer> rb = register(b, "battery staple");
    assertThat(ra.statusCode()).isEqualTo(201);
    assertThat(rb.statusCode()).isEqualTo(201);
    long idA = ra.bodyAsJsonObject().getLong("userId");
    assertThat(idA).isPositive();
    assertThat(rb.bodyAsJsonObject().getLong("userId")).as("dense, in order").isEqualTo(idA + 1);

    HttpResponse<Buffer> in = login(a.toUpperCase(java.util.Locale.ROOT), "correct horse"); // emails compare case-insensitively
    assertThat(in.statusCode()).isEqualTo(200);
    assertThat(in.bodyAsJsonObject().getLong("expiresIn")).isEqualTo(AccountConfig.DEFAULT_TOKEN_TTL_SECONDS);
    String token = in.bodyAsJsonObject().getString("token");

    int poll = f.openPoll();
    assertThat(f.vote(poll, token, "{\"option\": 2}").statusCode()).isEqualTo(202);
    assertThat(f.recorded(poll)).singleElement().satisfies(v -> {
      assertThat(v.userId()).isEqualTo(idA);
      assertThat(v.option()).isEqualTo(2);
    });
  }

  @Test
  @DisplayName("An email already taken, in any case: 409 email_taken, no account, and no id used up")
  void shouldRefuseATakenEmailWhateverItsCase() {
    String e = email("Mixed.Case");
    long first = register(e, "password one").bodyAsJsonObject().getLong("userId");
    long before = users();
    assertError(register(e.toLowerCase(java.util.Locale.ROOT), "password two"), 409, "email_taken");
    assertError(register(" " + e.toUpperCase(java.util.Locale.ROOT) + " ", "password two"), 409, "email_taken");
    assertThat(users()).isEqualTo(before);
    assertThat(register(email("next"), "password three").bodyAsJsonObject().getLong("userId")).isEqualTo(first + 1);
  }

  @Test
  @DisplayName("Bad registrations: 400 bad_request (or 413), and no account")
  void shouldRejectBadRegistrations() {
    long before = users();
    String ok = email("ok");
    String[] bodies = {
      "", "not json", "[]", "\"a string\"", "{}", "{\"email\": \"" + ok + "\"}", "{\"password\": \"long enough\"}",
      "{\"email\": 42, \"password\": \"long enough\"}", "{\"email\": \"" + ok + "\", \"password\": 12345678}",
      "{\"email\": null, \"password\": \"long enough\"}",
      new JsonObject().put("email", "not-an-email").put("password", "long enough").encode(),
      new JsonObject().put("email", "a@b").put("password", "long enough").encode(),
      new JsonObject().put("email", "@example.com").put("password", "long enough").encode(),
      new JsonObject().put("email", "two@at@example.com").put("password", "long enough").encode(),
      new JsonObject().put("email", "sp ace@example.com").put("password", "long enough").encode(),
      new JsonObject().put("email", "dots..in@example.com").put("password", "long enough").encode(),
      new JsonObject().put("email", "x@example..com").put("password", "long enough").encode(),
      new JsonObject().put("email", "nul\u0000@example.com").put("password", "long enough").encode(),
      "{\"email\": \"\\ud800@example.com\", \"password\": \"long enough\"}", // a lone surrogate, as JSON escapes it
      new JsonObject().put("email", "a".repeat(65) + "@example.com").put("password", "long enough").encode(),
      new JsonObject().put("email", "a@" + "b".repeat(250) + ".com").put("password", "long enough").encode(),
      new JsonObject().put("email", ok).put("password", "seven77").encode(),
      new JsonObject().put("email", ok).put("password", "\ud83d\ude00".repeat(7)).encode(), // 7 characters, 14 UTF-16 units
      new JsonObject().put("email", ok).put("password", "p".repeat(1025)).encode(),
      new JsonObject().put("email", ok).put("password", "nul\u0000password").encode(),
    };
    for (String body : bodies) {
      HttpResponse<Buffer> r = f.call(HttpMethod.POST, "/api/v1/auth/register", null, body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertError(r, 400, "bad_request");
    }
    assertError(f.call(HttpMethod.POST, "/api/v1/auth/register", null,
      new JsonObject().put("email", ok).put("password", "p".repeat(5000)).encode()), 413, "payload_too_large");
    assertThat(users()).isEqualTo(before);
    assertError(login(ok, "long enough"), 401, "invalid_credentials");
  }

  @Test
  @DisplayName("SQL metacharacters and unicode in an email are stored as given, and log in")
  void shouldStoreEmailsLiterally() {
    String e = "o'brien;--drop+" + UUID.randomUUID().toString().substring(0, 8) + "@exämple.com";
    long before = users();
    assertThat(register(e, "p@ss'; DROP TABLE users;--").statusCode()).isEqualTo(201);
    assertThat(login(e, "p@ss'; DROP TABLE users;--").statusCode()).isEqualTo(200);
    assertThat(users()).isEqualTo(before + 1);
  }

  @Test
  @DisplayName("A wrong password and an unknown email get the same 401 invalid_credentials")
  void shouldNotTellWhichPartWasWrong() {
    String e = email("carol");
    assertThat(register(e, "the right one").statusCode()).isEqualTo(201);
    HttpResponse<Buffer> wrongPassword = login(e, "the wrong one");
    HttpResponse<Buffer> unknownEmail = login(email("nobody"), "the right one");
    assertError(wrongPassword, 401, "invalid_credentials");
    assertThat(unknownEmail.statusCode()).isEqualTo(401);
    assertThat(unknownEmail.bodyAsString()).isEqualTo(wrongPassword.bodyAsString());
    assertError(f.call(HttpMethod.POST, "/api/v1/auth/login", null, "{\"email\": \"" + e + "\"}"), 400, "bad_request");
  }
}
