package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The voter page in real headless Chromium, against the running processes, with proof of work on. */
class VoterPageBrowserIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());

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
      browser.screenshot(400, 700, java.nio.file.Path.of("target", "screenshots", "voter-page-phone.png"));
    }
  }
}
