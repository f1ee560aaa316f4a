package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.edge.poll.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Polls, results and operations endpoints on the real stack. */
class PollApiIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo(code);
  }

  private static long pollCount() {
    return f.call(HttpMethod.GET, "/api/v1/polls", null, null).bodyAsJsonArray().size();
  }

  @Test
  @DisplayName("An admin creates a poll; it is listed, fetched, closed; its results start at zero")
  void shouldCreateListGetCloseAndShowResults() {
    String opens = "2026-01-01T10:00:00Z";
    HttpResponse<Buffer> created = f.call(HttpMethod.POST, "/api/v1/polls", TOKENS.admin(1),
      new JsonObject().put("title", "Who wins? ✓").put("options", List.of("Red", "Blue")).put("opensAt", opens).encode());
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject poll = created.bodyAsJsonObject();
    int id = poll.getInteger("id");
    assertThat(poll.getString("title")).isEqualTo("Who wins? ✓");
    assertThat(poll.getString("status")).isEqualTo("open");
    assertThat(poll.getJsonArray("options")).isEqualTo(new JsonArray().add(new JsonObject().put("id", 0).put("label", "Red"))
      .add(new JsonObject().put("id", 1).put("label", "Blue")));
    assertThat(Instant.parse(poll.getString("opensAt"))).isEqualTo(Instant.parse(opens));
    assertThat(poll.getValue("closesAt")).isNull();

    assertThat(f.call(HttpMethod.GET, "/api/v1/polls", null, null).bodyAsJsonArray().stream()
      .map(o -> ((JsonObject) o).getInteger("id"))).contains(id);
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + id, null, null).bodyAsJsonObject()).isEqualTo(poll);

    JsonObject results = f.call(HttpMethod.GET, "/api/v1/polls/" + id + "/results", null, null).bodyAsJsonObject();
    assertThat(results.getInteger("poll")).isEqualTo(id);
    assertThat(results.getLong("total")).isZero();
    assertThat(results.getJsonArray("options").getJsonObject(1)).isEqualTo(new JsonObject().put("id", 1).put("label", "Blue").put("count", 0));
    assertThat(results.getBoolean("final")).isFalse();
    assertThat(Instant.parse(results.getString("asOf"))).isNotNull();

    HttpResponse<Buffer> closed = f.call(HttpMethod.POST, "/api/v1/polls/" + id + "/close", TOKENS.admin(1), null);
    assertThat(closed.statusCode()).isEqualTo(200);
    assertThat(closed.bodyAsJsonObject().getString("status")).isEqualTo("closed");
    assertThat(closed.bodyAsJsonObject().getString("closesAt")).isNotNull();
    assertThat(f.call(HttpMethod.POST, "/api/v1/polls/" + id + "/close", TOKENS.admin(1), null).statusCode()).as("idempotent").isEqualTo(200);
  }

  @Test
  @DisplayName("A cleartext HTTP/2 upgrade is declined: the answer comes over HTTP/1.1")
  void shouldDeclineCleartextHttp2Upgrades() throws Exception {
    java.net.http.HttpClient h2 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();
    java.net.http.HttpResponse<String> r = h2.send(java.net.http.HttpRequest.newBuilder(
      java.net.URI.create("http://localhost:" + f.config.http().port() + "/api/v1/polls")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
  }

  @Test
  @DisplayName("HTTP/2 with prior knowledge over cleartext (the h2 preface, no upgrade) is not spoken: an HTTP/1 error status, and the connection closed")
  void shouldRefuseH2cPriorKnowledge() throws Exception {
    try (java.net.Socket s = new java.net.Socket("localhost", f.config.http().port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      // An HTTP/1 status line (Netty's decoder answers 501 to the preface), not the SETTINGS frame an h2 server sends,
      // and readAllBytes returned: the connection was closed.
      assertThat(answer).matches("(?s)HTTP/[0-9.]+ [45][0-9][0-9] .*");
    }
  }

  @Test
  @DisplayName("GET /api/v1/openapi.yaml serves the contract document, every code in it")
  void shouldServeTheOpenApiDocument() {
    HttpResponse<Buffer> r = f.call(HttpMethod.GET, "/api/v1/openapi.yaml", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).startsWith("application/yaml");
    assertThat(r.bodyAsString()).startsWith("openapi: 3").contains("/api/v1/polls/{id}/votes").contains("poll_not_found");
  }

  @Test
  @DisplayName("Poll admin calls: 401 without a token, 403 forbidden without the admin role; nothing created")
  void shouldRequireTheAdminRole() {
    long before = pollCount();
    String body = new JsonObject().put("title", "t").put("options", List.of("a", "b")).encode();
    assertError(f.call(HttpMethod.POST, "/api/v1/polls", null, body), 401, "unauthorized");
    assertError(f.call(HttpMethod.POST, "/api/v1/polls", TOKENS.voter(5), body), 403, "forbidden");
    int id = f.openPoll();
    assertError(f.call(HttpMethod.POST, "/api/v1/polls/" + id + "/close", TOKENS.voter(5), null), 403, "forbidden");
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + id, null, null).bodyAsJsonObject().getString("status")).isEqualTo("open");
    assertThat(pollCount()).isEqualTo(before + 1);
  }

  @Test
  @DisplayName("Poll bodies outside the contract get 400 bad_request and create nothing")
  void shouldValidatePollBodies() {
    long before = pollCount();
    List<String> bad = List.of("", "nope", "[]", "{}",
      new JsonObject().put("title", "").put("options", List.of("a", "b")).encode(),
      new JsonObject().put("title", "x".repeat(201)).put("options", List.of("a", "b")).encode(),
      new JsonObject().put("title", 5).put("options", List.of("a", "b")).encode(),
      new JsonObject().put("title", "t").put("options", List.of("a")).encode(),
      new JsonObject().put("title", "t").put("options", Collections.nCopies(33, "a")).encode(),
      new JsonObject().put("title", "t").put("options", List.of("a", "x".repeat(101))).encode(),
      new JsonObject().put("title", "t").put("options", List.of("a", "")).encode(),
      new JsonObject().put("title", "t").put("options", List.of("a", "a")).encode(),
      new JsonObject().put("title", "t").put("options", new JsonArray().add("a").add(2)).encode(),
      new JsonObject().put("title", "t").put("options", List.of("a", "b")).put("opensAt", "tomorrow").encode(),
      new JsonObject().put("title", "t").put("options", List.of("a", "b")).put("opensAt", "2030-01-02T00:00:00Z")
        .put("closesAt", "2030-01-01T00:00:00Z").encode(),
      new JsonObject().put("title", "t\u0000").put("options", List.of("a", "b")).encode(),
      "{\"title\":\"t\",\"options\":[\"a\",\"b\"],\"opensAt\":\"2030-01-01T00:00:00Z\"; DROP TABLE polls; --\"}");
    for (String body : bad) assertError(f.call(HttpMethod.POST, "/api/v1/polls", TOKENS.admin(1), body), 400, "bad_request");
    assertThat(pollCount()).isEqualTo(before);
    String huge = "{\"title\":\"" + "x".repeat(40_000) + "\",\"options\":[\"a\",\"b\"]}";
    assertError(f.call(HttpMethod.POST, "/api/v1/polls", TOKENS.admin(1), huge), 413, "payload_too_large");
    assertThat(pollCount()).isEqualTo(before);
  }

  @Test
  @DisplayName("Labels with SQL metacharacters and non-ASCII text are stored as given")
  void shouldStoreLabelsVerbatim() {
    List<String> labels = List.of("'; DROP TABLE votes; --", "Ünïcödé 😀", "a\"b\\c");
    int id = f.createPoll(new JsonObject().put("title", "O'Brien vs. \"the rest\"").put("options", labels));
    JsonObject p = f.call(HttpMethod.GET, "/api/v1/polls/" + id, null, null).bodyAsJsonObject();
    assertThat(p.getString("title")).isEqualTo("O'Brien vs. \"the rest\"");
    assertThat(p.getJsonArray("options").stream().map(o -> ((JsonObject) o).getString("label"))).containsExactlyElementsOf(labels);
  }

  @Test
  @DisplayName("A scheduled poll is shown to admins only until it opens: hidden from the list, the poll, results and live streams; a vote gets 409 poll_not_open")
  void shouldHideScheduledPollsFromAllButAdmins() {
    // Unique to this run: the test database outlives runs, and an earlier run's scheduled poll has opened since.
    String secret = "Tonight's secret " + java.util.UUID.randomUUID();
    String spoiler = "Spoiler " + java.util.UUID.randomUUID();
    int id = f.createPoll(new JsonObject().put("title", secret).put("options", java.util.List.of(spoiler, "Spoiler B"))
      .put("opensAt", java.time.Instant.now().plusSeconds(3600).toString()));
    for (String token : new String[] {null, TOKENS.voter(5), "not a token"}) {
      assertThat(f.call(HttpMethod.GET, "/api/v1/polls", token, null).bodyAsString()).doesNotContain(secret).doesNotContain(spoiler);
      assertError(f.call(HttpMethod.GET, "/api/v1/polls/" + id, token, null), 404, "poll_not_found");
      assertError(f.call(HttpMethod.GET, "/api/v1/polls/" + id + "/results", token, null), 404, "poll_not_found");
      assertError(f.call(HttpMethod.GET, "/api/v1/polls/" + id + "/events", token, null), 404, "poll_not_found");
    }
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + id, TOKENS.admin(1), null).bodyAsJsonObject().getString("status")).isEqualTo("scheduled");
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls", TOKENS.admin(1), null).bodyAsString()).contains(secret);
    assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + id + "/results", TOKENS.admin(1), null).statusCode()).isEqualTo(200);
    assertError(f.call(HttpMethod.POST, "/api/v1/polls/" + id + "/votes", TOKENS.voter(5), "{\"option\":0}"), 409, "poll_not_open");
  }

  @Test
  @DisplayName("404s: unknown polls and unknown routes answer the contract's JSON")
  void shouldAnswerNotFoundInJson() {
    assertError(f.call(HttpMethod.GET, "/api/v1/polls/2147483647", null, null), 404, "poll_not_found");
    assertError(f.call(HttpMethod.GET, "/api/v1/polls/x", null, null), 404, "poll_not_found");
    assertError(f.call(HttpMethod.GET, "/api/v1/polls/2147483647/results", null, null), 404, "poll_not_found");
    assertError(f.call(HttpMethod.POST, "/api/v1/polls/2147483647/close", TOKENS.admin(1), null), 404, "poll_not_found");
    assertError(f.call(HttpMethod.GET, "/api/v1/nothing-here", null, null), 404, "not_found");
    assertError(f.call(HttpMethod.GET, "/../../etc/passwd", null, null), 404, "not_found");
  }

  @Test
  @DisplayName("Operations: live, ready (Redis, Kafka, PostgreSQL up), Prometheus metrics, the web page")
  void shouldServeOperationsEndpoints() {
    assertThat(f.call(HttpMethod.GET, "/health/live", null, null).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ready = f.call(HttpMethod.GET, "/health/ready", null, null);
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getMap()).containsValues("UP").doesNotContainValue("DOWN");
    int poll = f.openPoll();
    f.vote(poll, TOKENS.voter(77), "{\"option\":0}");
    String metrics = f.call(HttpMethod.GET, "/metrics", null, null).bodyAsString();
    assertThat(metrics).contains("landslide_votes_total{outcome=\"accepted\"}").contains("landslide_http_connections");
    HttpResponse<Buffer> page = f.call(HttpMethod.GET, "/", null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).contains("Landslide");
  }
}
