package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The results page in real headless Chromium, against the running processes. The screenshot is kept with CI's reports
 * ({@code LANDSLIDE_REPORTS_DIR}, else {@code target}).
 */
class ResultsPageBrowserIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());

  @Test
  @DisplayName("The results page shows the right counts, live, as votes are cast through the API, and the signed log state that covers them")
  void shouldShowTheCountsLive() throws Exception {
    int poll = f.createPoll("Browser", 3);
    try (HeadlessChromium browser = new HeadlessChromium(f.vertx, f.stack.edgeUrl() + "/polls/" + poll)) {
      browser.await("document.getElementById('conn') && document.getElementById('conn').textContent", "live");
      browser.await("document.getElementById('total').textContent", "0");
      // The title comes with the poll document, which may arrive after the stream is live: wait for it.
      browser.await("String(document.title.includes('Browser'))", "true");

      long[] users = new long[30];
      for (int i = 0; i < users.length; i++) users[i] = 700_000 + i;
      VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 8);
      // user u votes for option u % 3: 10 votes each
      assertThat(driver.run(poll, users, VoteDriver.bearers(users), u -> (int) (u % 3), 8, false).await(60, TimeUnit.SECONDS).count(202)).isEqualTo(30);
      driver.close();

      browser.await("document.getElementById('total').textContent", "30");
      for (int o = 0; o < 3; o++) {
        browser.await("document.querySelector('[data-option=\"" + o + "\"] .count').textContent", "10");
      }
      assertThat(browser.eval("document.querySelector('[data-option=\"0\"] .bar').getAttribute('aria-valuenow')")).isEqualTo("33.3");
      browser.await("document.getElementById('summary').textContent.includes('Option 0: 10 votes; Option 1: 10 votes; Option 2: 10 votes')", "true");
      // The signed state the counts can be matched to, once the log's checkpoint covers them.
      browser.await("document.getElementById('log-size').textContent", "30");
      assertThat(browser.eval("document.getElementById('log').hidden")).isEqualTo("false");
      // For people (and CI logs) to look at; nothing is asserted on pixels.
      browser.screenshot(400, 700, HeadlessChromium.screenshots().resolve("results-page-phone.png"));
    }
  }
}
