package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input across every endpoint, sent as raw HTTP (no client normalises a path): each gets the contract's status
 * and a stable error code in the contract's shape, and afterwards nothing was recorded: no vote on Kafka, no bit in
 * Redis, no poll, no account.
 */
class BadInputIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.onSharedStack();
  private static HttpClient raw;

  /** One bad request and the answer it must get. */
  private record Case(String name, HttpMethod method, String uri, String token, Map<String, String> headers, String body, int status, String code) {
  }

  @BeforeAll
  static void start() {
    // A connection per request: a bad request may end with the server closing its connection, and must not affect the next.
    raw = f.client.createHttpClient(new HttpClientOptions().setDefaultPort(f.config.http().port()).setMaxHeaderSize(64 * 1024).setKeepAlive(false));
  }

  @AfterAll
  static void stop() throws Exception {
    raw.close().await(10, TimeUnit.SECONDS);
  }

  private static long count(String table) {
    try (Connection c = Schema.connect(TestStack.pg()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  private static Case c(String name, HttpMethod m, String uri, String token, String body, int status, String code) {
    return new Case(name, m, uri, token, Map.of(), body, status, code);
  }

  @Test
  @DisplayName("Bad input on every endpoint: the contract's status and code, and nothing recorded")
  void shouldRefuseBadInputAndRecordNothing() throws Exception {
    int poll = f.openPoll();
    long user = 11_000_001;
    String voter = TOKENS.voter(user);
    String admin = TOKENS.admin(1);
    String votes = "/api/v1/polls/" + poll + "/votes";
    long now = Instant.now().getEpochSecond();
    String hs = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    String validPoll = "\"options\": [\"A\", \"B\"]";
    List<Case> cases = new ArrayList<>(List.of(
      // votes: bodies
      c("vote: not JSON", HttpMethod.POST, votes, voter, "{option: 0}", 400, "bad_request"),
      c("vote: option as a string escape", HttpMethod.POST, votes, voter, "{\"option\": \"\\u0030\"}", 400, "bad_request"),
      c("vote: option 1e300", HttpMethod.POST, votes, voter, "{\"option\": 1e300}", 400, "bad_request"),
      c("vote: option NaN", HttpMethod.POST, votes, voter, "{\"option\": NaN}", 400, "bad_request"),
      c("vote: pow not an object", HttpMethod.POST, votes, voter, "{\"option\": 0, \"pow\": \"solved\"}", 400, "bad_request"),
      c("vote: option twice (the last would win)", HttpMethod.POST, votes, voter, "{\"option\": 0, \"option\": 1}", 400, "bad_request"),
      c("vote: option twice, once escaped", HttpMethod.POST, votes, voter, "{\"option\": 0, \"\\u006fption\": 1}", 400, "bad_request"),
      c("vote: JSON bomb over 1 KiB", HttpMethod.POST, votes, voter, "{\"option\": 0, \"x\": " + nested(600) + "}", 413, "payload_too_large"),
      c("vote: an array", HttpMethod.POST, votes, voter, "[{\"option\": 0}]", 400, "bad_request"),
      c("vote: option out of range", HttpMethod.POST, votes, voter, "{\"option\": 3}", 422, "invalid_option"),
      c("vote: negative option", HttpMethod.POST, votes, voter, "{\"option\": -1}", 422, "invalid_option"),
      // votes: paths
      c("vote: poll id with traversal", HttpMethod.POST, "/api/v1/polls/..%2f" + poll + "/votes", voter, "{\"option\": 0}", 404, "poll_not_found"),
      c("vote: poll id with a NUL", HttpMethod.POST, "/api/v1/polls/" + poll + "%00/votes", voter, "{\"option\": 0}", 404, "poll_not_found"),
      c("vote: poll id past int", HttpMethod.POST, "/api/v1/polls/99999999999/votes", voter, "{\"option\": 0}", 404, "poll_not_found"),
      c("vote: SQL in the poll id", HttpMethod.POST, "/api/v1/polls/1;DROP%20TABLE%20votes/votes", voter, "{\"option\": 0}", 404, "poll_not_found"),
      c("vote: Arabic-Indic digits as poll id", HttpMethod.POST, "/api/v1/polls/%D9%A1/votes", voter, "{\"option\": 0}", 404, "poll_not_found"),
      // tokens
      c("token: 5,000 characters", HttpMethod.POST, votes, "x".repeat(5000), "{\"option\": 0}", 401, "unauthorized"),
      c("token: SQL in sub", HttpMethod.POST, votes, TOKENS.sign(hs, "{\"sub\":\"1 OR 1=1\",\"exp\":" + (now + 600) + "}"), "{\"option\": 0}", 401, "unauthorized"),
      c("token: Arabic-Indic digits in sub", HttpMethod.POST, votes, TOKENS.sign(hs, "{\"sub\":\"\u0661\u0662\",\"exp\":" + (now + 600) + "}"), "{\"option\": 0}", 401, "unauthorized"),
      c("token: a crit header (RFC 7515: an extension this edge does not understand)", HttpMethod.POST, votes,
        TOKENS.sign("{\"alg\":\"HS256\",\"crit\":[\"x-unknown\"],\"x-unknown\":1}", "{\"sub\":\"" + user + "\",\"exp\":" + (now + 600) + "}"), "{\"option\": 0}", 401, "unauthorized"),
      c("token: a crit header spelled with an escape", HttpMethod.POST, votes,
        TOKENS.sign("{\"alg\":\"HS256\",\"\\u0063rit\":[\"x\"]}", "{\"sub\":\"" + user + "\",\"exp\":" + (now + 600) + "}"), "{\"option\": 0}", 401, "unauthorized"),
      c("token: exp ten years ahead", HttpMethod.POST, votes, TOKENS.sign(hs, "{\"sub\":\"" + user + "\",\"exp\":" + (now + 10L * 365 * 86400) + "}"), "{\"option\": 0}", 401, "unauthorized"),
      c("token: HS512 header on an HS256 signature", HttpMethod.POST, votes, TOKENS.sign("{\"alg\":\"HS512\"}", "{\"sub\":\"" + user + "\",\"exp\":" + (now + 600) + "}"), "{\"option\": 0}", 401, "unauthorized"),
      c("token: claims swapped in from another token", HttpMethod.POST, votes, swapClaims(voter, TOKENS.voter(user + 1)), "{\"option\": 0}", 401, "unauthorized"),
      c("token: exp as a string", HttpMethod.POST, votes, TOKENS.sign(hs, "{\"sub\":\"" + user + "\",\"exp\":\"" + (now + 600) + "\"}"), "{\"option\": 0}", 401, "unauthorized"),
      c("token: future nbf", HttpMethod.POST, votes, TOKENS.sign(hs, "{\"sub\":\"" + user + "\",\"exp\":" + (now + 600) + ",\"nbf\":" + (now + 3600) + "}"), "{\"option\": 0}", 401, "unauthorized"),
      c("token: another secret", HttpMethod.POST, votes, new DevTokens("a different secret, long enough to be one").voter(user), "{\"option\": 0}", 401, "unauthorized"),
      // polls
      c("poll: JSON bomb", HttpMethod.POST, "/api/v1/polls", admin, "{\"title\": " + nested(5000) + ", " + validPoll + "}", 400, "bad_request"),
      c("poll: body over 32 KiB", HttpMethod.POST, "/api/v1/polls", admin, "{\"title\": \"" + "t".repeat(40_000) + "\", " + validPoll + "}", 413, "payload_too_large"),
      c("poll: right-to-left override in the title", HttpMethod.POST, "/api/v1/polls", admin, "{\"title\": \"Vote \\u202Eevil\", " + validPoll + "}", 400, "bad_request"),
      c("poll: lone surrogate in a label", HttpMethod.POST, "/api/v1/polls", admin, "{\"title\": \"t\", \"options\": [\"A\", \"\\ud800\"]}", 400, "bad_request"),
      c("poll: NUL in a label", HttpMethod.POST, "/api/v1/polls", admin, "{\"title\": \"t\", \"options\": [\"A\", \"B\\u0000\"]}", 400, "bad_request"),
      c("poll: 101 emoji in a label", HttpMethod.POST, "/api/v1/polls", admin, "{\"title\": \"t\", \"options\": [\"A\", \"" + "\uD83D\uDE00".repeat(101) + "\"]}", 400, "bad_request"),
      c("poll: impossible date", HttpMethod.POST, "/api/v1/polls", admin, "{\"title\": \"t\", " + validPoll + ", \"opensAt\": \"2026-13-45T99:99:99Z\"}", 400, "bad_request"),
      c("poll: title twice", HttpMethod.POST, "/api/v1/polls", admin, "{\"title\": \"t\", \"title\": \"u\", " + validPoll + "}", 400, "bad_request"),
      c("poll: not an admin", HttpMethod.POST, "/api/v1/polls", voter, "{\"title\": \"t\", " + validPoll + "}", 403, "forbidden"),
      c("poll: close without a token", HttpMethod.POST, "/api/v1/polls/" + poll + "/close", null, "", 401, "unauthorized"),
      c("poll: unknown method", HttpMethod.DELETE, "/api/v1/polls/" + poll, admin, null, 405, "method_not_allowed"),
      // accounts
      c("register: JSON bomb", HttpMethod.POST, "/api/v1/auth/register", null, "{\"email\": " + nested(1500) + ", \"password\": \"long enough\"}", 400, "bad_request"),
      c("register: SQL that is not an email", HttpMethod.POST, "/api/v1/auth/register", null, "{\"email\": \"' OR '1'='1\", \"password\": \"long enough\"}", 400, "bad_request"),
      c("register: body over 4 KiB", HttpMethod.POST, "/api/v1/auth/register", null, "{\"email\": \"a@example.com\", \"password\": \"" + "p".repeat(5000) + "\"}", 413, "payload_too_large"),
      c("login: email as an object", HttpMethod.POST, "/api/v1/auth/login", null, "{\"email\": {\"$ne\": null}, \"password\": \"x\"}", 400, "bad_request"),
      c("login: SQL in the email", HttpMethod.POST, "/api/v1/auth/login", null, "{\"email\": \"admin'--@example.com\", \"password\": \"whatever1\"}", 401, "invalid_credentials"),
      // results, live, challenge
      c("results: a word as poll id", HttpMethod.GET, "/api/v1/polls/abc/results", null, null, 404, "poll_not_found"),
      c("results: a negative poll id", HttpMethod.GET, "/api/v1/polls/-1/results", null, null, 404, "poll_not_found"),
      c("events: poll 0", HttpMethod.GET, "/api/v1/polls/0/events", null, null, 404, "poll_not_found"),
      c("challenge: a tampered token", HttpMethod.GET, "/api/v1/polls/" + poll + "/challenge", voter.substring(0, voter.length() - 2) + "xx", null, 401, "unauthorized"),
      c("my vote: no token", HttpMethod.GET, "/api/v1/polls/" + poll + "/votes/me", null, null, 401, "unauthorized"),
      // static files and pages
      c("static: dot-dot", HttpMethod.GET, "/../../etc/passwd", null, null, 404, "not_found"),
      c("static: encoded dot-dot", HttpMethod.GET, "/%2e%2e/%2e%2e/etc/passwd", null, null, 404, "not_found"),
      c("static: encoded slashes", HttpMethod.GET, "/..%2f..%2f..%2fetc%2fpasswd", null, null, 404, "not_found"),
      c("static: through a file", HttpMethod.GET, "/index.html/../../../../etc/passwd", null, null, 404, "not_found"),
      c("static: the webroot itself", HttpMethod.GET, "/webroot/index.html", null, null, 404, "not_found"),
      c("page: traversal as a poll id", HttpMethod.GET, "/polls/..%2f..%2fetc%2fpasswd", null, null, 404, "not_found"),
      // the HTTP layer
      c("request line over 4 KiB", HttpMethod.GET, "/api/v1/polls?" + "q".repeat(5000), null, null, 414, "uri_too_long"),
      new Case("headers over 8 KiB", HttpMethod.POST, votes, voter, Map.of("X-Padding", "p".repeat(10_000)), "{\"option\": 0}", 431, "headers_too_large")));
    long polls = count("polls");
    long users = count("users");

    for (Case k : cases) {
      RequestOptions o = new RequestOptions().setMethod(k.method()).setHost("127.0.0.1").setURI(k.uri());
      if (k.token() != null) o.putHeader("Authorization", "Bearer " + k.token());
      k.headers().forEach(o::putHeader);
      Object[] answer;
      try {
        answer = raw.request(o).compose(req -> k.body() == null ? req.send() : req.send(Buffer.buffer(k.body())))
          .compose(res -> res.body().map(b -> new Object[] {res.statusCode(), b.toString(), res.getHeader("Content-Type")}))
          .await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(k.name() + ": no answer; the event loops meanwhile:\n" + eventLoops(), e);
      }
      assertThat((int) answer[0]).as(k.name() + ": " + answer[1]).isEqualTo(k.status());
      assertThat((String) answer[2]).as(k.name()).startsWith("application/json");
      JsonObject error = new JsonObject((String) answer[1]);
      assertThat(error.getString("error")).as(k.name()).isEqualTo(k.code());
      assertThat(error.getString("message")).as(k.name()).isNotBlank();
      assertThat((String) answer[1]).as(k.name()).doesNotContain("root:");
    }
    assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
    assertThat(f.recorded(poll)).as("no vote reached Kafka").isEmpty();
    assertThat(f.bitSet(poll, user)).as("no bit claimed").isFalse();
    assertThat(count("polls")).as("no poll created").isEqualTo(polls);
    assertThat(count("users")).as("no account created").isEqualTo(users);
  }

  @Test
  @DisplayName("A connection that does not speak HTTP gets 400 bad_request in the contract's shape")
  void shouldAnswerGarbageWithBadRequest() throws Exception {
    NetSocket socket = f.client.createNetClient().connect(f.config.http().port(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    StringBuilder got = new StringBuilder();
    io.vertx.core.Promise<String> answered = io.vertx.core.Promise.promise();
    socket.handler(b -> {
      got.append(b.toString());
      if (got.indexOf("}") >= 0) answered.tryComplete(got.toString()); // the JSON body is in
    });
    socket.closeHandler(v -> answered.tryComplete(got.toString()));
    socket.write("\u0016\u0003\u0001 not http at all\r\n\r\n");
    String answer = answered.future().await(10, TimeUnit.SECONDS);
    assertThat(answer).startsWith("HTTP/1.").contains(" 400 ").contains("\"error\":\"bad_request\"");
    socket.close();
  }

  @Test
  @DisplayName("SQL metacharacters in every string field are stored and returned as given")
  void shouldStoreMetacharactersLiterally() {
    String title = "'); DROP TABLE polls;-- \" \\ % _ \u0000".replace("\u0000", "");
    JsonObject body = new JsonObject().put("title", title).put("options", List.of("Robert'); DROP TABLE votes;--", "100% _real_ \\ \"yes\""));
    var created = f.call(HttpMethod.POST, "/api/v1/polls", TOKENS.admin(1), body.encode());
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject poll = f.call(HttpMethod.GET, "/api/v1/polls/" + created.bodyAsJsonObject().getInteger("id"), null, null).bodyAsJsonObject();
    assertThat(poll.getString("title")).isEqualTo(title);
    assertThat(poll.getJsonArray("options").getJsonObject(0).getString("label")).isEqualTo("Robert'); DROP TABLE votes;--");
    assertThat(poll.getJsonArray("options").getJsonObject(1).getString("label")).isEqualTo("100% _real_ \\ \"yes\"");
  }

  /** @return the stacks of this JVM's Vert.x event loops (the edge runs in it): what held them, if one was held */
  private static String eventLoops() {
    StringBuilder b = new StringBuilder();
    Thread.getAllStackTraces().forEach((t, stack) -> {
      if (!t.getName().contains("eventloop")) return;
      b.append(t.getName()).append(' ').append(t.getState()).append('\n');
      for (int i = 0; i < Math.min(stack.length, 12); i++) b.append("    at ").append(stack[i]).append('\n');
    });
    return b.toString();
  }

  /** @return {@code a}'s header and signature around {@code b}'s claims */
  private static String swapClaims(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    return x[0] + "." + y[1] + "." + x[2];
  }
}
