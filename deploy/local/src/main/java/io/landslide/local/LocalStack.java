package io.landslide.local;

import io.landslide.runtime.PgSettings;
import io.landslide.codec.Topics;
import io.landslide.infra.DevTokens;
import io.landslide.infra.LocalKafka;
import io.landslide.infra.Schema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The whole system on one machine, every part real and every service its own process: a Kafka broker
 * (KRaft, its own JVM; or an existing Kafka given by {@code VOTING_KAFKA_BOOTSTRAP}), the migrated schema in the
 * local PostgreSQL, the local Redis, one writer process and one edge process. Used by {@code deploy/local/up.sh}, by the system tests and by the benchmark.
 *
 * <p>Processes outlive the JVM that started them; their pids are in {@code <dir>/*.pid} and their logs in
 * {@code <dir>/*.log}, so {@code down} can stop what {@code up} started.
 */
public final class LocalStack {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * Where and how the stack runs.
   *
   * @param root       the repository (module class paths are read under it)
   * @param dir        where pids, logs and the broker's data go
   * @param kafkaPort  broker port (the controller takes the next one)
   * @param edgePort   the edge's HTTP port
   * @param writerPort the writer's ops port
   * @param partitions partitions of the votes topic
   * @param topic      the votes topic
   * @param pg         PostgreSQL
   * @param env        extra environment for edge and writer
   * @param externalKafka an existing Kafka's bootstrap servers ({@code VOTING_KAFKA_BOOTSTRAP}); null to start a local broker
   */
  public record Settings(Path root, Path dir, int kafkaPort, int edgePort, int writerPort, int partitions, String topic,
                         PgSettings pg, Map<String, String> env, String externalKafka) {
    /** Settings with a local broker. */
    public Settings(Path root, Path dir, int kafkaPort, int edgePort, int writerPort, int partitions, String topic,
                    PgSettings pg, Map<String, String> env) {
      this(root, dir, kafkaPort, edgePort, writerPort, partitions, topic, pg, env, null);
    }

    /** @return the defaults of the README's stack, with environment overrides */
    public static Settings fromEnv() {
      Map<String, String> e = System.getenv();
      Path root = LocalStack.root();
      return new Settings(root, root.resolve(".landslide"), Integer.parseInt(e.getOrDefault("VOTING_KAFKA_PORT", "9092")),
        Integer.parseInt(e.getOrDefault("VOTING_HTTP_PORT", "8080")), Integer.parseInt(e.getOrDefault("VOTING_WRITER_HTTP_PORT", "8081")),
        Integer.parseInt(e.getOrDefault("VOTING_TOPIC_PARTITIONS", "8")), e.getOrDefault("VOTING_TOPIC", Topics.VOTES),
        PgSettings.fromEnv(e), Map.of(), e.get("VOTING_KAFKA_BOOTSTRAP"));
    }
  }

  private final Settings s;

  /** @param settings where and how */
  public LocalStack(Settings settings) {
    this.s = settings;
  }

  /** @return the repository root: {@code -Dlandslide.root}, or the nearest folder up with {@code edge-verticles/} */
  public static Path root() {
    String prop = System.getProperty("landslide.root");
    if (prop != null) return Path.of(prop).toAbsolutePath().normalize();
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("edge-verticles")) && Files.exists(p.resolve("pom.xml"))) return p;
    }
    throw new IllegalStateException("cannot find the repository root; set -Dlandslide.root");
  }

  /** @return settings */
  public Settings settings() {
    return s;
  }

  /** @return the edge's base URL */
  public String edgeUrl() {
    return "http://localhost:" + s.edgePort();
  }

  /** @return the broker's bootstrap address */
  public String kafkaBootstrap() {
    return s.externalKafka() != null ? s.externalKafka() : "localhost:" + s.kafkaPort();
  }

  /**
   * Starts everything that is not running yet, in order, and waits until edge and writer are ready.
   *
   * @return this
   * @throws Exception when a part does not come up (its log is named)
   */
  public LocalStack up() throws Exception {
    Files.createDirectories(s.dir());
    if (s.externalKafka() == null && pid("kafka/broker").isEmpty()) {
      LocalKafka.start(s.dir().resolve("kafka"), s.kafkaPort(), s.kafkaPort() + 1);
    }
    LocalKafka.ensureTopic(kafkaBootstrap(), s.topic(), s.partitions());
    Schema.ensureDatabase(s.pg());
    Schema.migrate(s.pg());
    if (pid("writer").isEmpty()) startWriter();
    if (pid("edge").isEmpty()) startEdge();
    awaitReady("writer", "http://localhost:" + s.writerPort() + "/health/ready");
    awaitReady("edge", edgeUrl() + "/health/ready");
    return this;
  }

  /** @return the writer process, started */
  public ProcessHandle startWriter() {
    return start("writer", "writer-verticles", "io.landslide.writer.WriterMain", Map.of());
  }

  /** @return the edge process, started */
  public ProcessHandle startEdge() {
    return start("edge", "edge-verticles", "io.landslide.edge.EdgeMain", Map.of());
  }

  /**
   * Another edge of the same cluster, on its own port.
   *
   * @param name     its name (pid and log file)
   * @param httpPort its HTTP port
   * @return the process, started (wait with {@link #awaitReady})
   */
  public ProcessHandle startEdge(String name, int httpPort) {
    return startEdge(name, httpPort, Map.of());
  }

  /**
   * Another edge of the same cluster, on its own port, configured apart.
   *
   * @param name     its name (pid and log file)
   * @param httpPort its HTTP port
   * @param env      settings of its own (over the stack's)
   * @return the process, started (wait with {@link #awaitReady})
   */
  public ProcessHandle startEdge(String name, int httpPort, Map<String, String> env) {
    Map<String, String> overrides = new HashMap<>(env);
    overrides.put("VOTING_HTTP_PORT", Integer.toString(httpPort));
    return start(name, "edge-verticles", "io.landslide.edge.EdgeMain", overrides);
  }

  /**
   * Waits until a process answers 200 on its readiness URL.
   *
   * @param name the process (for its pid and log)
   * @param url  its readiness URL
   * @throws InterruptedException when interrupted
   */
  public void awaitReady(String name, String url) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (pid(name).isEmpty()) throw new IllegalStateException(name + " exited; see " + s.dir().resolve(name + ".log") + "\n" + tail(name));
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100); // polling another process's readiness: there is no event to wait on
    }
    throw new IllegalStateException(name + " not ready after 90 s; see " + s.dir().resolve(name + ".log") + "\n" + tail(name));
  }

  /**
   * @param name {@code edge}, {@code writer} or {@code kafka/broker}
   * @return the live process, if any
   */
  public Optional<ProcessHandle> pid(String name) {
    Path f = s.dir().resolve(name + ".pid");
    try {
      if (!Files.exists(f)) return Optional.empty();
      return ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * SIGKILL: the process gets no chance to flush or commit anything.
   *
   * @param name the process
   */
  public void kill9(String name) {
    pid(name).ifPresent(h -> {
      h.destroyForcibly();
      h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    });
  }

  /**
   * SIGTERM, and SIGKILL after 30 s.
   *
   * @param name the process
   */
  public void stop(String name) {
    pid(name).ifPresent(h -> {
      h.destroy();
      try {
        h.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    });
  }

  /** Stops edges, writer and broker. */
  public void down() {
    try (var pids = Files.list(s.dir())) {
      pids.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("edge") && f.endsWith(".pid"))
        .forEach(f -> stop(f.substring(0, f.length() - 4)));
    } catch (IOException e) {
      // no directory: nothing started
    }
    stop("edge");
    stop("writer");
    stop("kafka/broker");
  }

  /**
   * Creates the demo poll unless there is a poll already.
   *
   * @return the demo poll's id
   * @throws Exception when the edge refuses
   */
  public int demoPoll() throws Exception {
    String admin = DevTokens.dev().admin(1);
    String list = HTTP.send(HttpRequest.newBuilder(URI.create(edgeUrl() + "/api/v1/polls")).build(), HttpResponse.BodyHandlers.ofString()).body();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":(\\d+)").matcher(list);
    if (m.find()) return Integer.parseInt(m.group(1));
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(edgeUrl() + "/api/v1/polls"))
      .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Which dessert wins tonight?\",\"options\":[\"Chocolate cake\",\"Apple pie\",\"Ice cream\",\"Cheesecake\"]}"))
      .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new IllegalStateException("demo poll: " + r.statusCode() + " " + r.body());
    m = java.util.regex.Pattern.compile("\"id\":(\\d+)").matcher(r.body());
    if (!m.find()) throw new IllegalStateException("demo poll: " + r.body());
    return Integer.parseInt(m.group(1));
  }

  /** @return the Hazelcast cluster of this stack: one per stack directory, so two stacks never join each other */
  public String clusterName() {
    return "landslide-" + Integer.toHexString(s.dir().toAbsolutePath().normalize().toString().hashCode());
  }

  private ProcessHandle start(String name, String module, String main, Map<String, String> overrides) {
    try {
      Path moduleDir = s.root().resolve(module);
      Path cpFile = moduleDir.resolve("target/runtime.classpath");
      if (!Files.exists(cpFile)) throw new IllegalStateException(cpFile + " missing: build first (mvn -DskipTests install)");
      String cp = moduleDir.resolve("target/classes") + java.io.File.pathSeparator + Files.readString(cpFile).trim();
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      String opts = s.env().getOrDefault("VOTING_JVM_OPTS", System.getenv().getOrDefault("VOTING_JVM_OPTS", "-Xms256m -Xmx1g -XX:+UseG1GC"));
      for (String o : opts.trim().split("\\s+")) if (!o.isEmpty()) cmd.add(o);
      cmd.add("-cp");
      cmd.add(cp);
      cmd.add(main);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(s.dir().resolve(name + ".log").toFile()));
      Map<String, String> env = pb.environment();
      env.putAll(Map.of("VOTING_KAFKA_BOOTSTRAP", kafkaBootstrap(), "VOTING_TOPIC", s.topic(),
        "VOTING_HTTP_PORT", Integer.toString(s.edgePort()), "VOTING_WRITER_HTTP_PORT", Integer.toString(s.writerPort()),
        "VOTING_PG_HOST", s.pg().host(), "VOTING_PG_PORT", Integer.toString(s.pg().port()), "VOTING_PG_DATABASE", s.pg().database(),
        "VOTING_PG_USER", s.pg().user(), "VOTING_PG_PASSWORD", s.pg().password()));
      env.put("VOTING_CLUSTER_NAME", clusterName());
      // Every client of a local stack is 127.0.0.1: per-address limits would throttle them all as one (set them to try them).
      env.putIfAbsent("VOTING_RATE_IP", "0");
      env.putIfAbsent("VOTING_RATE_AUTH", "0");
      env.putIfAbsent("VOTING_ABUSE_ADDRESS_VOTES", "0");
      env.putAll(s.env());
      env.putAll(overrides);
      Process p = pb.start();
      Files.writeString(s.dir().resolve(name + ".pid"), Long.toString(p.pid()));
      return p.toHandle();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param name a process
   * @return the last lines of its log
   */
  public String tail(String name) {
    try {
      List<String> lines = Files.readAllLines(s.dir().resolve(name + ".log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /**
   * {@code up} (start what is not running, migrate, create the demo poll, print how to use it), {@code down}.
   *
   * @param args the command
   * @throws Exception when a part does not come up
   */
  public static void main(String[] args) throws Exception {
    LocalStack stack = new LocalStack(Settings.fromEnv());
    String cmd = args.length == 0 ? "up" : args[0];
    switch (cmd) {
      case "up" -> {
        stack.up();
        int poll = stack.demoPoll();
        Map<String, String> vars = new HashMap<>();
        vars.put("URL", stack.edgeUrl());
        vars.put("POLL", Integer.toString(poll));
        System.out.println(("""

          Landslide is up: a Kafka broker, PostgreSQL schema, a writer and an edge, each its own process.
            Web pages:                {URL}/   live results {URL}/polls/{POLL}   vote (sign up, vote) {URL}/polls/{POLL}/vote
            API:                      {URL}/api/v1/polls
            Demo poll:                {URL}/api/v1/polls/{POLL}   results: {URL}/api/v1/polls/{POLL}/results
            Health / metrics:         {URL}/health/ready   {URL}/metrics   writer: http://localhost:%d/metrics
            Logs and pids:            %s

          Vote with curl (dev tokens: HS256 with VOTING_JWT_SECRET, see README):
            TOKEN=$(deploy/local/token.sh 42)
            curl -i -X POST {URL}/api/v1/polls/{POLL}/votes -H "Authorization: Bearer $TOKEN" \\
                 -H 'Content-Type: application/json' -d '{"option": 0}'
            curl -s {URL}/api/v1/polls/{POLL}/votes/me -H "Authorization: Bearer $TOKEN"
            curl -s {URL}/api/v1/polls/{POLL}/results

          Stop everything: deploy/local/down.sh
          """.formatted(stack.settings().writerPort(), stack.settings().dir()))
          .replace("{URL}", vars.get("URL")).replace("{POLL}", vars.get("POLL")));
      }
      case "down" -> {
        stack.down();
        System.out.println("Landslide stopped (data kept in PostgreSQL and " + stack.settings().dir().resolve("kafka") + ").");
      }
      default -> {
        System.err.println("usage: LocalStack up|down");
        System.exit(2);
      }
    }
  }
}
