package io.landslide.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster on this machine: three masters with one replica each, as ElastiCache runs in cluster mode,
 * for the tests and the local stack. Six {@code redis-server --cluster-enabled yes} daemons on free ports, each in
 * its own directory under the one given, joined by {@code redis-cli --cluster create --cluster-replicas 1}; nothing
 * is kept on disk ({@code --save "" --appendonly no}) but each node's {@code nodes.conf} and log.
 *
 * <p>Needs {@code redis-server} and {@code redis-cli} (7.x) on the {@code PATH}. Every wait is a polled condition
 * with a deadline. {@link #stop} shuts every node down (SHUTDOWN NOSAVE, then its pid is killed if it is still
 * there); it removes nothing: the directory belongs to the caller.
 *
 * <pre>{@code
 * try (LocalRedisCluster cluster = LocalRedisCluster.start(dir)) {
 *   String seeds = cluster.seeds(); // redis://127.0.0.1:P1,redis://127.0.0.1:P2,...
 * }
 * }</pre>
 */
public final class LocalRedisCluster implements AutoCloseable {
  /** Masters in the cluster. */
  public static final int MASTERS = 3;
  /** Nodes in the cluster: each master has one replica. */
  public static final int NODES = 2 * MASTERS;
  private static final Duration READY_DEADLINE = Duration.ofSeconds(60);
  /**
   * How long the others wait for a node before they fail it over (Redis's default is 15 s; ElastiCache sets its own):
   * short here, so a fault test sees its replica promoted within seconds.
   */
  public static final int NODE_TIMEOUT_MS = 3000;
  private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(30);

  private final Path dir;
  private final List<Integer> ports;
  private final List<Long> pids = new ArrayList<>();
  /** Stops the nodes should the JVM end without {@link #stop} (a test run killed, a failing fixture). */
  private final Thread onExit = new Thread(this::stopNodes, "local-redis-cluster-stop");
  private volatile boolean stopped;

  private LocalRedisCluster(Path dir, List<Integer> ports) {
    this.dir = dir;
    this.ports = List.copyOf(ports);
  }

  /**
   * Starts six nodes on free ports, creates the cluster, and waits until every node reports {@code cluster_state:ok}
   * and knows the three masters.
   *
   * @param dir a directory of the caller's (created if missing); each node gets {@code node-<port>/} inside
   * @return the running cluster
   * @throws IllegalStateException when a node does not start or the cluster is not ok in time (the nodes
   *                               started are stopped again)
   */
  public static LocalRedisCluster start(Path dir) {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < NODES; i++) ports.add(Ports.freeWith(10_000)); // its cluster bus is port + 10000
    LocalRedisCluster cluster = new LocalRedisCluster(dir, ports);
    Runtime.getRuntime().addShutdownHook(cluster.onExit);
    try {
      cluster.launch();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.stop();
      throw e;
    }
  }

  private void launch() {
    try {
      Files.createDirectories(dir);
      for (int port : ports) startNode(port);
      for (int port : ports) {
        awaitCondition("node " + port + " answers PING", () -> "PONG".equals(cliQuiet(port, "PING").strip()));
        pids.add(pidOf(port));
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int port : ports) create.add("127.0.0.1:" + port);
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      run(COMMAND_DEADLINE, create.toArray(String[]::new));
      for (int port : ports) {
        awaitCondition("node " + port + " reports cluster_state:ok with " + MASTERS + " masters", () -> {
          String info = cliQuiet(port, "CLUSTER", "INFO");
          return "ok".equals(field(info, "cluster_state")) && Integer.toString(MASTERS).equals(field(info, "cluster_size"))
            && Integer.toString(NODES).equals(field(info, "cluster_known_nodes"));
        });
      }
      awaitCondition(MASTERS + " masters by ROLE", () -> masterPorts().size() == MASTERS);
      // A replica whose first sync has not finished would lose what its master took meanwhile, should it fail over.
      awaitCondition("every replica synced with its master", this::replicasSynced);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a Redis Cluster in " + dir, e);
    }
  }

  private void startNode(int port) throws IOException {
    Path nodeDir = dir.resolve("node-" + port);
    Files.createDirectories(nodeDir);
    run(COMMAND_DEADLINE, "redis-server", "--port", Integer.toString(port), "--cluster-enabled", "yes",
      "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MS),
      "--dir", nodeDir.toAbsolutePath().toString(), "--save", "",
      "--appendonly", "no", "--daemonize", "yes", "--bind", "127.0.0.1",
      "--pidfile", nodeDir.resolve("redis.pid").toAbsolutePath().toString(),
      "--logfile", nodeDir.resolve("redis.log").toAbsolutePath().toString());
  }

  private long pidOf(int port) {
    return Long.parseLong(field(cliQuiet(port, "INFO", "server"), "process_id"));
  }

  /**
   * Kills a node with SIGKILL: no shutdown, no goodbye to the cluster. A master's replica is promoted once the others
   * have missed it for the node timeout ({@value #NODE_TIMEOUT_MS} ms).
   *
   * @param port the node's port
   */
  public void kill9(int port) {
    long pid = pidOf(port);
    ProcessHandle.of(pid).ifPresent(h -> {
      h.destroyForcibly();
      h.onExit().join();
    });
  }

  /**
   * Starts a killed node again with its cluster config: it rejoins (a former master as a replica of whoever took
   * its slots over) and has no data until it has synced.
   *
   * @param port the node's port
   */
  public void restart(int port) {
    try {
      startNode(port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart Redis node " + port, e);
    }
    awaitCondition("node " + port + " answers PING", () -> "PONG".equals(cliQuiet(port, "PING").strip()));
    synchronized (this) {
      pids.add(pidOf(port));
    }
    awaitCondition("node " + port + " reports cluster_state:ok", () -> "ok".equals(field(cliQuiet(port, "CLUSTER", "INFO"), "cluster_state")));
    awaitCondition("every replica synced with its master", this::replicasSynced);
  }

  /** @return whether every replica reports its link to its master up (its first sync done) */
  private boolean replicasSynced() {
    int synced = 0;
    for (int port : ports) {
      String info = cliQuiet(port, "INFO", "replication");
      if ("slave".equals(field(info, "role")) && "up".equals(field(info, "master_link_status"))) synced++;
    }
    return synced == NODES - MASTERS;
  }

  /**
   * @param port a master's port
   * @return the port of its replica, as the master reports it ({@code INFO replication}), or -1
   */
  public int replicaOf(int port) {
    String info = cliQuiet(port, "INFO", "replication");
    String slave = field(info, "slave0");
    if (slave == null) return -1;
    return Integer.parseInt(slave.replaceAll(".*port=(\\d+).*", "$1"));
  }

  /** @return the seed URIs, comma-separated: {@code redis://127.0.0.1:P1,...} (every node, masters and replicas) */
  public String seeds() {
    return ports.stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** @return the ports of the six nodes, in start order */
  public List<Integer> ports() {
    return ports;
  }

  /** @return the ports of the nodes that are masters now, ascending (asks each node's {@code ROLE}) */
  public List<Integer> masterPorts() {
    List<Integer> masters = new ArrayList<>();
    for (int port : ports) {
      String role = cliQuiet(port, "ROLE");
      if (role.startsWith("master")) masters.add(port);
    }
    return masters;
  }

  /**
   * @param key a key
   * @return the port of the master serving it now (asks {@code CLUSTER KEYSLOT}, then {@code CLUSTER SLOTS}'s owner)
   */
  public int masterOf(String key) {
    int slot = Integer.parseInt(cliQuiet(ports.get(0), "CLUSTER", "KEYSLOT", key).strip());
    for (int port : masterPorts()) {
      String[] lines = cliQuiet(port, "CLUSTER", "NODES").split("\n");
      for (String line : lines) {
        String[] f = line.strip().split(" ");
        if (f.length < 9 || !f[2].contains("myself") || !f[2].contains("master")) continue;
        for (int i = 8; i < f.length; i++) {
          if (f[i].startsWith("[")) continue; // a slot being migrated
          String[] range = f[i].split("-");
          int from = Integer.parseInt(range[0]);
          int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
          if (slot >= from && slot <= to) return port;
        }
      }
    }
    throw new IllegalStateException("no master serves slot " + slot + " of " + key);
  }

  /**
   * Runs one command on one node through {@code redis-cli} (raw output).
   *
   * @param port a node's port
   * @param args the command and its arguments
   * @return its output
   */
  public String cli(int port, String... args) {
    return cliQuiet(port, args);
  }

  /** Stops every node (SHUTDOWN NOSAVE; kills the pid of one that is still there). Idempotent. */
  public void stop() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs (or ran) anyway
    }
    stopNodes();
  }

  private synchronized void stopNodes() {
    if (stopped) return;
    stopped = true;
    for (int port : ports) {
      try {
        run(Duration.ofSeconds(10), "redis-cli", "-p", Integer.toString(port), "SHUTDOWN", "NOSAVE");
      } catch (RuntimeException ignored) {
        // not running, or already gone: the pid check below settles it
      }
    }
    List<Long> known = new ArrayList<>(pids);
    for (int port : ports) {
      Path pidFile = dir.resolve("node-" + port).resolve("redis.pid");
      try {
        if (Files.exists(pidFile)) known.add(Long.parseLong(Files.readString(pidFile).strip()));
      } catch (IOException | NumberFormatException ignored) {
        // no pid file to read: the node never started or removed it on shutdown
      }
    }
    for (long pid : known) {
      ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(LocalRedisCluster::isRedis).ifPresent(h -> {
        h.destroy();
        try {
          h.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception notYet) {
          h.destroyForcibly();
        }
      });
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static boolean isRedis(ProcessHandle h) {
    return h.info().command().map(c -> c.contains("redis")).orElse(true);
  }

  private String cliQuiet(int port, String... args) {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    cmd.addAll(List.of(args));
    try {
      return run(Duration.ofSeconds(10), cmd.toArray(String[]::new));
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** @return the value of {@code name:value} in an INFO-style answer, or null */
  private static String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) return line.substring(name.length() + 1).strip();
    }
    return null;
  }

  private static void awaitCondition(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("Redis Cluster: no '" + what + "' within " + READY_DEADLINE);
      try {
        Thread.sleep(50); // polling a condition with a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }

  /** Runs a command to its end within the deadline; fails on a non-zero exit, with its output. */
  private static String run(Duration deadline, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[][] out = new byte[1][];
      Thread reader = new Thread(() -> {
        try {
          out[0] = p.getInputStream().readAllBytes();
        } catch (IOException e) {
          out[0] = new byte[0];
        }
      }, "redis-cli-output");
      reader.setDaemon(true);
      reader.start();
      if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + ": no end within " + deadline);
      }
      reader.join(deadline.toMillis());
      String text = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
      if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + text);
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd[0], e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd[0], e);
    }
  }
}
