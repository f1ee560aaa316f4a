package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The studio's broadcast view (issue 12) in real headless Chromium at 1920x1080, against the running processes: the
 * right counts, live, from the same frames as the results page; the chroma-key and transparent backgrounds; and the
 * embargo, which hides the counts from the screen until the reveal reaches it. The screenshots are kept with CI's
 * reports ({@code LANDSLIDE_REPORTS_DIR}, else {@code target}).
 */
class BroadcastViewBrowserIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());

  private static String count(int option) {
    return "document.querySelector('[data-option=\"" + option + "\"] .count').textContent";
  }

  @Test
  @DisplayName("The broadcast view shows the right counts, live, at 1920x1080 (screenshot kept); ?bg=chroma keys green, ?bg=transparent is clear")
  void shouldShowTheRightCounts() throws Exception {
    int poll = f.createPoll("Who wins tonight", 3);
    try (HeadlessChromium browser = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/polls/" + poll + "/broadcast")) {
      browser.await("document.body.dataset.live", "true");
      browser.await("document.getElementById('total').textContent", "0");
      browser.await("String(document.getElementById('title').textContent.includes('Who wins tonight'))", "true");
      long[] users = new long[30];
      for (int i = 0; i < users.length; i++) users[i] = 710_000 + i;
      VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 8);
      // 15, 10 and 5 votes: options 0, 1, 2
      assertThat(driver.run(poll, users, VoteDriver.bearers(users), u -> (int) ((u - 710_000) < 15 ? 0 : (u - 710_000) < 25 ? 1 : 2), 8, false)
        .await(60, TimeUnit.SECONDS).count(202)).isEqualTo(30);
      driver.close();
      browser.await("document.getElementById('total').textContent", "30");
      browser.await(count(0), "15");
      browser.await(count(1), "10");
      browser.await(count(2), "5");
      assertThat(browser.eval("document.querySelector('[data-option=\"0\"] .pct').textContent")).isEqualTo("50.0%");
      assertThat(browser.eval("String(document.querySelector('[data-option=\"0\"]').classList.contains('leader'))")).isEqualTo("true");
      browser.await("document.getElementById('log-size').textContent", "30"); // the signed state that covers them
      browser.await("document.querySelector('[data-option=\"0\"] .fill').style.width", "50%");
      // For the picture: the bar's transition has ended (its drawn width is half its track's); nothing is asserted on pixels.
      browser.await("(() => { const f = document.querySelector('[data-option=\"0\"] .fill');"
        + " return String(Math.abs(f.getBoundingClientRect().width - f.parentElement.getBoundingClientRect().width / 2) < 1); })()", "true");
      browser.screenshot(1920, 1080, HeadlessChromium.screenshots().resolve("broadcast-1920x1080.png"));
    }
    try (HeadlessChromium chroma = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/polls/" + poll + "/broadcast?bg=chroma")) {
      chroma.await("getComputedStyle(document.body).backgroundColor", "rgb(0, 177, 64)");
      chroma.await("document.getElementById('total').textContent", "30");
    }
    try (HeadlessChromium keyer = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/polls/" + poll + "/broadcast?bg=transparent")) {
      keyer.await("String(document.body.classList.contains('transparent'))", "true"); // the page's script ran (not about:blank)
      keyer.await("document.getElementById('total').textContent", "30");
      assertThat(keyer.eval("getComputedStyle(document.body).backgroundColor")).isEqualTo("rgba(0, 0, 0, 0)");
      assertThat(keyer.eval("getComputedStyle(document.documentElement).backgroundColor")).isEqualTo("rgba(0, 0, 0, 0)");
      // Drawn over nothing, as a keyer composites it: the picture keeps its alpha, clear where nothing is drawn.
      keyer.call("Emulation.setDefaultBackgroundColorOverride", new JsonObject().put("color", new JsonObject().put("r", 0).put("g", 0).put("b", 0).put("a", 0)));
      Path shot = HeadlessChromium.screenshots().resolve("broadcast-1920x1080-transparent.png");
      keyer.screenshot(1920, 1080, shot);
      BufferedImage image = ImageIO.read(shot.toFile());
      assertThat(image.getColorModel().hasAlpha()).isTrue();
      assertThat(image.getRGB(0, 0) >>> 24).as("the corner's alpha").isZero();
    }
  }

  @Test
  @DisplayName("The embargo hides the counts from the screen (results page and broadcast view), and the reveal reaches both")
  void shouldHideTheCountsUntilTheReveal() throws Exception {
    var created = f.post("/api/v1/polls", DevTokens.dev().admin(1),
      "{\"title\":\"Embargoed on air\",\"options\":[\"Red\",\"Blue\"],\"hideResults\":true}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    int poll = Integer.parseInt(created.body().replaceAll(".*?\"id\":(\\d+).*", "$1"));
    long[] users = {720_001, 720_002, 720_003};
    VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 3);
    assertThat(driver.run(poll, users, VoteDriver.bearers(users), u -> 1, 3, false).await(60, TimeUnit.SECONDS).count(202)).isEqualTo(3);
    driver.close();
    StackFixture.await("the votes counted", () -> f.query("SELECT coalesce(sum(count), 0) FROM tallies WHERE poll_id = " + poll), 3, 60);
    try (HeadlessChromium screen = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/polls/" + poll + "/broadcast");
         HeadlessChromium page = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/polls/" + poll)) {
      screen.await("String(document.getElementById('hidden').hidden)", "false");
      assertThat(screen.eval("document.getElementById('total').textContent")).isEqualTo("—");
      page.await("document.querySelector('[data-option=\"1\"] .count').textContent", "hidden");
      assertThat(page.eval("String([...document.querySelectorAll('.count')].every(e => e.textContent === 'hidden'))")).as("no count on the page")
        .isEqualTo("true");
      assertThat(page.eval("document.getElementById('total').textContent")).isEqualTo("—");
      assertThat(f.post("/api/v1/polls/" + poll + "/reveal", DevTokens.dev().admin(1), "").statusCode()).isEqualTo(200);
      screen.await("document.getElementById('total').textContent", "3");
      screen.await(count(1), "3");
      assertThat(screen.eval("String(document.getElementById('hidden').hidden)")).isEqualTo("true");
      page.await("document.getElementById('total').textContent", "3");
    }
  }
}
