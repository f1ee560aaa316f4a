package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator console (issue 12) in real headless Chromium, against the running processes: an admin signs in, creates
 * a poll scheduled for later with its results hidden, reschedules it, opens it, watches votes arrive on the live panel,
 * closes it and reveals the results, which reach a spectator's page; every action is on the poll's record with who. And
 * the panel's numbers against real traffic: votes/s, refusals by code, spectators, vote-to-screen, the writers' lag.
 */
class ConsoleBrowserIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());
  private static final String PASSWORD = "a producer's long password";

  private static String set(String id, String value) {
    return "document.getElementById('" + id + "').value = " + io.vertx.core.json.Json.encode(value) + "; 'ok'";
  }

  private static String click(String id) {
    return "document.getElementById('" + id + "').click(); 'ok'";
  }

  /** @return the e-mail of a new account given the admin role (as an operator would be, in the database) */
  private static String admin() throws Exception {
    String email = "producer+" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    HttpResponse<String> r = f.post("/api/v1/auth/register", null, "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    long id = new JsonObject(r.body()).getLong("userId");
    assertThat(f.query("WITH u AS (UPDATE users SET roles = '{admin}' WHERE id = " + id + " RETURNING 1) SELECT count(*) FROM u")).isEqualTo(1);
    return email;
  }

  private static JsonObject poll(int id) throws Exception {
    return new JsonObject(f.get("/api/v1/polls/" + id, DevTokens.dev().admin(1)).body());
  }

  private static Path screenshots() {
    return Path.of(System.getenv().getOrDefault("LANDSLIDE_REPORTS_DIR", "target"), "screenshots");
  }

  @Test
  @DisplayName("The console creates, schedules, opens, closes and reveals a poll; the panel shows its votes; the reveal reaches a spectator")
  void shouldRunAPollFromTheConsole() throws Exception {
    String email = admin();
    String run = UUID.randomUUID().toString().substring(0, 6);
    try (HeadlessChromium console = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/console")) {
      console.await("document.body.dataset.signedIn", "false");
      console.eval(set("email", email));
      console.eval(set("password", PASSWORD));
      console.eval(click("signin-button"));
      console.await("document.body.dataset.signedIn", "true");
      assertThat(console.eval("String(sessionStorage.getItem('landslide.console.token') !== null && location.href.indexOf('ey') < 0)"))
        .as("the token is the tab's, never in the address").isEqualTo("true");

      // Create: scheduled an hour ahead, results hidden.
      console.eval(set("f-title", "Who wins tonight " + run));
      console.eval(set("f-options", "Ana\nBen\nCleo"));
      console.eval("document.getElementById('f-opens').value = toLocalInput(new Date(Date.now() + 3600e3).toISOString());"
        + " document.getElementById('f-hide').checked = true; 'ok'");
      console.eval(click("f-submit"));
      console.await("document.getElementById('detail').dataset.status", "scheduled");
      int id = Integer.parseInt(console.eval("document.getElementById('d-id').textContent"));
      JsonObject created = poll(id);
      assertThat(created.getString("title")).isEqualTo("Who wins tonight " + run);
      assertThat(created.getBoolean("hidden")).isTrue();
      assertThat(Instant.parse(created.getString("opensAt"))).isAfter(Instant.now().plusSeconds(3000));
      console.await("String(document.querySelector('#polls tr[data-poll=\"" + id + "\"]') !== null)", "true");

      // Schedule it again: two hours ahead, a sharper title.
      console.eval(click("edit"));
      console.await("document.getElementById('f-submit').textContent", "Save changes");
      console.eval(set("f-title", "Who wins tonight? " + run));
      console.eval("document.getElementById('f-opens').value = toLocalInput(new Date(Date.now() + 7200e3).toISOString()); 'ok'");
      console.eval(click("f-submit"));
      console.await("document.getElementById('d-title').textContent", "Who wins tonight? " + run);
      assertThat(Instant.parse(poll(id).getString("opensAt"))).isAfter(Instant.now().plusSeconds(6600));
      JsonObject edit = new JsonObject(f.get("/api/v1/admin/polls/" + id + "/actions", DevTokens.dev().admin(1)).body()).getJsonArray("actions").getJsonObject(1);
      assertThat(edit.getJsonObject("details").fieldNames()).as("the edit sent what changed, nothing else").containsExactlyInAnyOrder("title", "opensAt");

      // Open now (confirmed in the page's dialog).
      console.eval(click("open-now"));
      console.await("String(document.getElementById('confirm').open)", "true");
      console.eval(click("confirm-yes"));
      console.await("document.getElementById('detail').dataset.status", "open");
      assertThat(poll(id).getString("status")).isEqualTo("open");

      try (HeadlessChromium spectator = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/polls/" + id)) {
        spectator.await("document.querySelector('[data-option=\"0\"] .count').textContent", "hidden");
        long[] users = new long[12];
        for (int i = 0; i < users.length; i++) users[i] = 730_000 + i;
        VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 4);
        assertThat(driver.run(id, users, VoteDriver.bearers(users), u -> (int) (u % 3), 4, false).await(60, TimeUnit.SECONDS).count(202)).isEqualTo(12);
        long[] again = {730_000, 730_001};
        assertThat(driver.run(id, again, VoteDriver.bearers(again), u -> 0, 2, false).await(60, TimeUnit.SECONDS).count(409)).isEqualTo(2);
        driver.close();
        // The panel: the counts (an admin sees them while hidden), the rates, the refusals, the spectator.
        console.await("document.getElementById('p-total').textContent", "12");
        console.await("document.querySelector('#p-counts tr[data-option=\"1\"] .count').textContent", "4");
        console.await("String(Number(document.getElementById('p-accepted').textContent) > 0)", "true");
        console.await("String([...document.querySelectorAll('#p-refused code')].some(c => c.textContent === 'already_voted'))", "true");
        console.await("document.getElementById('p-spectators').textContent", "1");
        console.await("String(Number(document.getElementById('p-writers').textContent) >= 1)", "true");
        console.await("String(Number(document.getElementById('p-edges').textContent) >= 1)", "true");
        assertThat(spectator.eval("String([...document.querySelectorAll('.count')].every(e => e.textContent === 'hidden'))"))
          .as("still hidden from the spectator").isEqualTo("true");

        // Close now, then reveal: the spectator's page gets the counts.
        console.eval(click("close-now"));
        console.eval(click("confirm-yes"));
        console.await("document.getElementById('detail').dataset.status", "closed");
        assertThat(poll(id).getString("status")).isEqualTo("closed");
        console.eval(click("reveal"));
        console.eval(click("confirm-yes"));
        console.await("document.getElementById('detail').dataset.hidden", "false");
        spectator.await("document.getElementById('total').textContent", "12");
      }
      console.await("[...document.querySelectorAll('#actions tr')].map(t => t.dataset.action).reverse().join(',')", "create,edit,open,close,reveal");
      assertThat(console.eval("document.querySelector('#actions tr').children[1].textContent")).startsWith("user:");
      console.eval("window.scrollTo(0, 0); 'ok'");
      console.screenshot(1440, 900, screenshots().resolve("console-1440x900.png"));

      // Signed out: the room is gone, the token forgotten.
      console.eval(click("signout"));
      console.await("document.body.dataset.signedIn", "false");
      assertThat(console.eval("String(sessionStorage.getItem('landslide.console.token'))")).isEqualTo("null");
    }
  }

  @Test
  @DisplayName("The panel's numbers against real traffic: votes/s, refusals by code, flagged, spectators, vote-to-screen, the writers' lag; admins only")
  void shouldShowTheFleetsNumbers() throws Exception {
    int id = f.createPoll("Panel " + UUID.randomUUID().toString().substring(0, 6), 2);
    String admin = DevTokens.dev().admin(1);
    try (HeadlessChromium spectator = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/polls/" + id)) {
      spectator.await("document.getElementById('total').textContent", "0");
      long[] users = new long[40];
      for (int i = 0; i < users.length; i++) users[i] = 740_000 + i;
      VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 4);
      assertThat(driver.run(id, users, VoteDriver.bearers(users), u -> (int) (u % 2), 4, false).await(60, TimeUnit.SECONDS).count(202)).isEqualTo(40);
      assertThat(driver.run(id, new long[] {740_000}, VoteDriver.bearers(new long[] {740_000}), u -> 7, 1, false).await(60, TimeUnit.SECONDS)
        .count(422)).as("an option the poll lacks").isEqualTo(1);
      driver.close();
      spectator.await("document.getElementById('total').textContent", "40");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      JsonObject p;
      do {
        p = new JsonObject(f.get("/api/v1/admin/polls/" + id + "/panel", admin).body());
        // Each process publishes once a second: wait for the snapshot that holds all of it.
        if (p.getJsonObject("voteToScreen").getLong("commits") > 0 && p.getLong("spectators") == 1
          && p.getJsonObject("sinceEdgesStarted").getLong("accepted") == 40
          && p.getJsonObject("votesPerSecond").getJsonObject("refused").containsKey("invalid_option")) break;
        Thread.sleep(200);
      } while (System.nanoTime() < deadline);
      assertThat(p.getJsonObject("results").getLong("total")).isEqualTo(40);
      assertThat(p.getLong("spectators")).isEqualTo(1);
      assertThat(p.getInteger("edges")).isEqualTo(1);
      assertThat(p.getInteger("writers")).isEqualTo(1);
      assertThat(p.getJsonObject("votesPerSecond").getDouble("accepted")).isPositive();
      assertThat(p.getJsonObject("votesPerSecond").getJsonObject("refused").getDouble("invalid_option")).isPositive();
      assertThat(p.getJsonObject("sinceEdgesStarted").getLong("accepted")).isEqualTo(40);
      JsonObject screen = p.getJsonObject("voteToScreen");
      assertThat(screen.getLong("commits")).as("the commits the spectator's frames counted").isPositive();
      assertThat(screen.getDouble("p99Seconds")).isPositive().isLessThan(30.0);
      assertThat(p.getJsonObject("writerLag").getLong("records")).as("the writer caught up").isZero();
      assertThat(f.get("/metrics", null).body()).containsPattern("landslide_vote_to_screen_seconds_count(\\{[^}]*\\})? [1-9]");
    }
    assertThat(f.get("/api/v1/admin/polls/" + id + "/panel", DevTokens.dev().voter(5)).statusCode()).isEqualTo(403);
    assertThat(f.get("/api/v1/admin/polls/" + id + "/panel", null).statusCode()).isEqualTo(401);
  }
}
