package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
 * closes it and reveals the results, which reach a spectator's page; every action is on the poll's record with who. The
 * night's other actions: a poll's proof of work and eligibility, extending its closing time, rebuilding its bitmap,
 * exporting its audit bundle, the flagged votes. The same from the keyboard alone. And the panel's numbers against real
 * traffic: votes/s, refusals by code, spectators, vote-to-screen, the writers' lag.
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

  private static void signIn(HeadlessChromium console, String email) throws Exception {
    console.await("document.body.dataset.signedIn", "false");
    console.eval(set("email", email));
    console.eval(set("password", PASSWORD));
    console.eval(click("signin-button"));
    console.await("document.body.dataset.signedIn", "true");
  }

  /** A key pressed and released, as the keyboard sends it (through the browser's input pipeline, not a synthetic event). */
  private static void press(HeadlessChromium page, String key, int keyCode, boolean shift) throws Exception {
    JsonObject k = new JsonObject().put("key", key).put("code", key).put("windowsVirtualKeyCode", keyCode).put("nativeVirtualKeyCode", keyCode)
      .put("modifiers", shift ? 8 : 0);
    if (key.equals("Enter")) k.put("text", "\r");
    page.call("Input.dispatchKeyEvent", k.copy().put("type", "keyDown"));
    page.call("Input.dispatchKeyEvent", k.copy().put("type", "keyUp"));
  }

  private static void type(HeadlessChromium page, String text) throws Exception {
    page.call("Input.insertText", new JsonObject().put("text", text));
  }

  private static String focused(HeadlessChromium page) throws Exception {
    return page.eval("document.activeElement ? document.activeElement.id : ''");
  }

  /** Tabs until the element {@code id} has the focus; @return the controls the focus went through, in order, once each */
  private static java.util.List<String> tabTo(HeadlessChromium page, String id) throws Exception {
    java.util.List<String> path = new java.util.ArrayList<>();
    for (int i = 0; i < 40 && !id.equals(focused(page)); i++) {
      press(page, "Tab", 9, false);
      String now = focused(page);
      if (path.isEmpty() || !path.get(path.size() - 1).equals(now)) path.add(now);
    }
    assertThat(focused(page)).as("reached by Tab, through " + path).isEqualTo(id);
    return path;
  }

  private static JsonArray actions(int id) throws Exception {
    return new JsonObject(f.get("/api/v1/admin/polls/" + id + "/actions", DevTokens.dev().admin(1)).body()).getJsonArray("actions");
  }

  private static JsonObject poll(int id) throws Exception {
    return new JsonObject(f.get("/api/v1/polls/" + id, DevTokens.dev().admin(1)).body());
  }

  @Test
  @DisplayName("The console creates, schedules, opens, closes and reveals a poll; the panel shows its votes; the reveal reaches a spectator")
  void shouldRunAPollFromTheConsole() throws Exception {
    String email = admin();
    String run = UUID.randomUUID().toString().substring(0, 6);
    try (HeadlessChromium console = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/console")) {
      signIn(console, email);
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
        // Vote-to-screen while hidden: the spectator's frames carry no count, but they are the frames built from the
        // commits, so the measure goes on (an embargoed show is the usual kind; it must not run blind).
        console.await("String(/^[0-9]+ ms$/.test(document.getElementById('p-v2s').textContent))", "true");
        assertThat(spectator.eval("String([...document.querySelectorAll('.count')].every(e => e.textContent === 'hidden'))"))
          .as("still hidden from the spectator").isEqualTo("true");

        // The flagged votes: the driver's client sends no User-Agent and no Accept-Language, which scores each of its
        // votes at the flag threshold; they are counted, and listed apart once the writer stored them.
        StackFixture.await("the votes stored", () -> f.query("SELECT count(*) FROM votes WHERE poll_id = " + id), 12, 60);
        console.eval(click("flags-load"));
        console.await("String(document.getElementById('flags-summary').textContent.startsWith('12 flagged votes'))", "true");
        assertThat(console.eval("String(document.querySelectorAll('#flags tr').length)")).isEqualTo("12");
        assertThat(console.eval("String([...document.querySelectorAll('#flags tr')].every(r => r.children.length === 5"
          + " && Number(r.children[0].textContent) >= 730000 && Number(r.children[2].textContent) >= 40))")).isEqualTo("true");

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
      console.screenshot(1440, 900, HeadlessChromium.screenshots().resolve("console-1440x900.png"));

      // Signed out: the room is gone, the token forgotten.
      console.eval(click("signout"));
      console.await("document.body.dataset.signedIn", "false");
      assertThat(console.eval("String(sessionStorage.getItem('landslide.console.token'))")).isEqualTo("null");
    }
  }

  @Test
  @DisplayName("The console sets a poll's proof of work and eligibility, extends its closing time, rebuilds its bitmap and exports its"
    + " audit bundle; each recorded with who; the flagged-votes list shows its empty state")
  void shouldRunTheNightsActionsFromTheConsole() throws Exception {
    String email = admin();
    String run = UUID.randomUUID().toString().substring(0, 6);
    Path downloads = Path.of("target", "console-downloads-" + run).toAbsolutePath();
    Files.createDirectories(downloads);
    try (HeadlessChromium console = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/console")) {
      // The export's download lands here (and nowhere else on the machine).
      JsonObject behaviour = console.call("Browser.setDownloadBehavior", new JsonObject().put("behavior", "allow")
        .put("downloadPath", downloads.toString()));
      assertThat(behaviour.containsKey("error")).as(behaviour.encode()).isFalse();
      signIn(console, email);

      // Create: open now, closing in an hour, proof of work 3, verified accounts created before it opened.
      console.eval(set("f-title", "The night's rules " + run));
      console.eval(set("f-options", "Yes\nNo"));
      console.eval("document.getElementById('f-closes').value = toLocalInput(new Date(Date.now() + 3600e3).toISOString()); 'ok'");
      console.eval(set("f-pow", "3"));
      console.eval("document.getElementById('f-verified').checked = true; document.getElementById('f-before').checked = true; 'ok'");
      console.eval(click("f-submit"));
      console.await("document.getElementById('detail').dataset.status", "open");
      int id = Integer.parseInt(console.eval("document.getElementById('d-id').textContent"));
      assertThat(console.eval("document.getElementById('d-title').textContent")).isEqualTo("The night's rules " + run);
      JsonObject created = poll(id);
      assertThat(created.getJsonObject("eligibility")).isEqualTo(new JsonObject().put("verified", true).put("accountBeforeOpening", true));
      Instant closesAt = Instant.parse(created.getString("closesAt"));
      assertThat(closesAt).isBetween(Instant.now().plusSeconds(3000), Instant.now().plusSeconds(3700));
      // The poll's document does not show its difficulty: the create's record does, and the database.
      JsonObject create = actions(id).getJsonObject(0);
      assertThat(create.getString("action")).isEqualTo("create");
      assertThat(create.getJsonObject("details").getInteger("powDifficulty")).isEqualTo(3);
      assertThat(create.getJsonObject("details").getJsonObject("eligibility")).isEqualTo(created.getJsonObject("eligibility"));
      assertThat(f.query("SELECT pow_difficulty FROM polls WHERE id = " + id)).isEqualTo(3);

      // Extend: two hours from now, to the second.
      String extendTo = console.eval("(() => { const d = new Date(Date.now() + 7200e3); d.setMilliseconds(0);"
        + " document.getElementById('extend-at').value = toLocalInput(d.toISOString()); return d.toISOString(); })()");
      console.eval(click("extend"));
      console.await("document.getElementById('message').textContent", "Extended: done.");
      assertThat(Instant.parse(poll(id).getString("closesAt"))).isEqualTo(Instant.parse(extendTo));
      console.await("document.getElementById('d-closes').textContent", console.eval("new Date('" + extendTo + "').toLocaleString()"));

      // Rebuild the bitmap (confirmed in the page's dialog).
      console.eval(click("rebuild"));
      console.await("String(document.getElementById('confirm').open)", "true");
      assertThat(console.eval("document.getElementById('confirm-text').textContent")).contains("Rebuild the bitmap of poll " + id);
      console.eval(click("confirm-yes"));
      console.await("document.getElementById('message').textContent", "Bitmap rebuilt: done.");

      // Export: the audit bundle, downloaded as a tar with its manifest.
      console.eval(click("export"));
      console.await("document.getElementById('message').textContent", "Exported the audit bundle of poll " + id + ".");
      Path bundle = downloads.resolve("poll-" + id + "-audit.tar");
      StackFixture.await("the bundle downloaded", () -> Files.exists(bundle) ? 1 : 0, 1, 30);
      assertThat(AuditIT.untar(Files.newInputStream(bundle), downloads.resolve("bundle"))).contains("key", "entries", "admin-actions", "manifest")
        .last().isEqualTo("manifest");

      // The record, on the page and through the API: each action with who.
      console.await("[...document.querySelectorAll('#actions tr')].map(t => t.dataset.action).reverse().join(',')", "create,extend,rebuild_bitmap,export");
      JsonArray recorded = actions(id);
      assertThat(recorded.stream().map(a -> ((JsonObject) a).getString("action")).toList()).containsExactly("create", "extend", "rebuild_bitmap", "export");
      String who = recorded.getJsonObject(0).getString("actor");
      assertThat(who).startsWith("user:");
      assertThat(recorded.stream().map(a -> ((JsonObject) a).getString("actor")).distinct().toList()).as("one admin did all of it").containsExactly(who);
      assertThat(recorded.getJsonObject(1).getJsonObject("details").getString("closesAt")).isEqualTo(Instant.parse(extendTo).toString());
      assertThat(console.eval("String([...document.querySelectorAll('#actions tr')].every(t => t.children[1].textContent === '" + who + "'))"))
        .isEqualTo("true");

      // The flagged votes of a poll without any: the list is empty, and says so.
      console.eval(click("flags-load"));
      console.await("String(document.getElementById('flags-summary').textContent.startsWith('0 flagged votes'))", "true");
      assertThat(console.eval("String(document.querySelectorAll('#flags tr').length)")).isEqualTo("0");
      assertThat(console.eval("document.getElementById('message').className")).isEqualTo("muted");
    } finally {
      try (var files = Files.walk(downloads)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  @Test
  @DisplayName("The console works from the keyboard: every control labelled and reachable by Tab, the confirmation takes the focus and"
    + " Escape dismisses it")
  void shouldWorkFromTheKeyboard() throws Exception {
    String email = admin();
    String run = UUID.randomUUID().toString().substring(0, 6);
    try (HeadlessChromium console = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/console")) {
      console.await("document.body.dataset.signedIn", "false");
      String unlabelled = "[...document.querySelectorAll('input, textarea, select')].filter(e => e.labels.length === 0"
        + " && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).map(e => e.id).join(',')";
      String nameless = "[...document.querySelectorAll('button, a[href]')].filter(e => !e.textContent.trim() && !e.getAttribute('aria-label'))"
        + ".map(e => e.id || e.outerHTML).join(',')";
      String untabbable = "[...document.querySelectorAll('button, input, textarea, select, a[href], summary')].filter(e => e.tabIndex < 0)"
        + ".map(e => e.id || e.outerHTML).join(',')";
      assertThat(console.eval(unlabelled)).as("controls without a label").isEmpty();
      assertThat(console.eval(nameless)).as("buttons without a name").isEmpty();
      assertThat(console.eval(untabbable)).as("controls out of the Tab order").isEmpty();

      // Sign in: Tab to the e-mail, type, Tab, type, Enter.
      tabTo(console, "email");
      type(console, email);
      press(console, "Tab", 9, false);
      assertThat(focused(console)).isEqualTo("password");
      type(console, PASSWORD);
      press(console, "Enter", 13, false);
      console.await("document.body.dataset.signedIn", "true");
      console.await("String(document.querySelector('#polls tr') !== null)", "true");

      // Everything on the signed-in page, the poll's detail included once one is selected, is labelled.
      assertThat(console.eval(unlabelled)).as("controls without a label").isEmpty();
      assertThat(console.eval(nameless)).as("buttons without a name").isEmpty();

      // Create a poll: New poll puts the focus on the question; the form's controls follow in order; Enter on Create.
      console.eval("document.getElementById('new-poll').focus(); 'ok'");
      press(console, "Enter", 13, false);
      assertThat(focused(console)).isEqualTo("f-title");
      type(console, "Keys only " + run);
      press(console, "Tab", 9, false);
      assertThat(focused(console)).isEqualTo("f-options");
      type(console, "Left\nRight");
      assertThat(tabTo(console, "f-submit")).as("the form's Tab order")
        .containsExactly("f-opens", "f-closes", "f-pow", "f-verified", "f-before", "f-hide", "f-submit");
      assertThat(console.eval("getComputedStyle(document.activeElement).outlineStyle")).as("a visible focus").isEqualTo("solid");
      press(console, "Enter", 13, false);
      console.await("document.getElementById('detail').dataset.status", "open");
      int id = Integer.parseInt(console.eval("document.getElementById('d-id').textContent"));
      assertThat(poll(id).getString("title")).isEqualTo("Keys only " + run);
      assertThat(poll(id).getJsonArray("options").stream().map(o -> ((JsonObject) o).getString("label")).toList()).containsExactly("Left", "Right");
      assertThat(console.eval(unlabelled)).as("controls without a label, the poll's detail shown").isEmpty();
      assertThat(console.eval(nameless)).as("buttons and links without a name, the poll's detail shown").isEmpty();
      assertThat(console.eval(untabbable)).as("controls out of the Tab order, the poll's detail shown").isEmpty();

      // Close now: the confirmation takes the focus (on No), Escape dismisses it and gives the focus back; nothing happened.
      console.eval("document.getElementById('close-now').focus(); 'ok'");
      press(console, "Enter", 13, false);
      console.await("String(document.getElementById('confirm').open)", "true");
      assertThat(focused(console)).isEqualTo("confirm-no");
      press(console, "Escape", 27, false);
      console.await("String(document.getElementById('confirm').open)", "false");
      assertThat(focused(console)).as("the focus back where it was").isEqualTo("close-now");
      assertThat(poll(id).getString("status")).isEqualTo("open");
      // Again, and Yes (Shift+Tab from No, Enter): closed.
      press(console, "Enter", 13, false);
      console.await("String(document.getElementById('confirm').open)", "true");
      press(console, "Tab", 9, true);
      assertThat(focused(console)).isEqualTo("confirm-yes");
      press(console, "Enter", 13, false);
      console.await("document.getElementById('detail').dataset.status", "closed");
      assertThat(poll(id).getString("status")).isEqualTo("closed");
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
          && p.getJsonObject("votesPerSecond").getJsonObject("refused").containsKey("invalid_option")
          && p.getJsonObject("writerLag").getLong("records") == 0) break;
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
