package io.landslide.edge.defence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AbuseSignalsTest {
  private static final String BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
  private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
  private final AbuseSignals signals = new AbuseSignals(40, 3, now::get);
  private final long opened = now.get() - 60_000;

  @Test
  void shouldNotScoreAPersonInABrowser() {
    assertThat(signals.score(BROWSER, "de-CH,de;q=0.9", "10.0.0.1", opened)).isZero();
    assertThat(signals.suspiciousClient(BROWSER, "en")).isFalse();
  }

  @Test
  void shouldScoreAutomationClients() {
    assertThat(AbuseSignals.clientScore(null, null)).isEqualTo(60);
    assertThat(AbuseSignals.clientScore("curl/8.5.0", null)).isEqualTo(60);
    assertThat(AbuseSignals.clientScore("python-requests/2.31", "en")).isEqualTo(40);
    assertThat(AbuseSignals.clientScore(BROWSER.replace("Chrome/", "HeadlessChrome/"), "en")).isEqualTo(40);
    assertThat(AbuseSignals.clientScore("Googlebot/2.1", "en")).isEqualTo(40);
    assertThat(AbuseSignals.clientScore(BROWSER, null)).isEqualTo(20);
    assertThat(signals.suspiciousClient("curl/8.5.0", "en")).isTrue();
    assertThat(signals.suspiciousClient(BROWSER, null)).as("one weak signal is not enough").isFalse();
  }

  @Test
  void shouldScoreAVoteRightAtOpening() {
    assertThat(signals.score(BROWSER, "en", "10.0.0.2", now.get() - 300)).isEqualTo(AbuseSignals.OPEN_BURST);
    assertThat(signals.score(BROWSER, "en", "10.0.0.3", now.get() - 1_000)).isZero();
  }

  @Test
  void shouldScoreABusyAddressUntilItsWindowEnds() {
    for (int i = 0; i < 3; i++) assertThat(signals.score(BROWSER, "en", "10.0.0.4", opened)).isZero();
    assertThat(signals.score(BROWSER, "en", "10.0.0.4", opened)).isEqualTo(AbuseSignals.BUSY_ADDRESS);
    assertThat(signals.score(BROWSER, "en", "10.0.0.5", opened)).as("another address").isZero();
    now.addAndGet(AbuseSignals.WINDOW_MS);
    assertThat(signals.score(BROWSER, "en", "10.0.0.4", opened)).as("a new window").isZero();
    signals.evictIdle();
    assertThat(signals.score(null, null, "10.0.0.4", now.get())).as("everything at once, capped").isEqualTo(80);
  }
}
