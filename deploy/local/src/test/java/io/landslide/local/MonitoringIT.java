package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The monitoring in the repository (issue 12): the alert rules pass {@code promtool check rules} (Debian's
 * {@code prometheus} package; {@code deploy/local/test.sh} installs it), and every metric the rules and the Grafana
 * dashboard name is exported by a running stack's edge or writer, and every rule's and panel's query runs on a real
 * Prometheus (the same package) scraping that stack, the core ones with data.
 */
class MonitoringIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());
  private static final Path MONITORING = LocalStack.root().resolve("deploy/monitoring");
  /**
   * The metrics a process exports: the project's own names. Prometheus's own series ({@code up}, which
   * {@code LandslideProcessDown} uses; {@code absent()} is a function) are nobody's export and are not matched: the
   * query test below checks them against a real Prometheus instead.
   */
  private static final Pattern METRIC = Pattern.compile("\\blandslide_[a-z0-9_]+");
  private static final Set<String> PROMETHEUS_OWN = Set.of("up"); // a target's scrape: 1 answered, 0 not
  /** A series selected with labels, {@code name{…}}, in a query. */
  private static final Pattern SELECTOR = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
  private static final String EDGE_JOB = "landslide-edge"; // deploy/local/prometheus.sh's job names, which the rules match
  private static final String WRITER_JOB = "landslide-writer";
  /**
   * A panel query naming one of these must have data once votes went through the stack (and a histogram's quantile
   * must be a number, not NaN): the votes and their latency, the writers' lag, commits and rows, the spectator's frames.
   */
  private static final List<String> CORE = List.of("landslide_votes_total{outcome=\"accepted\"}", "landslide_vote_duration_seconds_bucket",
    "landslide_kafka_produce_seconds_bucket", "landslide_bitmap_claim_seconds_bucket", "landslide_writer_lag_records",
    "landslide_writer_commit_seconds_bucket", "landslide_writer_vote_delay_seconds_bucket", "landslide_writer_rows_total",
    "landslide_live_spectators", "landslide_live_frames_total", "landslide_build_info");
  /** Grafana's interval variables, which Prometheus does not know: a concrete window instead. */
  private static final Pattern GRAFANA_INTERVAL = Pattern.compile("\\$\\{?__(rate_interval|interval|range)(_s|_ms)?\\}?");

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
    Set<String> foreign = new TreeSet<>();
    for (String expr : expressions()) {
      Matcher m = SELECTOR.matcher(expr);
      while (m.find()) if (!m.group(1).startsWith("landslide_") && !PROMETHEUS_OWN.contains(m.group(1))) foreign.add(m.group(1));
    }
    assertThat(foreign).as("series selected that are neither the processes' (landslide_) nor Prometheus's own").isEmpty();
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

  @Test
  @DisplayName("Every alert rule and dashboard query runs on a real Prometheus scraping the stack; the core ones have data")
  void shouldEvaluateEveryRuleAndPanelQueryAgainstRealData() throws Exception {
    String edge = "127.0.0.1:" + f.stack.settings().edgePort();
    String writer = "127.0.0.1:" + f.stack.settings().writerPort();
    Map<String, List<String>> jobs = new LinkedHashMap<>();
    jobs.put(EDGE_JOB, List.of(edge));
    jobs.put(WRITER_JOB, List.of(writer));
    long started = System.nanoTime();
    try (LocalPrometheus prom = LocalPrometheus.start(jobs, MONITORING.resolve("alerts.yml"))) {
      awaitResult(prom, "both targets scraped and up", "up{job=~\"" + EDGE_JOB + "|" + WRITER_JOB + "\"} == 1", r -> r.size() == 2, 30);

      // Real votes while it scrapes (counters move between two scrapes: rates above 0), one refused, a spectator watching.
      int poll = f.createPoll("monitoring-prometheus", 3);
      HttpResponse<Stream<String>> sse = StackFixture.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(f.stack.edgeUrl()
        + "/api/v1/polls/" + poll + "/events")).build(), HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS);
      try {
        CompletableFuture.supplyAsync(() -> sse.body().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow()).get(30, TimeUnit.SECONDS);
        int votes = 30;
        for (int i = 0; i < votes; i++) {
          String body = "{\"option\":" + (i % 3) + "}";
          assertThat(f.post("/api/v1/polls/" + poll + "/votes", DevTokens.dev().voter(1000 + i), body).statusCode()).isEqualTo(202);
        }
        assertThat(f.post("/api/v1/polls/" + poll + "/votes", DevTokens.dev().voter(1000), "{\"option\":1}").statusCode())
          .as("a second vote").isEqualTo(409);
        StackFixture.await("the votes committed", () -> f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll), votes, 60);

        List<String> panels = panelQueries();
        assertThat(panels).as("the dashboard's queries").hasSizeGreaterThan(10);
        for (String core : CORE) assertThat(panels).as("a panel queries " + core).anyMatch(q -> q.contains(core));
        for (String q : panels) {
          if (CORE.stream().noneMatch(q::contains)) continue;
          awaitResult(prom, "the panel query has data", q, r -> !r.isEmpty() && r.stream().allMatch(MonitoringIT::isNumber), 30);
        }
      } finally {
        sse.body().close();
      }

      // Every panel query and every rule Prometheus loaded parses and runs; the rules' own evaluation is healthy.
      List<String> failed = new ArrayList<>();
      for (String q : panelQueries()) {
        JsonObject a = prom.query(q);
        if (!"success".equals(a.getString("status"))) failed.add("panel " + q + ": " + a.getString("error"));
      }
      List<JsonObject> rules = awaitRulesEvaluated(prom);
      Set<String> names = new TreeSet<>();
      for (JsonObject rule : rules) {
        names.add(rule.getString("name"));
        JsonObject a = prom.query(rule.getString("query"));
        if (!"success".equals(a.getString("status"))) failed.add("rule " + rule.getString("name") + ": " + a.getString("error"));
        if (!"ok".equals(rule.getString("health"))) failed.add("rule " + rule.getString("name") + " health " + rule.getString("health")
          + ": " + rule.getString("lastError"));
      }
      assertThat(failed).as("queries Prometheus refused or failed").isEmpty();
      assertThat(names).as("every rule in alerts.yml loaded").isEqualTo(ruleNames());
      assertThat(ruleNames()).as("the rules").contains("LandslideWritersGone", "LandslideEdgesGone", "LandslideProcessDown");
      for (String gone : List.of("LandslideWritersGone", "LandslideEdgesGone", "LandslideProcessDown")) {
        assertThat(prom.result(rule(rules, gone).getString("query"))).as(gone + " while everything runs").isEmpty();
      }
      System.out.println("prometheus: " + panelQueries().size() + " panel queries and " + rules.size() + " rules evaluated after "
        + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s");

      // The writer gone: the lag alerts' series vanish with it, the absence alerts' expressions answer instead.
      try {
        f.stack.kill9("writer");
        awaitResult(prom, "LandslideWritersGone's expression", rule(rules, "LandslideWritersGone").getString("query"), r -> r.size() == 1, 30);
        awaitResult(prom, "LandslideProcessDown's expression", rule(rules, "LandslideProcessDown").getString("query"),
          r -> r.size() == 1 && WRITER_JOB.equals(r.getJsonObject(0).getJsonObject("metric").getString("job")), 30);
        awaitResult(prom, "the lag alerts' series gone with the writer", "landslide_writer_lag_records or landslide_writer_oldest_vote_age_seconds",
          JsonArray::isEmpty, 30);
        assertThat(prom.result(rule(rules, "LandslideEdgesGone").getString("query"))).as("the edge still runs").isEmpty();
      } finally {
        f.stack.up(); // the writer again, for the class's other tests
      }
    }
  }

  /** @return every target expression of every dashboard panel (rows' panels too), Grafana's interval variables replaced */
  private static List<String> panelQueries() throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonObject panel : panels()) {
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (int i = 0; i < targets.size(); i++) {
        String expr = targets.getJsonObject(i).getString("expr");
        if (expr == null || expr.isBlank()) continue;
        String q = GRAFANA_INTERVAL.matcher(expr).replaceAll("1m");
        assertThat(q).as("a Grafana variable this test cannot replace, in panel '" + panel.getString("title") + "'").doesNotContain("$");
        out.add(q);
      }
    }
    return out;
  }

  private static List<JsonObject> panels() throws Exception {
    List<JsonObject> out = new ArrayList<>();
    collect(new JsonObject(Files.readString(MONITORING.resolve("dashboard.json"))).getJsonArray("panels"), out);
    return out;
  }

  private static void collect(JsonArray panels, List<JsonObject> out) {
    if (panels == null) return;
    for (int i = 0; i < panels.size(); i++) {
      JsonObject p = panels.getJsonObject(i);
      out.add(p);
      collect(p.getJsonArray("panels"), out); // a row's panels
    }
  }

  /** @return the rules' expressions (single-line, as alerts.yml writes them) and the panels' */
  private static List<String> expressions() throws Exception {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^\\s*expr:\\s*(.+)$").matcher(Files.readString(MONITORING.resolve("alerts.yml")));
    while (m.find()) out.add(m.group(1));
    out.addAll(panelQueries());
    return out;
  }

  /** @return the alert and recording rules' names in alerts.yml */
  private static Set<String> ruleNames() throws Exception {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\s*-\\s*(?:alert|record):\\s*(\\S+)").matcher(Files.readString(MONITORING.resolve("alerts.yml")));
    while (m.find()) out.add(m.group(1));
    return out;
  }

  private static JsonObject rule(List<JsonObject> rules, String name) {
    return rules.stream().filter(r -> name.equals(r.getString("name"))).findFirst().orElseThrow(() -> new AssertionError("no rule " + name));
  }

  /** @return every rule Prometheus loaded, once each was evaluated at least once (health no longer "unknown") */
  private static List<JsonObject> awaitRulesEvaluated(LocalPrometheus prom) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      List<JsonObject> rules = new ArrayList<>();
      JsonArray groups = prom.ruleGroups();
      for (int g = 0; g < groups.size(); g++) {
        JsonArray rs = groups.getJsonObject(g).getJsonArray("rules");
        for (int i = 0; i < rs.size(); i++) rules.add(rs.getJsonObject(i));
      }
      if (!rules.isEmpty() && rules.stream().noneMatch(r -> "unknown".equals(r.getString("health")))) return rules;
      if (System.nanoTime() > deadline) throw new AssertionError("rules not evaluated after 20 s: " + rules + "\n" + prom.log());
      Thread.sleep(200); // polling Prometheus's evaluation: there is no event to wait on
    }
  }

  /** Polls an instant query until its result satisfies the condition, with a deadline; an error answer fails at once. */
  private static JsonArray awaitResult(LocalPrometheus prom, String what, String query, Predicate<JsonArray> ok, long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      JsonArray r = prom.result(query);
      if (ok.test(r)) return r;
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " after " + seconds + " s: " + query + " gave " + r.encode() + "\ntargets: " + prom.targets().encode());
      }
      Thread.sleep(200); // polling Prometheus's scrapes: there is no event to wait on
    }
  }

  /** @return whether a vector sample's value is a number (a quantile of no data is NaN) */
  private static boolean isNumber(Object sample) {
    JsonArray value = ((JsonObject) sample).getJsonArray("value");
    String v = value.getString(1);
    return !v.equals("NaN") && !v.contains("Inf");
  }
}
