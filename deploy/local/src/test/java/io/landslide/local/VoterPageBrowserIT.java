package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.Receipt;
import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.infra.DevTokens;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The voter page in real headless Chromium, against the running processes: voting with proof of work on, and checking
 * a vote's receipt against the poll's signed log, in the browser.
 */
class VoterPageBrowserIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());
  private static final SignedNote.Verifier KEY = SignedNote.Verifier.parse(LogKeys.DEV_VERIFIER);
  /** The check's outcome as the page records it on its status region: state, leaf index, tree size. */
  private static final String CHECKED = "(d => d.state + ' ' + d.index + ' ' + d.size)(document.getElementById('check-status').dataset)";
  private static final String STATUS = "document.getElementById('check-status').textContent";
  private static final String STATE = "document.getElementById('check-status').dataset.state";
  /** Puts a man in the middle of the page's receipt look-ups: {@code window.tamper}, when set, edits each 200 answer. */
  private static final String TAMPERING = "(() => { const real = window.fetch; window.fetch = async (url, init) => { const r = await real(url, init);"
    + " if (!window.tamper || !String(url).includes('/receipts/') || r.status !== 200) return r; const j = await r.json(); window.tamper(j);"
    + " return new Response(JSON.stringify(j), {status: 200, headers: {'Content-Type': 'application/json'}}); }; return 'ok'; })()";

  private static String set(String id, String value) {
    return "document.getElementById('" + id + "').value = " + io.vertx.core.json.Json.encode(value) + "; 'ok'";
  }

  @Test
  @DisplayName("Register, log in, vote with proof of work solved in a Web Worker, see the receipt and the count")
  void shouldRegisterLogInAndVote() throws Exception {
    var created = f.post("/api/v1/polls", DevTokens.dev().admin(1),
      "{\"title\": \"Best pudding\", \"options\": [\"Trifle\", \"Crumble\", \"Pavlova\"], \"powDifficulty\": 8}");
    assertThat(created.statusCode()).isEqualTo(201);
    int poll = new io.vertx.core.json.JsonObject(created.body()).getInteger("id");
    String email = "viewer+" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";

    try (HeadlessChromium browser = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/polls/" + poll + "/vote")) {
      browser.await("document.getElementById('title').textContent", "Best pudding");
      browser.eval(set("email", email));
      browser.eval(set("password", "correct horse battery"));
      browser.eval("document.getElementById('register').click(); 'ok'");
      browser.await("document.getElementById('ballot').hidden", "false");

      // A new visit: log in with the account just made.
      browser.eval("sessionStorage.clear(); location.reload(); 'ok'");
      browser.await("document.readyState === 'complete' && document.getElementById('title').textContent", "Best pudding");
      browser.await("document.getElementById('account').hidden", "false");
      browser.eval(set("email", email));
      browser.eval(set("password", "correct horse battery"));
      browser.eval("document.getElementById('login').click(); 'ok'");
      browser.await("document.getElementById('ballot').hidden", "false");

      browser.eval("document.querySelector('#choices input[value=\"2\"]').click(); document.getElementById('cast').click(); 'ok'");
      browser.await("document.getElementById('receipt').textContent.length", "32");
      String receipt = browser.eval("document.getElementById('receipt').textContent");
      browser.await("document.getElementById('count').textContent", "1");
      assertThat(browser.eval("document.getElementById('message').textContent")).contains("accepted");

      assertThat(f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll + " AND option_id = 2 AND replace(receipt::text, '-', '') = '"
        + receipt + "'")).isEqualTo(1);
      assertThat(f.query("SELECT count(*) FROM votes v JOIN users u ON u.id = v.user_id WHERE v.poll_id = " + poll
        + " AND u.email = '" + email + "'")).as("counted as the account that logged in").isEqualTo(1);
      browser.screenshot(400, 700, HeadlessChromium.screenshots().resolve("voter-page-phone.png"));
    }
  }

  @Test
  @DisplayName("Check my vote: the page proves in the browser that the vote is in the signed log for the voter's option; a wrong option and a made-up receipt are not")
  void shouldCheckTheVoteInTheSignedLog() throws Exception {
    int poll = f.createPoll("Checked", 3); // Option 0, Option 1, Option 2; no proof of work
    VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 8);
    long[] before = users(810_000, 20);
    assertThat(driver.run(poll, before, VoteDriver.bearers(before), u -> (int) (u % 3), 8, false).await(60, TimeUnit.SECONDS).count(202)).isEqualTo(20);
    StackFixture.await("the first votes are in a signed checkpoint", () -> checkpointSize(poll), 20, 60);
    String email = "checker+" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    String page = f.stack.edgeUrl() + "/polls/" + poll + "/vote";

    try (HeadlessChromium browser = new HeadlessChromium(f.vertx, page)) {
      browser.await("document.getElementById('title').textContent", "Checked");
      browser.eval(set("email", email));
      browser.eval(set("password", "correct horse battery"));
      browser.eval("document.getElementById('register').click(); 'ok'");
      browser.await("document.getElementById('ballot').hidden", "false");
      browser.eval("document.querySelector('#choices input[value=\"1\"]').click(); document.getElementById('cast').click(); 'ok'");
      browser.await("document.getElementById('receipt').textContent.length", "32");
      String receipt = browser.eval("document.getElementById('receipt').textContent");

      // At once, while the vote may not be counted or signed yet: the page retries, then proves it, entry 21 of 21.
      browser.eval("document.getElementById('verify').click(); 'ok'");
      browser.await(CHECKED, "verified 20 21");
      assertThat(browser.eval(STATUS)).startsWith("Your vote for Option 1 is entry 21 of 21 in the signed log (root ").endsWith("…). Signature verified.");
      assertThat(browser.eval("document.getElementById('check-details').textContent"))
        .contains("Signature: verified with the log's key landslide.local/votes (bda852ed)");
      assertThat(browser.eval("document.getElementById('check-status').dataset.signature")).as("Chromium has Ed25519").isEqualTo("verified");
      assertThat(browser.eval("document.getElementById('check-status').getAttribute('aria-live')")).isEqualTo("polite");
      HttpResponse<String> api = f.get("/api/v1/polls/" + poll + "/receipts/" + receipt, null);
      assertThat(new JsonObject(api.body()).getInteger("index")).as(api.body()).isEqualTo(20);

      // Votes after it: the proof now has hashes on both sides, against a bigger signed tree.
      long[] after = users(820_000, 20);
      assertThat(driver.run(poll, after, VoteDriver.bearers(after), u -> (int) (u % 3), 8, false).await(60, TimeUnit.SECONDS).count(202)).isEqualTo(20);
      driver.close();
      StackFixture.await("every vote is in a signed checkpoint", () -> checkpointSize(poll), 41, 60);
      browser.eval("document.getElementById('verify').click(); 'ok'");
      browser.await(CHECKED, "verified 20 41");
      assertThat(browser.eval(STATUS)).startsWith("Your vote for Option 1 is entry 21 of 41 in the signed log");
      assertThat(browser.eval("document.getElementById('check-details').textContent")).contains("Entry: 21 of 41 (leaf index 20)")
        .contains("Root: " + java.util.Base64.getEncoder().encodeToString(checkpoint(poll).root()));
      browser.screenshot(400, 900, HeadlessChromium.screenshots().resolve("voter-page-check-phone.png"));

      // A receipt kept from earlier, checked on a later visit without signing in, with the option the voter says.
      open(browser, page + "?receipt=" + receipt);
      assertThat(browser.eval("document.getElementById('account').hidden")).isEqualTo("true");
      assertThat(browser.eval("document.getElementById('kept-receipt').value")).isEqualTo(receipt);
      checkKept(browser, 0);
      browser.await(STATE, "failed");
      assertThat(browser.eval(STATUS)).contains("the log counts this receipt for Option 1, not for Option 0");
      checkKept(browser, 1);
      browser.await(CHECKED, "verified 20 41");

      // A log server that lies is caught: a proof that leads to another root; a checkpoint whose signed text was changed.
      browser.eval(TAMPERING);
      tamper(browser, "j => { j.proof[0] = btoa(String.fromCharCode(...new Uint8Array(32))); }");
      browser.await(STATE, "failed");
      assertThat(browser.eval(STATUS)).contains("the inclusion proof does not verify");
      tamper(browser, "j => { j.checkpoint = j.checkpoint.replace('landslide.local/', 'landslide.example/'); }");
      browser.await(STATE, "failed");
      assertThat(browser.eval(STATUS)).contains("the checkpoint's signature does not verify with the log's key landslide.local/votes");
      // A browser without Ed25519 in WebCrypto says the signature was not checked, never that it was.
      browser.eval("const importKey = crypto.subtle.importKey.bind(crypto.subtle); crypto.subtle.importKey = (f, k, alg, ...rest) => "
        + "alg && alg.name === 'Ed25519' ? Promise.reject(new DOMException('no Ed25519', 'NotSupportedError')) : importKey(f, k, alg, ...rest); 'ok'");
      tamper(browser, "null");
      browser.await(CHECKED, "verified 20 41");
      assertThat(browser.eval(STATUS)).endsWith("Signature not checked by this browser (it has no Ed25519).");
      assertThat(browser.eval("document.getElementById('check-status').dataset.signature")).isEqualTo("unchecked");

      // A made-up receipt: not in the log, after a few retries.
      String madeUp = Receipt.random().toString();
      open(browser, page + "?receipt=" + madeUp);
      checkKept(browser, 1);
      browser.await(STATE, "retrying");
      assertThat(browser.eval(STATUS)).contains("not in the log yet, retrying");
      browser.await(STATE, "not-found");
      assertThat(browser.eval(STATUS)).contains("This receipt is not in the poll's signed log");
      browser.screenshot(400, 900, HeadlessChromium.screenshots().resolve("voter-page-kept-receipt-phone.png"));

      // Not a receipt at all: said so, nothing asked.
      browser.eval(set("kept-receipt", "not a receipt"));
      checkKept(browser, 1);
      browser.await(STATE, "invalid");
    }
  }

  private static long[] users(long first, int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) out[i] = first + i;
    return out;
  }

  /** Navigates, and waits for the new page's check form to have the poll's options. */
  private static void open(HeadlessChromium browser, String url) throws Exception {
    browser.call("Page.navigate", new JsonObject().put("url", url));
    browser.await("document.readyState === 'complete' && location.href === " + io.vertx.core.json.Json.encode(url)
      + " && !document.getElementById('kept').hidden && document.querySelectorAll('#kept-choices input').length", "3");
  }

  /** Sets the page's tampering (a JavaScript function of the answer's JSON, or null) and checks the kept receipt for option 1. */
  private static void tamper(HeadlessChromium browser, String edit) throws Exception {
    browser.eval("window.tamper = " + edit + "; 'ok'");
    checkKept(browser, 1);
  }

  private static void checkKept(HeadlessChromium browser, int option) throws Exception {
    browser.eval("document.querySelector('#kept-choices input[value=\"" + option + "\"]').click(); document.getElementById('verify-kept').click(); 'ok'");
  }

  private static long checkpointSize(int poll) {
    try {
      HttpResponse<String> r = f.get("/api/v1/polls/" + poll + "/log/checkpoint", null);
      return r.statusCode() == 200 ? Checkpoint.parse(SignedNote.open(r.body(), List.of(KEY))).size() : 0;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Checkpoint checkpoint(int poll) throws Exception {
    return Checkpoint.parse(SignedNote.open(f.get("/api/v1/polls/" + poll + "/log/checkpoint", null).body(), List.of(KEY)));
  }
}
