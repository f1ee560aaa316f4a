package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The monitoring in the repository (issue 12): the alert rules pass {@code promtool check rules} (Debian's
 * {@code prometheus} package; {@code deploy/local/test.sh} installs it), and every metric the rules and the Grafana
 * dashboard name is exported by a running stack's edge or writer.
 */
class MonitoringIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());
  private static final Path MONITORING = LocalStack.root().resolve("deploy/monitoring");
  private static final Pattern METRIC = Pattern.compile("\\blandslide_[a-z0-9_]+");

  private static Set<String> named(Path file) throws Exception {
    Set<String> out = new TreeSet<>();
    Matcher m = METRIC.matcher(Files.readString(file));
    while (m.find()) out.add(m.group());
    return out;
  }

  private static String scrape(int port) throws Exception {
    return StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
      HttpResponse.BodyHandlers.ofString()).body();
  }

  /** @return whether the metric, or the histogram family it names (a runbook names the family), is in the scrape */
  private static boolean exported(String metrics, String name) {
    return Pattern.compile("(?m)^" + Pattern.quote(name) + "(_bucket|_count|_sum)?[{ ]").matcher(metrics).find();
  }

  @Test
  @DisplayName("Every metric the alert rules and the dashboard name is exported by the running edge or writer")
  void shouldExportEveryMetricTheDashboardAndRulesName() throws Exception {
    int poll = f.createPoll("monitoring", 2);
    assertThat(f.post("/api/v1/polls/" + poll + "/votes", DevTokens.dev().voter(1), "{\"option\":0}").statusCode()).isEqualTo(202);
    StackFixture.await("the vote committed", () -> f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll), 1, 60);
    Set<String> names = new TreeSet<>(named(MONITORING.resolve("alerts.yml")));
    names.addAll(named(MONITORING.resolve("dashboard.json")));
    assertThat(names).as("the rules and the dashboard name metrics").hasSizeGreaterThan(10);
    String all = "";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Set<String> missing = new TreeSet<>(names);
    while (!missing.isEmpty() && System.nanoTime() < deadline) { // the writer's lag gauge comes with its first assignment
      all = scrape(f.stack.settings().edgePort()) + scrape(f.stack.settings().writerPort());
      String scraped = all;
      missing.removeIf(n -> exported(scraped, n));
      if (!missing.isEmpty()) Thread.sleep(200);
    }
    assertThat(missing).as("named by deploy/monitoring but exported by neither process").isEmpty();
    assertThat(all).contains("landslide_vote_duration_seconds_bucket{le=\"0.1\"}").as("histograms, not per-process quantiles")
      .doesNotContain("landslide_vote_duration_seconds{quantile");
  }

  @Test
  @DisplayName("The alert rules pass promtool check rules")
  void shouldPassPromtool() throws Exception {
    String promtool = Files.isExecutable(Path.of("/usr/bin/promtool")) ? "/usr/bin/promtool" : "promtool";
    Process p;
    try {
      p = new ProcessBuilder(promtool, "check", "rules", MONITORING.resolve("alerts.yml").toString()).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      throw new AssertionError("promtool is missing: install Debian's package 'prometheus' (deploy/local/test.sh does)", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    System.out.println("promtool: " + out.strip());
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS");
  }
}
