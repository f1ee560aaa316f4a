package io.landslide.local;

import io.landslide.runtime.PgSettings;
import io.landslide.codec.Topics;
import io.landslide.infra.DevTokens;
import io.landslide.infra.LocalKafka;
import io.landslide.infra.LocalKafkaCluster;
import io.landslide.infra.LocalRedisCluster;
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
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The whole system on one machine, every part real and every service its own process: a Kafka broker
 * (KRaft, its own JVM; or an existing Kafka given by {@code VOTING_KAFKA_BOOTSTRAP}), the migrated schema in the
 * local PostgreSQL, the local Redis, one writer process and one edge process. Used by {@code deploy/local/up.sh}, by the system tests and by the benchmark.
 *
 * <p>With {@link Settings#cluster()} set ({@code up.sh --cluster}) it is production-shaped instead: three Kafka
 * brokers ({@link LocalKafkaCluster}: the votes topic at replication factor 3, {@code min.insync.replicas=2}), a
 * Redis Cluster ({@link LocalRedisCluster}: three masters, a replica each; edges and writers get
 * {@code VOTING_REDIS_MODE=cluster} and its seeds), two writers and two edges, all four in one Hazelcast cluster.
 * Their brokers and Redis nodes are under {@code <dir>/kafka/node-<i>/} and {@code <dir>/redis/node-<port>/}, with
 * the bootstrap servers and seeds in {@code <dir>/kafka/bootstrap} and {@code <dir>/redis/seeds}.
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
   * @param cluster    null for the single-node stack; else the production shape (then {@code kafkaPort} and
   *                   {@code externalKafka} are not used: the brokers take free ports)
   */
  public record Settings(Path root, Path dir, int kafkaPort, int edgePort, int writerPort, int partitions, String topic,
                         PgSettings pg, Map<String, String> env, String externalKafka, Cluster cluster) {
    /** Settings of the single-node stack. */
    public Settings(Path root, Path dir, int kafkaPort, int edgePort, int writerPort, int partitions, String topic,
                    PgSettings pg, Map<String, String> env, String externalKafka) {
      this(root, dir, kafkaPort, edgePort, writerPort, partitions, topic, pg, env, externalKafka, null);
    }

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

    /**
     * @return the load kit's own stack ({@code deploy/local/load.sh}): {@code .landslide-load/}, edge on
     *         {@value #LOAD_EDGE_PORT}, writer's ops on {@value #LOAD_WRITER_PORT}, its own broker on
     *         {@value #LOAD_KAFKA_PORT} (topic {@value #LOAD_TOPIC}) and its own database {@value #LOAD_DATABASE} (so
     *         its own Redis keys, {@code vb:landslide_load:}): the test command runs it without touching a stack the
     *         user started
     */
    public static Settings loadFromEnv() {
      Settings single = fromEnv();
      return new Settings(single.root(), single.root().resolve(".landslide-load"), LOAD_KAFKA_PORT, LOAD_EDGE_PORT, LOAD_WRITER_PORT,
        single.partitions(), LOAD_TOPIC, single.pg().withDatabase(LOAD_DATABASE), Map.of(), null);
    }

    /**
     * @return the production-shaped stack of {@code up.sh --cluster}: {@code .landslide-cluster/}, edges on
     *         {@code VOTING_HTTP_PORT} (8080) and {@code VOTING_HTTP_PORT_2} (8082), writers' ops on
     *         {@code VOTING_WRITER_HTTP_PORT} (8081) and {@code VOTING_WRITER_HTTP_PORT_2} (8083), the database
     *         {@code VOTING_PG_DATABASE} or else {@value #CLUSTER_DATABASE} (its stored offsets belong to this Kafka)
     */
    public static Settings clusterFromEnv() {
      Map<String, String> e = System.getenv();
      Settings single = fromEnv();
      PgSettings pg = e.containsKey("VOTING_PG_DATABASE") ? single.pg() : single.pg().withDatabase(CLUSTER_DATABASE);
      return new Settings(single.root(), single.root().resolve(".landslide-cluster"), single.kafkaPort(), single.edgePort(),
        single.writerPort(), single.partitions(), single.topic(), pg, Map.of(), null,
        new Cluster(Integer.parseInt(e.getOrDefault("VOTING_HTTP_PORT_2", Integer.toString(single.edgePort() + 2))),
          Integer.parseInt(e.getOrDefault("VOTING_WRITER_HTTP_PORT_2", Integer.toString(single.writerPort() + 2)))));
    }

    /**
     * @param c the second edge's and writer's ports
     * @return these settings, production-shaped
     */
    public Settings withCluster(Cluster c) {
      return new Settings(root, dir, kafkaPort, edgePort, writerPort, partitions, topic, pg, env, externalKafka, c);
    }
  }

  /**
   * The production shape's second edge and writer (the first ones use {@link Settings#edgePort()} and
   * {@link Settings#writerPort()}).
   *
   * @param edge2Port   the second edge's HTTP port
   * @param writer2Port the second writer's ops port
   */
  public record Cluster(int edge2Port, int writer2Port) {
  }

  /** The load kit's stack's edge port. */
  public static final int LOAD_EDGE_PORT = 18180;
  /** The load kit's stack's writer ops port. */
  public static final int LOAD_WRITER_PORT = 18181;
  /** The load kit's stack's broker port. */
  public static final int LOAD_KAFKA_PORT = 19192;
  /** The load kit's stack's votes topic. */
  public static final String LOAD_TOPIC = "votes.load";
  /** The load kit's stack's database. */
  public static final String LOAD_DATABASE = "landslide_load";

  /** The database of {@code up.sh --cluster} unless {@code VOTING_PG_DATABASE} names one. */
  public static final String CLUSTER_DATABASE = "landslide_cluster";
  /** Edge and writer heaps of the production shape, unless {@code VOTING_JVM_OPTS} says otherwise. */
  public static final String CLUSTER_JVM_OPTS = "-Xms64m -Xmx384m -XX:+UseG1GC";

  private final Settings s;
  private LocalKafkaCluster kafkaCluster;
  private LocalRedisCluster redisCluster;
  private String clusterBootstrap;
  private String redisSeeds;

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

  /** @return the broker's bootstrap address (the three brokers', comma-separated, in the production shape) */
  public String kafkaBootstrap() {
    if (s.cluster() != null) return clusterBootstrap;
    return s.externalKafka() != null ? s.externalKafka() : "localhost:" + s.kafkaPort();
  }

  /** @return the production shape's Redis Cluster seeds ({@code redis://127.0.0.1:P,...}); null for the single node */
  public String redisSeeds() {
    return redisSeeds;
  }

  /** @return the three brokers, when this JVM started them (not when an earlier {@code up} did) */
  public Optional<LocalKafkaCluster> kafkaCluster() {
    return Optional.ofNullable(kafkaCluster);
  }

  /** @return the Redis Cluster, when this JVM started it */
  public Optional<LocalRedisCluster> redisCluster() {
    return Optional.ofNullable(redisCluster);
  }

  /** @return the base URLs of every edge: one, or two in the production shape */
  public List<String> edgeUrls() {
    return s.cluster() == null ? List.of(edgeUrl()) : List.of(edgeUrl(), "http://localhost:" + s.cluster().edge2Port());
  }

  /** @return edges and writers by name ({@code edge}, {@code edge-2}, {@code writer}, {@code writer-2}) with their HTTP port */
  private Map<String, Integer> services() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("writer", s.writerPort());
    if (s.cluster() != null) m.put("writer-2", s.cluster().writer2Port());
    m.put("edge", s.edgePort());
    if (s.cluster() != null) m.put("edge-2", s.cluster().edge2Port());
    return m;
  }

  /**
   * Starts everything that is not running yet, in order, and waits until edge and writer are ready.
   *
   * @return this
   * @throws Exception when a part does not come up (its log is named)
   */
  public LocalStack up() throws Exception {
    Files.createDirectories(s.dir());
    if (s.cluster() != null) {
      upClusterServices();
    } else {
      if (s.externalKafka() == null && pid("kafka/broker").isEmpty()) {
        LocalKafka.start(s.dir().resolve("kafka"), s.kafkaPort(), s.kafkaPort() + 1);
      }
      LocalKafka.ensureTopic(kafkaBootstrap(), s.topic(), s.partitions());
    }
    Schema.ensureDatabase(s.pg());
    Schema.migrate(s.pg());
    Map<String, Integer> services = services();
    services.forEach((name, port) -> {
      if (pid(name).isEmpty()) {
        if (name.startsWith("writer")) startWriter(name, port);
        else startEdge(name, port);
      }
    });
    for (var e : services.entrySet()) awaitReady(e.getKey(), "http://localhost:" + e.getValue() + "/health/ready");
    return this;
  }

  /**
   * The production shape's brokers and Redis Cluster, started both at once. Those of an earlier {@code up} are
   * reused when all of them still run; else whatever is left of that stack is stopped (its edges and writers would
   * point at stopped nodes) and they start afresh: the brokers keep their data, Redis keeps nothing (the edges
   * rebuild a poll's bits from PostgreSQL). Then the votes topic: replication factor 3, {@code min.insync.replicas=2}.
   */
  private void upClusterServices() throws Exception {
    Path kafkaDir = s.dir().resolve("kafka");
    Path redisDir = s.dir().resolve("redis");
    // The directory holds pids, logs and data only: keep all of it out of git.
    Files.writeString(s.dir().resolve(".gitignore"), "*\n");
    if (clusterBootstrap == null && !reuseClusterServices(kafkaDir, redisDir)) {
      down();
      deleteTree(redisDir);
      CompletableFuture<LocalRedisCluster> redis = CompletableFuture.supplyAsync(() -> LocalRedisCluster.start(redisDir));
      try {
        kafkaCluster = LocalKafkaCluster.start(kafkaDir);
      } finally {
        try {
          redisCluster = redis.join();
        } catch (RuntimeException e) {
          if (kafkaCluster != null) kafkaCluster.stop();
          throw e;
        }
      }
      clusterBootstrap = kafkaCluster.bootstrap();
      redisSeeds = redisCluster.seeds();
      write(kafkaDir.resolve("bootstrap"), clusterBootstrap);
      write(redisDir.resolve("seeds"), redisSeeds);
    }
    if (kafkaCluster != null) {
      kafkaCluster.ensureTopic(s.topic(), s.partitions());
    } else {
      ensureReplicatedTopic(clusterBootstrap, s.topic(), s.partitions());
    }
  }

  /** @return whether all three brokers and six Redis nodes of an earlier {@code up} run (then their addresses are read) */
  private boolean reuseClusterServices(Path kafkaDir, Path redisDir) {
    Path bootstrap = kafkaDir.resolve("bootstrap");
    Path seeds = redisDir.resolve("seeds");
    List<String> brokers = pidNames(n -> n.startsWith("kafka/"));
    List<String> nodes = pidNames(n -> n.startsWith("redis/"));
    if (!Files.exists(bootstrap) || !Files.exists(seeds) || brokers.size() != LocalKafkaCluster.SIZE
      || nodes.size() != LocalRedisCluster.NODES || !Stream.concat(brokers.stream(), nodes.stream()).allMatch(n -> pid(n).isPresent())) {
      return false;
    }
    clusterBootstrap = read(bootstrap);
    redisSeeds = read(seeds);
    return true;
  }

  private static void ensureReplicatedTopic(String bootstrap, String topic, int partitions) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) LocalKafkaCluster.SIZE)
        .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw new IllegalStateException("cannot create topic " + topic, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  /** @return the writer process, started */
  public ProcessHandle startWriter() {
    return start("writer", "writer-verticles", "io.landslide.writer.WriterMain", Map.of());
  }

  /**
   * Another writer of the same consumer group and cluster, with its own ops port.
   *
   * @param name    its name (pid and log file)
   * @param opsPort its ops (health, metrics) port
   * @return the process, started (wait with {@link #awaitReady})
   */
  public ProcessHandle startWriter(String name, int opsPort) {
    return start(name, "writer-verticles", "io.landslide.writer.WriterMain", Map.of("VOTING_WRITER_HTTP_PORT", Integer.toString(opsPort)));
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

  /**
   * Stops every process of this stack's directory, whichever JVM started it: the edges, then the writers, then the
   * broker(s), then (production shape) the Redis nodes; each group at once (SIGTERM, SIGKILL after 30 s).
   */
  public void down() {
    stopAll(n -> n.startsWith("edge"));
    stopAll(n -> n.startsWith("writer"));
    if (kafkaCluster != null) kafkaCluster.stop();
    stopAll(n -> n.startsWith("kafka/"));
    if (redisCluster != null) redisCluster.stop();
    stopAll(n -> n.startsWith("redis/"));
    kafkaCluster = null;
    redisCluster = null;
    clusterBootstrap = null;
    redisSeeds = null;
  }

  /** @return the processes of this stack's directory that run now, by name ({@code edge-2}, {@code kafka/node-1/broker}, …) */
  public Map<String, ProcessHandle> running() {
    Map<String, ProcessHandle> m = new LinkedHashMap<>();
    for (String n : pidNames(n -> true)) pid(n).ifPresent(h -> m.put(n, h));
    return m;
  }

  /**
   * What the stack costs: the resident set of each of its running processes, read from {@code /proc}.
   *
   * @return KiB by process name, in start order (edges and writers, brokers, Redis nodes)
   */
  public Map<String, Long> rssKiB() {
    Map<String, Long> m = new LinkedHashMap<>();
    running().forEach((name, h) -> {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(h.pid()), "status"))) {
          if (line.startsWith("VmRSS:")) m.put(name, Long.parseLong(line.replaceAll("\\D", "")));
        }
      } catch (IOException | NumberFormatException e) {
        // gone meanwhile, or no /proc: not counted
      }
    });
    return m;
  }

  /** Signals every matching process at once, then waits for each (SIGKILL after 30 s); removes their pid files. */
  private void stopAll(Predicate<String> which) {
    List<String> names = pidNames(which);
    Map<String, ProcessHandle> live = new LinkedHashMap<>();
    for (String n : names) pid(n).ifPresent(h -> live.put(n, h));
    live.values().forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (ProcessHandle h : live.values()) {
      try {
        h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
        h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(x -> null).join();
      }
    }
    for (String n : names) {
      try {
        Files.deleteIfExists(s.dir().resolve(n + ".pid"));
      } catch (IOException e) {
        // a stale pid file is harmless: pid() checks the process
      }
    }
  }

  /** @return the names of the pid files under the stack's directory (at most three levels down) that match */
  private List<String> pidNames(Predicate<String> which) {
    if (!Files.isDirectory(s.dir())) return List.of();
    try (Stream<Path> files = Files.walk(s.dir(), 3)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted()
        .map(f -> s.dir().relativize(f).toString().replace(java.io.File.separatorChar, '/'))
        .map(n -> n.substring(0, n.length() - 4)).filter(which).toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  private static String read(Path f) {
    try {
      return Files.readString(f).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path f, String text) {
    try {
      Files.createDirectories(f.getParent());
      Files.writeString(f, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
      String defaultOpts = s.cluster() != null ? CLUSTER_JVM_OPTS : "-Xms256m -Xmx1g -XX:+UseG1GC";
      String opts = s.env().getOrDefault("VOTING_JVM_OPTS", System.getenv().getOrDefault("VOTING_JVM_OPTS", defaultOpts));
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
      env.putIfAbsent("VOTING_SPECTATORS_PER_ADDRESS", "1000000"); // the live benchmark's 10,000 spectators share one address
      // E-mail verification links go to a file of the stack's (README): development only, it holds live links.
      env.putIfAbsent("VOTING_MAIL_OUTBOX", s.dir().resolve("mail.jsonl").toString());
      if (s.cluster() != null) {
        env.put("VOTING_REDIS_MODE", "cluster");
        env.put("VOTING_REDIS_URI", redisSeeds);
      }
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
   * {@code up --load} (the load kit's own stack, {@link Settings#loadFromEnv}), {@code down --load} (only that one),
   * {@code up} (start what is not running, migrate, create the demo poll, print how to use it), {@code up --cluster}
   * (the same, production-shaped, in {@code .landslide-cluster/}; also prints what it costs), {@code down} (stops
   * both stacks, whichever runs).
   *
   * @param args the command
   * @throws Exception when a part does not come up
   */
  public static void main(String[] args) throws Exception {
    String cmd = args.length == 0 ? "up" : args[0];
    boolean cluster = List.of(args).contains("--cluster");
    boolean load = List.of(args).contains("--load");
    switch (cmd) {
      case "up" -> {
        LocalStack stack = new LocalStack(cluster ? Settings.clusterFromEnv() : load ? Settings.loadFromEnv() : Settings.fromEnv());
        long t0 = System.nanoTime();
        int poll;
        try {
          stack.up();
          poll = stack.demoPoll();
        } catch (Exception | Error e) {
          if (cluster) stack.down(); // nothing half-started stays behind
          throw e;
        }
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println(stack.instructions(poll, startMillis));
        if (cluster) {
          // The brokers and the Redis nodes must outlive this JVM (down.sh stops them by their pids); the shutdown
          // hooks of LocalKafkaCluster and LocalRedisCluster would stop them with it, so they must not run.
          System.out.flush();
          Runtime.getRuntime().halt(0);
        }
      }
      case "down" -> {
        // down --load: the load kit's stack only; down: every stack.
        List<Settings> stacks = load ? List.of(Settings.loadFromEnv()) : List.of(Settings.fromEnv(), Settings.clusterFromEnv(), Settings.loadFromEnv());
        for (Settings st : stacks) {
          LocalStack stack = new LocalStack(st);
          boolean wasRunning = !stack.running().isEmpty();
          stack.down();
          if (st.dir().endsWith(".landslide-load")) {
            if (wasRunning) System.out.println("The load kit's stack stopped.");
          } else if (st.cluster() == null) {
            System.out.println("Landslide stopped (data kept in PostgreSQL and " + st.dir().resolve("kafka") + ").");
          } else if (wasRunning) {
            System.out.println("Landslide cluster stopped (data kept in PostgreSQL database " + st.pg().database()
              + " and " + st.dir().resolve("kafka") + "; Redis keeps nothing).");
          }
        }
      }
      default -> {
        System.err.println("usage: LocalStack up [--cluster | --load] | down [--load]");
        System.exit(2);
      }
    }
  }

  /**
   * @param poll        the demo poll
   * @param startMillis how long {@link #up} took
   * @return what {@code up.sh} prints: the URLs, how to vote; for the production shape also every edge and writer,
   *         the brokers, the Redis seeds and the resident memory of every process
   */
  String instructions(int poll, long startMillis) {
    String text;
    if (s.cluster() == null) {
      text = """

        Landslide is up: a Kafka broker, PostgreSQL schema, a writer and an edge, each its own process.
        """;
    } else {
      text = """

        Landslide is up, production-shaped: 3 Kafka brokers (votes topic: %d partitions, replication factor 3,
        min.insync.replicas=2), a Redis Cluster (3 masters, a replica each), the schema in PostgreSQL database %s,
        2 writers and 2 edges in one Hazelcast cluster (%s), each its own process; up in %.1f s.
          Edges (either takes any vote): {URL}   http://localhost:%d
          Writers (ops):            http://localhost:%d/health/ready   http://localhost:%d/health/ready
          Kafka bootstrap:          %s
          Redis Cluster seeds:      %s
        """.formatted(s.partitions(), s.pg().database(), clusterName(), startMillis / 1000.0, s.cluster().edge2Port(),
        s.writerPort(), s.cluster().writer2Port(), kafkaBootstrap(), redisSeeds);
    }
    text += """
        Web pages:                {URL}/   live results {URL}/polls/{POLL}   vote (sign up, vote) {URL}/polls/{POLL}/vote
        Studio and control room:  broadcast view {URL}/polls/{POLL}/broadcast   operator console {URL}/console (an admin token: deploy/local/token.sh 1 admin)
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
      """.formatted(s.writerPort(), s.dir());
    if (s.cluster() != null) text += "\n" + memoryTable();
    text += """

      Stop everything: deploy/local/down.sh
      """;
    return text.replace("{URL}", edgeUrl()).replace("{POLL}", Integer.toString(poll));
  }

  /** @return the resident memory of every running process of the stack, and their total */
  private String memoryTable() {
    Map<String, Long> rss = rssKiB();
    Map<String, ProcessHandle> pids = running();
    StringBuilder b = new StringBuilder("  What it costs (resident memory, /proc/<pid>/status VmRSS):\n");
    rss.forEach((name, kib) -> b.append(String.format("    %-24s pid %-8d %6.0f MiB%n", name, pids.get(name).pid(), kib / 1024.0)));
    long total = rss.values().stream().mapToLong(Long::longValue).sum();
    b.append(String.format("    %-24s %14s %6.0f MiB (%d processes)%n", "total", "", total / 1024.0, rss.size()));
    return b.toString();
  }
}
