package io.landslide.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) running in its own JVM, with the
 * broker's own kafka-clients 4.x kept off the application's class path. Used by the local stack and by
 * the integration tests; production uses MSK (see deploy/k8s).
 *
 * <p>Command line: {@code LocalKafka start <dir> <port>} (formats the directory if new, starts the
 * broker detached, waits until it answers, writes {@code <dir>/broker.pid}), {@code LocalKafka topic <bootstrap>
 * <name> <partitions>} (creates a topic unless it exists) and {@code LocalKafka stop <dir>}.
 *
 * <p>Tests that need TLS start it with {@link #startTls(Path, LocalTls)}: an extra {@code SSL://} listener
 * ({@link #tlsBootstrap()}) beside the PLAINTEXT one, which brokers and test tools keep using.
 */
public final class LocalKafka implements AutoCloseable {
  /** Extra JVM options for the broker, e.g. heap size. */
  public static final String JVM_OPTS_ENV = "VOTING_KAFKA_JVM_OPTS";
  private static final String DEFAULT_JVM_OPTS = "-Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20";

  private final Path dir;
  private final int port;
  /** The SSL listener's port, or 0 when the broker has none. */
  private final int sslPort;
  private final Process process;

  private LocalKafka(Path dir, int port, int sslPort, Process process) {
    this.dir = dir;
    this.port = port;
    this.sslPort = sslPort;
    this.process = process;
  }

  /**
   * Starts a broker on free ports in {@code dir}.
   *
   * @param dir its data directory (created; formatted when new)
   * @return the running broker, answering requests
   */
  public static LocalKafka start(Path dir) {
    return start(dir, Ports.free(), Ports.free());
  }

  /**
   * Starts (or restarts, on the same directory and ports) a broker.
   *
   * @param dir            its data directory
   * @param port           the client (PLAINTEXT) port
   * @param controllerPort the KRaft controller port
   * @return the running broker, answering requests
   */
  public static LocalKafka start(Path dir, int port, int controllerPort) {
    return start(dir, port, controllerPort, 0, null);
  }

  /**
   * Starts a broker on free ports in {@code dir} with, besides the PLAINTEXT listener ({@link #bootstrap()},
   * also used between brokers and by test tools such as {@link #ensureTopic}), a TLS listener
   * ({@link #tlsBootstrap()}) serving the key pair in {@code tls}. Clients reach it with
   * {@link LocalTls#clientProperties()}; it does not ask clients for certificates.
   *
   * @param dir its data directory (created; formatted when new)
   * @param tls the broker's keystore and truststore, e.g. {@code LocalTls.create(dir.resolve("tls"))}
   * @return the running broker, answering requests
   */
  public static LocalKafka startTls(Path dir, LocalTls tls) {
    return startTls(dir, Ports.free(), Ports.free(), Ports.free(), tls);
  }

  /**
   * Starts (or restarts, on the same directory and ports) a broker with a PLAINTEXT and a TLS listener.
   *
   * @param dir            its data directory
   * @param port           the PLAINTEXT client port
   * @param controllerPort the KRaft controller port
   * @param sslPort        the TLS (SSL) client port
   * @param tls            the broker's keystore and truststore
   * @return the running broker, answering requests
   */
  public static LocalKafka startTls(Path dir, int port, int controllerPort, int sslPort, LocalTls tls) {
    if (tls == null) throw new IllegalArgumentException("tls is required");
    if (sslPort <= 0) throw new IllegalArgumentException("sslPort must be positive: " + sslPort);
    return start(dir, port, controllerPort, sslPort, tls);
  }

  private static LocalKafka start(Path dir, int port, int controllerPort, int sslPort, LocalTls tls) {
    try {
      Files.createDirectories(dir);
      Path config = writeConfig(dir, port, controllerPort, sslPort, tls);
      if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) format(dir, config);
      Process p = java(dir, List.of("kafka.Kafka", config.toString()), dir.resolve("broker.log")).start();
      Files.writeString(dir.resolve("broker.pid"), Long.toString(p.pid()));
      LocalKafka k = new LocalKafka(dir, port, sslPort, p);
      k.awaitReady(Duration.ofSeconds(60));
      return k;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return {@code localhost:<port>}, the PLAINTEXT listener */
  public String bootstrap() {
    return "localhost:" + port;
  }

  /**
   * @return {@code localhost:<sslPort>}, the TLS listener
   * @throws IllegalStateException when the broker was started without TLS (not by {@code startTls})
   */
  public String tlsBootstrap() {
    if (sslPort <= 0) throw new IllegalStateException("this broker has no TLS listener: start it with LocalKafka.startTls");
    return "localhost:" + sslPort;
  }

  /** @return the client port */
  public int port() {
    return port;
  }

  /** @return the data directory */
  public Path dir() {
    return dir;
  }

  /** @return the broker's process */
  public ProcessHandle process() {
    return process.toHandle();
  }

  /** Stops the broker cleanly (SIGTERM), forcibly after 30 s. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Creates a topic unless it exists.
   *
   * @param bootstrap  the brokers
   * @param topic      its name
   * @param partitions how many partitions
   */
  public static void ensureTopic(String bootstrap, String topic, int partitions) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw new IllegalStateException("cannot create topic " + topic, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException("Kafka broker exited with " + process.exitValue() + "; see " + dir.resolve("broker.log"));
      if (answers()) return;
      try {
        Thread.sleep(100); // polling a child process's port: there is nothing to wait on instead
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("Kafka broker not ready after " + timeout + "; see " + dir.resolve("broker.log"));
  }

  private boolean answers() {
    if (!accepts(port) || (sslPort > 0 && !accepts(sslPort))) return false;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
      AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
      return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("localhost", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path writeConfig(Path dir, int port, int controllerPort, int sslPort, LocalTls tls) throws IOException {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@localhost:" + controllerPort);
    if (tls == null) {
      p.setProperty("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
      p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + port);
      p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    } else {
      p.setProperty("listeners", "PLAINTEXT://localhost:" + port + ",SSL://localhost:" + sslPort
        + ",CONTROLLER://localhost:" + controllerPort);
      p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + port + ",SSL://localhost:" + sslPort);
      p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT");
      tls.brokerProperties().forEach(p::setProperty);
    }
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("log.dirs", dir.resolve("data").toString());
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("auto.create.topics.enable", "false");
    Path f = dir.resolve("server.properties");
    try (var out = Files.newBufferedWriter(f)) {
      p.store(out, "written by LocalKafka");
    }
    return f;
  }

  private static void format(Path dir, Path config) throws IOException {
    String clusterId = clusterId();
    Process p = java(dir, List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()),
      dir.resolve("format.log")).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("formatting Kafka storage failed; see " + dir.resolve("format.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A random cluster id as Kafka spells one (base64url of 16 bytes). Like Kafka's own {@code Uuid.randomUuid},
   * never one that starts with '-': the storage tool would read it as an option (it did, once in 64 starts).
   */
  static String clusterId() {
    while (true) {
      UUID u = UUID.randomUUID();
      byte[] id = new byte[16];
      for (int i = 0; i < 8; i++) {
        id[i] = (byte) (u.getMostSignificantBits() >>> (56 - 8 * i));
        id[8 + i] = (byte) (u.getLeastSignificantBits() >>> (56 - 8 * i));
      }
      String s = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
      if (s.charAt(0) != '-') return s;
    }
  }

  private static ProcessBuilder java(Path dir, List<String> args, Path log) {
    return java(dir, System.getenv().getOrDefault(JVM_OPTS_ENV, DEFAULT_JVM_OPTS), args, log);
  }

  /**
   * A child JVM on the broker's class path, quiet (WARN), its output appended to {@code log}.
   *
   * @param dir     its working directory
   * @param jvmOpts JVM options, separated by white space
   * @param args    the main class and its arguments
   * @param log     where its output goes
   * @return the process, not started
   */
  static ProcessBuilder java(Path dir, String jvmOpts, List<String> args, Path log) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String o : jvmOpts.trim().split("\\s+")) if (!o.isEmpty()) cmd.add(o);
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-cp");
    cmd.add(brokerClasspath());
    cmd.addAll(args);
    return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
  }

  static String brokerClasspath() {
    try (InputStream in = LocalKafka.class.getResourceAsStream("kafka-broker.classpath")) {
      if (in == null) throw new IllegalStateException("kafka-broker.classpath missing: build deploy/infra with Maven");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code start <dir> <port> [controllerPort]} or {@code stop <dir>}.
   *
   * @param args the command
   * @throws Exception when it fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("start")) {
      int port = Integer.parseInt(args[2]);
      int cport = args.length > 3 ? Integer.parseInt(args[3]) : port + 1;
      LocalKafka k = start(Path.of(args[1]).toAbsolutePath(), port, cport);
      System.out.println("kafka: broker pid " + k.process().pid() + " on " + k.bootstrap() + ", log " + k.dir().resolve("broker.log"));
    } else if (args.length == 4 && args[0].equals("topic")) {
      ensureTopic(args[1], args[2], Integer.parseInt(args[3]));
      System.out.println("kafka: topic " + args[2] + " ready on " + args[1]);
    } else if (args.length == 2 && args[0].equals("stop")) {
      Path pid = Path.of(args[1]).resolve("broker.pid");
      if (!Files.exists(pid)) return;
      ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(h -> {
        h.destroy();
        h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(t -> {
          h.destroyForcibly();
          return h;
        }).join();
      });
      Files.delete(pid);
    } else {
      System.err.println("usage: LocalKafka start <dir> <port> [controllerPort] | topic <bootstrap> <name> <partitions> | stop <dir>");
      System.exit(2);
    }
  }
}
