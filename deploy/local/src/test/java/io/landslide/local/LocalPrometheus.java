package io.landslide.local;

import io.landslide.infra.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus (Debian's package, {@code /usr/bin/prometheus}) for a test: its own config, temp storage and
 * free port, scraping the given jobs every second and evaluating the given rule files every second. Like
 * {@code deploy/local/prometheus.sh}, with the test's ports.
 */
final class LocalPrometheus implements AutoCloseable {
  private final Path dir;
  private final Process process;
  private final int port;

  private LocalPrometheus(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /**
   * Starts it and waits until it answers {@code /-/ready}.
   *
   * @param jobs  job name to its targets ({@code host:port}, scraped at {@code /metrics})
   * @param rules rule files to load
   * @return the running Prometheus
   * @throws Exception when it does not start (its log is in the message)
   */
  static LocalPrometheus start(Map<String, List<String>> jobs, Path... rules) throws Exception {
    String binary = Files.isExecutable(Path.of("/usr/bin/prometheus")) ? "/usr/bin/prometheus" : "prometheus";
    Path dir = Files.createTempDirectory("landslide-prometheus-");
    StringBuilder yaml = new StringBuilder("global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\n");
    yaml.append("rule_files: [");
    for (int i = 0; i < rules.length; i++) yaml.append(i == 0 ? "" : ", ").append('"').append(rules[i].toAbsolutePath()).append('"');
    yaml.append("]\nscrape_configs:\n");
    jobs.forEach((job, targets) -> yaml.append("  - job_name: ").append(job).append("\n    static_configs: [{targets: [")
      .append(targets.stream().map(t -> '"' + t + '"').collect(Collectors.joining(", "))).append("]}]\n"));
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, yaml);
    int port = Ports.free();
    Process p;
    try {
      p = new ProcessBuilder(binary, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("prometheus is missing: install Debian's package 'prometheus' (deploy/local/test.sh does)", e);
    }
    LocalPrometheus prom = new LocalPrometheus(dir, p, port);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        if (!p.isAlive()) throw new IllegalStateException("prometheus exited " + p.exitValue() + ":\n" + prom.log());
        try {
          if (get("http://127.0.0.1:" + port + "/-/ready").statusCode() == 200) return prom;
        } catch (IOException notYet) {
          // not listening yet
        }
        if (System.nanoTime() > deadline) throw new IllegalStateException("prometheus not ready after 30 s:\n" + prom.log());
        Thread.sleep(100); // polling another process's readiness: there is no event to wait on
      }
    } catch (Exception | Error e) {
      prom.close();
      throw e;
    }
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  /**
   * An instant query through {@code /api/v1/query}.
   *
   * @param expr PromQL
   * @return the answer: {@code status} ("success" or "error"), {@code data.result}, or {@code errorType} and {@code error}
   */
  JsonObject query(String expr) throws IOException, InterruptedException {
    HttpResponse<String> r = get("http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    try {
      return new JsonObject(r.body());
    } catch (RuntimeException notJson) {
      return new JsonObject().put("status", "error").put("error", "HTTP " + r.statusCode() + ": " + r.body());
    }
  }

  /** @return the result vector or matrix of a successful query (a scalar or string: its one pair); an error fails */
  JsonArray result(String expr) throws IOException, InterruptedException {
    JsonObject a = query(expr);
    if (!"success".equals(a.getString("status"))) throw new AssertionError(expr + ": " + a.encode());
    JsonObject data = a.getJsonObject("data");
    String type = data.getString("resultType");
    return "vector".equals(type) || "matrix".equals(type) ? data.getJsonArray("result") : new JsonArray().add(data.getValue("result"));
  }

  /** @return the rule groups Prometheus loaded, from {@code /api/v1/rules} ({@code data.groups}) */
  JsonArray ruleGroups() throws IOException, InterruptedException {
    JsonObject a = new JsonObject(get("http://127.0.0.1:" + port + "/api/v1/rules").body());
    if (!"success".equals(a.getString("status"))) throw new AssertionError("/api/v1/rules: " + a.encode());
    return a.getJsonObject("data").getJsonArray("groups");
  }

  /** @return the scrape targets' state, from {@code /api/v1/targets} ({@code data.activeTargets}) */
  JsonArray targets() throws IOException, InterruptedException {
    JsonObject a = new JsonObject(get("http://127.0.0.1:" + port + "/api/v1/targets").body());
    return a.getJsonObject("data").getJsonArray("activeTargets");
  }

  /** @return its log so far (for a failure's message) */
  String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
