package io.landslide.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Built-in accounts' e-mail verification through the local mail sender (a file): the link's secret verifies once,
 * the next login's token says {@code email_verified}, and a verified-only poll takes it; a made-up, spent or expired
 * secret is refused with nothing changed; asking for a new link answers the same whether the address has an account.
 */
class EmailVerificationIT {
  private static final Path OUTBOX = outbox();
  private static final Pattern LINK = Pattern.compile("/verify#token=([A-Za-z0-9_-]{43})");

  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.with(Map.of("VOTING_MAIL_OUTBOX", OUTBOX.toString(), "VOTING_PUBLIC_URL", "https://vote.test.example"));

  private static Path outbox() {
    try {
      return Files.createTempDirectory("landslide-mail").resolve("outbox.jsonl");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String email() {
    return "viewer+" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return f.call(HttpMethod.POST, path, null, body.encode());
  }

  /** @return the messages sent to {@code to}, oldest first */
  private static List<JsonObject> mail(String to) throws Exception {
    if (!Files.exists(OUTBOX)) return List.of();
    return Files.readAllLines(OUTBOX, StandardCharsets.UTF_8).stream().map(JsonObject::new).filter(m -> to.equals(m.getString("to"))).toList();
  }

  private static String awaitLink(String to, int nth) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<JsonObject> got;
    while ((got = mail(to)).size() < nth) {
      if (System.nanoTime() > deadline) throw new AssertionError("no mail " + nth + " to " + to + " in " + OUTBOX);
      Thread.sleep(50);
    }
    JsonObject m = got.get(nth - 1);
    assertThat(m.getString("text")).startsWith("Open this link").contains("https://vote.test.example/verify#token=");
    Matcher x = LINK.matcher(m.getString("text"));
    assertThat(x.find()).isTrue();
    return x.group(1);
  }

  private static boolean verified(String email) throws Exception {
    try (Connection c = Schema.connect(TestStack.pg());
         PreparedStatement ps = c.prepareStatement("SELECT email_verified_at IS NOT NULL FROM users WHERE email_key = lower(?)")) {
      ps.setString(1, email);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static JsonObject claims(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("Register mails a link; its secret verifies once; the next login's token is email_verified and votes in a verified-only poll")
  void shouldVerifyThroughTheMailedLink() throws Exception {
    String email = email();
    assertThat(post("/api/v1/auth/register", new JsonObject().put("email", email).put("password", "long enough")).statusCode()).isEqualTo(201);
    String secret = awaitLink(email, 1);
    JsonObject before = post("/api/v1/auth/login", new JsonObject().put("email", email).put("password", "long enough")).bodyAsJsonObject();
    assertThat(claims(before.getString("token")).containsKey("email_verified")).isFalse();
    int poll = f.createPoll(new JsonObject().put("title", "Verified only").put("options", List.of("A", "B"))
      .put("eligibility", new JsonObject().put("verified", true)));
    HttpResponse<Buffer> early = f.vote(poll, before.getString("token"), "{\"option\": 0}");
    assertThat(early.statusCode()).isEqualTo(403);
    assertThat(early.bodyAsJsonObject().getString("error")).isEqualTo("not_eligible");

    HttpResponse<Buffer> ok = post("/api/v1/auth/verify", new JsonObject().put("token", secret));
    assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(200);
    assertThat(ok.bodyAsJsonObject().getBoolean("verified")).isTrue();
    assertThat(verified(email)).isTrue();
    HttpResponse<Buffer> spent = post("/api/v1/auth/verify", new JsonObject().put("token", secret));
    assertThat(spent.statusCode()).as("a spent link").isEqualTo(400);
    assertThat(spent.bodyAsJsonObject().getString("error")).isEqualTo("verification_invalid");

    String after = post("/api/v1/auth/login", new JsonObject().put("email", email).put("password", "long enough")).bodyAsJsonObject().getString("token");
    assertThat(claims(after).getBoolean("email_verified")).isTrue();
    assertThat(f.vote(poll, after, "{\"option\": 1}").statusCode()).isEqualTo(202);
    assertThat(f.recorded(poll)).hasSize(1);
  }

  @Test
  @DisplayName("A made-up, malformed or expired secret is refused (400) and verifies nothing")
  void shouldRefuseBadSecrets() throws Exception {
    String email = email();
    post("/api/v1/auth/register", new JsonObject().put("email", email).put("password", "long enough"));
    String secret = awaitLink(email, 1);
    HttpResponse<Buffer> madeUp = post("/api/v1/auth/verify", new JsonObject().put("token", "A".repeat(43)));
    assertThat(madeUp.statusCode()).isEqualTo(400);
    assertThat(madeUp.bodyAsJsonObject().getString("error")).isEqualTo("verification_invalid");
    for (Object bad : new Object[] {"short", 42, "A".repeat(42) + "!", null}) {
      HttpResponse<Buffer> r = post("/api/v1/auth/verify", new JsonObject().put("token", bad));
      assertThat(r.statusCode()).as(String.valueOf(bad)).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("bad_request");
    }
    // Expired: the same secret, its day passed.
    try (Connection c = Schema.connect(TestStack.pg());
         PreparedStatement ps = c.prepareStatement("UPDATE email_verifications SET expires_at = now() - interval '1 second'"
           + " WHERE user_id = (SELECT id FROM users WHERE email_key = lower(?))")) {
      ps.setString(1, email);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    HttpResponse<Buffer> expired = post("/api/v1/auth/verify", new JsonObject().put("token", secret));
    assertThat(expired.statusCode()).isEqualTo(400);
    assertThat(expired.bodyAsJsonObject().getString("error")).isEqualTo("verification_invalid");
    assertThat(verified(email)).as("nothing verified").isFalse();
    // A new link can be asked for, and works.
    assertThat(post("/api/v1/auth/verify/resend", new JsonObject().put("email", email)).statusCode()).isEqualTo(202);
    String fresh = awaitLink(email, 2);
    assertThat(fresh).isNotEqualTo(secret);
    assertThat(post("/api/v1/auth/verify", new JsonObject().put("token", fresh)).statusCode()).isEqualTo(200);
    assertThat(verified(email)).isTrue();
  }

  @Test
  @DisplayName("Asking for a new link answers 202 the same for an address without an account, and mails nothing there")
  void shouldNotTellWhichAddressesHaveAccounts() throws Exception {
    String nobody = email();
    HttpResponse<Buffer> r = post("/api/v1/auth/verify/resend", new JsonObject().put("email", nobody));
    String known = email();
    post("/api/v1/auth/register", new JsonObject().put("email", known).put("password", "long enough"));
    awaitLink(known, 1);
    HttpResponse<Buffer> k = post("/api/v1/auth/verify/resend", new JsonObject().put("email", known));
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(k.statusCode()).isEqualTo(202);
    assertThat(r.bodyAsString()).isEqualTo(k.bodyAsString());
    // A second link within the minute is not sent (no flooding an inbox); and nothing ever goes to the unknown address.
    // (Each 202 comes once its link, if any, was handed to the sender.)
    assertThat(mail(known)).hasSize(1);
    assertThat(mail(nobody)).isEmpty();
  }
}
