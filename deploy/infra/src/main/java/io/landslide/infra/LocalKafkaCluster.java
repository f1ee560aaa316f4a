package io.landslide.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real three-node Kafka cluster (KRaft; every node both broker and controller, one static quorum of three
 * voters) on one machine, each node in its own child JVM on the broker's class path (see {@link LocalKafka}).
 * Its defaults are production's: replication factor 3, {@code min.insync.replicas=2}, no unclean leader
 * election, no automatic topic creation. For the production-shaped local stack and for fault tests
 * ({@link Node#kill9()}, {@link Node#restart()}, {@link #leaderOf}).
 *
 * <p>Node {@code i} (1..3) has {@code node.id=i} and lives in {@code <dir>/node-<i>}: {@code server.properties},
 * {@code data/}, {@code broker.log}, {@code broker.pid}. All three are formatted with one cluster id.
 */
public final class LocalKafkaCluster implements AutoCloseable {
  /** JVM options for each node (replacing the defaults, {@value #DEFAULT_JVM_OPTS}). */
  public static final String JVM_OPTS_ENV = "VOTING_KAFKA_CLUSTER_JVM_OPTS";
  static final String DEFAULT_JVM_OPTS = "-Xms128m -Xmx256m -XX:+UseG1GC -XX:MaxGCPauseMillis=20";
  /** The storage tool runs for a second or two: no optimising compiler, one GC thread. */
  private static final String FORMAT_JVM_OPTS = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
  /** How many nodes. */
  public static final int SIZE = 3;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final List<Node> nodes;
  private final Thread reaper;

  private LocalKafkaCluster(Path dir, List<Integer> ports) {
    this.dir = dir;
    StringBuilder voters = new StringBuilder();
    for (int i = 1; i <= SIZE; i++) {
      if (i > 1) voters.append(',');
      voters.append(i).append("@localhost:").append(ports.get(SIZE + i - 1));
    }
    List<Node> all = new ArrayList<>();
    for (int i = 1; i <= SIZE; i++) {
      all.add(new Node(i, dir.resolve("node-" + i), ports.get(i - 1), ports.get(SIZE + i - 1), voters.toString()));
    }
    this.nodes = List.copyOf(all);
    // If the JVM that started the cluster exits without stopping it, the brokers must not outlive it.
    this.reaper = new Thread(() -> nodes.forEach(Node::destroyForcibly), "local-kafka-cluster-reaper");
  }

  /**
   * Starts three nodes on free ports in {@code dir} and waits until all three are registered brokers.
   *
   * @param dir the cluster's directory (created; each node's storage formatted when new)
   * @return the running cluster
   * @throws IllegalStateException when it is not ready within two minutes (every node is then killed)
   */
  public static LocalKafkaCluster start(Path dir) {
    LocalKafkaCluster cluster = new LocalKafkaCluster(dir, Ports.freeList(2 * SIZE));
    try {
      Files.createDirectories(dir);
      for (Node n : cluster.nodes) n.writeConfig();
      format(dir, cluster.nodes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(cluster.reaper);
    try {
      for (Node n : cluster.nodes) n.launch();
      cluster.awaitBrokers(Set.of(1, 2, 3), START_TIMEOUT);
      return cluster;
    } catch (RuntimeException e) {
      cluster.stop();
      throw e;
    }
  }

  /** @return {@code localhost:<p1>,localhost:<p2>,localhost:<p3>}, the three PLAINTEXT listeners */
  public String bootstrap() {
    return nodes.stream().map(Node::bootstrap).collect(Collectors.joining(","));
  }

  /** @return the cluster's directory */
  public Path dir() {
    return dir;
  }

  /**
   * @param i the node's index, 1..3 (also its {@code node.id})
   * @return that node
   */
  public Node node(int i) {
    if (i < 1 || i > SIZE) throw new IllegalArgumentException("node index must be 1.." + SIZE + ": " + i);
    return nodes.get(i - 1);
  }

  /** @return the three nodes, in index order */
  public List<Node> nodes() {
    return nodes;
  }

  /**
   * Stops every node: all are sent SIGTERM at once; those not gone within 30 s are killed. Never throws for one
   * node's failure before trying every other node.
   */
  public void stop() {
    for (Node n : nodes) {
      try {
        n.signalStop();
      } catch (RuntimeException e) {
        // keep going: every node must be stopped
      }
    }
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    for (Node n : nodes) {
      try {
        n.awaitExit(deadline);
      } catch (RuntimeException e) {
        n.destroyForcibly();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs anyway
    }
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Creates a topic with replication factor 3 and {@code min.insync.replicas=2} unless it exists, then waits
   * until every partition has a leader.
   *
   * @param topic      its name
   * @param partitions how many partitions
   */
  public void ensureTopic(String topic, int partitions) {
    try (Admin admin = admin()) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) SIZE)
          .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw new IllegalStateException("cannot create topic " + topic, e);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          TopicDescription d = describe(admin, topic);
          if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) return;
        } catch (Exception e) {
          if (System.nanoTime() > deadline) throw e;
        }
        if (System.nanoTime() > deadline) throw new IllegalStateException("topic " + topic + " has partitions without a leader");
        pause();
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  /**
   * @param topic     a topic
   * @param partition one of its partitions
   * @return the index (= node id) of the partition's current leader, or -1 while it has none
   */
  public int leaderOf(String topic, int partition) {
    org.apache.kafka.common.Node leader = partitionInfo(topic, partition).leader();
    return leader == null || leader.isEmpty() ? -1 : leader.id();
  }

  /**
   * @param topic     a topic
   * @param partition one of its partitions
   * @return the indexes (= node ids) of the partition's in-sync replicas, as the controller last recorded them
   */
  public Set<Integer> isrOf(String topic, int partition) {
    return partitionInfo(topic, partition).isr().stream().map(org.apache.kafka.common.Node::id).collect(Collectors.toSet());
  }

  /**
   * @param topic     a topic
   * @param partition one of its partitions
   * @return the partition as a metadata request answers now (leader, replicas, ISR)
   */
  public TopicPartitionInfo partitionInfo(String topic, int partition) {
    try (Admin admin = admin()) {
      return describe(admin, topic).partitions().stream().filter(p -> p.partition() == partition).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(topic + " has no partition " + partition));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe " + topic, e);
    }
  }

  /** @return an Admin client on {@link #bootstrap()}, with 10 s request timeouts; the caller closes it */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
      AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
  }

  private static TopicDescription describe(Admin admin, String topic) throws Exception {
    return admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
  }

  /** Waits until the brokers {@code ids} are registered and unfenced: a metadata request lists them all. */
  private void awaitBrokers(Set<Integer> ids, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    // First the listeners (an Admin client would log every refused connection), then the cluster's metadata.
    while (!ids.stream().allMatch(id -> LocalKafka.accepts(node(id).port()))) {
      for (int id : ids) node(id).checkAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Kafka nodes " + ids + " not listening after " + timeout + "; see "
          + dir.resolve("node-<i>").resolve("broker.log"));
      }
      pause();
    }
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
      AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
      AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
      while (true) {
        for (int id : ids) node(id).checkAlive();
        if (ids.stream().allMatch(id -> LocalKafka.accepts(node(id).port())) && registered(admin).containsAll(ids)) return;
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Kafka brokers " + ids + " not registered after " + timeout + "; see "
            + dir.resolve("node-<i>").resolve("broker.log"));
        }
        pause();
      }
    }
  }

  private static Set<Integer> registered(Admin admin) {
    try {
      return admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).stream().map(org.apache.kafka.common.Node::id)
        .collect(Collectors.toSet());
    } catch (Exception e) {
      return Set.of();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100); // polling other processes' state: there is nothing to wait on instead
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Formats every new node's storage with one cluster id, the three tools at once. */
  private static void format(Path dir, List<Node> nodes) throws IOException {
    Path idFile = dir.resolve("cluster.id");
    String clusterId = Files.exists(idFile) ? Files.readString(idFile).trim() : LocalKafka.clusterId();
    Files.writeString(idFile, clusterId);
    List<Process> tools = new ArrayList<>();
    List<Node> formatting = new ArrayList<>();
    for (Node n : nodes) {
      if (Files.exists(n.dir.resolve("data").resolve("meta.properties"))) continue;
      tools.add(LocalKafka.java(n.dir, FORMAT_JVM_OPTS, List.of("kafka.tools.StorageTool", "format", "-t", clusterId,
        "-c", n.config().toString()), n.dir.resolve("format.log")).start());
      formatting.add(n);
    }
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      for (int i = 0; i < tools.size(); i++) {
        Process p = tools.get(i);
        if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) || p.exitValue() != 0) {
          tools.forEach(Process::destroyForcibly);
          throw new IllegalStateException("formatting Kafka storage failed; see " + formatting.get(i).dir.resolve("format.log"));
        }
      }
    } catch (InterruptedException e) {
      tools.forEach(Process::destroyForcibly);
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String jvmOpts() {
    return System.getenv().getOrDefault(JVM_OPTS_ENV, DEFAULT_JVM_OPTS);
  }

  /** One node of the cluster: a broker and a controller in one JVM. */
  public final class Node {
    private final int id;
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final String voters;
    private volatile Process process;

    private Node(int id, Path dir, int port, int controllerPort, String voters) {
      this.id = id;
      this.dir = dir;
      this.port = port;
      this.controllerPort = controllerPort;
      this.voters = voters;
    }

    /** @return its index in the cluster, 1..3, which is also its {@code node.id} */
    public int id() {
      return id;
    }

    /** @return its PLAINTEXT client port (the same after a restart) */
    public int port() {
      return port;
    }

    /** @return its KRaft controller port */
    public int controllerPort() {
      return controllerPort;
    }

    /** @return {@code localhost:<port>} */
    public String bootstrap() {
      return "localhost:" + port;
    }

    /** @return its directory: {@code server.properties}, {@code data/}, {@code broker.log} */
    public Path dir() {
      return dir;
    }

    /** @return its current process (a new one after {@link #restart()}) */
    public ProcessHandle process() {
      return process.toHandle();
    }

    /** @return whether its process runs */
    public boolean isAlive() {
      return process != null && process.isAlive();
    }

    /** Kills the node at once (SIGKILL), as a crash would, and waits until its process is gone. */
    public void kill9() {
      Process p = process;
      p.destroyForcibly();
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("node " + id + " survived SIGKILL");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Stops the node cleanly (SIGTERM: a controlled shutdown), forcibly after 30 s. */
    public void stop() {
      signalStop();
      awaitExit(System.nanoTime() + STOP_TIMEOUT.toNanos());
    }

    /**
     * Starts the node again (stopping it first if it runs) on the same ports and data, and waits until it is a
     * registered, unfenced broker again. Its replicas may still be catching up: see {@link #isrOf}.
     */
    public void restart() {
      if (isAlive()) stop();
      launch();
      awaitBrokers(Set.of(id), START_TIMEOUT);
    }

    private void launch() {
      try {
        Process p = LocalKafka.java(dir, jvmOpts(), List.of("kafka.Kafka", config().toString()), dir.resolve("broker.log")).start();
        process = p;
        Files.writeString(dir.resolve("broker.pid"), Long.toString(p.pid()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void checkAlive() {
      Process p = process;
      if (!p.isAlive()) {
        throw new IllegalStateException("Kafka node " + id + " exited with " + p.exitValue() + "; see " + dir.resolve("broker.log"));
      }
    }

    private void signalStop() {
      Process p = process;
      if (p != null) p.destroy();
    }

    private void awaitExit(long deadline) {
      Process p = process;
      if (p == null) return;
      try {
        if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    private void destroyForcibly() {
      Process p = process;
      if (p != null) p.destroyForcibly();
    }

    private Path config() {
      return dir.resolve("server.properties");
    }

    private void writeConfig() throws IOException {
      Files.createDirectories(dir);
      Properties p = new Properties();
      p.setProperty("process.roles", "broker,controller");
      p.setProperty("node.id", Integer.toString(id));
      p.setProperty("controller.quorum.voters", voters);
      p.setProperty("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
      p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + port);
      p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      p.setProperty("controller.listener.names", "CONTROLLER");
      p.setProperty("inter.broker.listener.name", "PLAINTEXT");
      p.setProperty("log.dirs", dir.resolve("data").toString());
      p.setProperty("default.replication.factor", "3");
      p.setProperty("num.partitions", "1");
      p.setProperty("min.insync.replicas", "2");
      p.setProperty("offsets.topic.replication.factor", "3");
      p.setProperty("offsets.topic.num.partitions", "12");
      p.setProperty("transaction.state.log.replication.factor", "3");
      p.setProperty("transaction.state.log.min.isr", "2");
      p.setProperty("transaction.state.log.num.partitions", "12");
      p.setProperty("share.coordinator.state.topic.replication.factor", "3");
      p.setProperty("share.coordinator.state.topic.min.isr", "2");
      p.setProperty("unclean.leader.election.enable", "false");
      p.setProperty("auto.create.topics.enable", "false");
      p.setProperty("group.initial.rebalance.delay.ms", "0");
      // A broker killed without a goodbye is fenced (its partitions' leadership moved) once the controller missed its
      // heartbeats for this long: 3 s rather than 9, so the edge's producer (5 s delivery timeout) rides through a
      // leader's death on its own retries. Production sets the delivery timeout above its brokers' failover time.
      p.setProperty("broker.session.timeout.ms", "3000");
      p.setProperty("broker.heartbeat.interval.ms", "1000");
      // The log cleaner's dedupe buffer is allocated on the heap at start (128 MiB by default): too much for 256 MiB.
      p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
      try (var out = Files.newBufferedWriter(config())) {
        p.store(out, "written by LocalKafkaCluster");
      }
    }
  }
}
