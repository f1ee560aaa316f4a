package io.landslide.dedup;

import io.landslide.infra.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Throwaway Redis servers that speak TLS only and want a password, for tests: child processes of the test JVM
 * ({@code redis-server --daemonize no}), in a temporary directory that {@link #close} deletes.
 *
 * <p>{@link #create} makes, with {@code openssl} (as {@code deploy/infra}'s {@code TlsPostgres} does), a test CA, a
 * server certificate signed by it for {@code DNS:localhost} only (no IP address, so reaching a server as
 * {@code 127.0.0.1} fails host name verification) and a second, unrelated CA. {@link #startStandalone} starts one
 * server, {@link #startCluster} a Redis Cluster of masters only whose bus speaks TLS too and which announces its nodes
 * as {@code localhost} (as ElastiCache announces host names, so clients can verify them). Every server listens on
 * the loopback addresses only, on a TLS port ({@code --port 0}: no plain port), does not ask clients for a
 * certificate, and keeps nothing on disk. Each start waits, with a deadline, until the server answers an
 * authenticated {@code PING} over TLS ({@code redis-cli}); a cluster until every node reports {@code cluster_state:ok}.
 */
final class TlsRedis implements AutoCloseable {
  private static final Duration READY_DEADLINE = Duration.ofSeconds(15);
  private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(15);
  private static final long POLL_MS = 25;

  private final Path dir;
  private final String password;
  private final List<Process> servers = new ArrayList<>();
  /** Stops the servers should the JVM end without {@link #close} (a test run killed). */
  private final Thread onExit = new Thread(this::stopServers, "tls-redis-stop");

  private TlsRedis(Path dir, String password) {
    this.dir = dir;
    this.password = password;
  }

  /**
   * Makes the directory and the certificates; starts no server yet.
   *
   * @param password what every server's {@code requirepass} is
   * @return the fixture (close it)
   * @throws IOException when {@code openssl} is missing or fails
   */
  static TlsRedis create(String password) throws IOException {
    TlsRedis r = new TlsRedis(Files.createTempDirectory("landslide-redistls-"), password);
    try {
      r.certificates(Files.createDirectory(r.dir.resolve("tls")));
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(r.onExit);
    return r;
  }

  /** @return the PEM certificate of the CA that signed the servers' certificate */
  Path ca() {
    return dir.resolve("tls").resolve("ca.crt");
  }

  /** @return the PEM certificate of a CA that has nothing to do with the servers */
  Path otherCa() {
    return dir.resolve("tls").resolve("other-ca.crt");
  }

  /**
   * Starts one server and waits until it answers.
   *
   * @return its TLS port (on {@code localhost})
   */
  int startStandalone() {
    int port = Ports.free();
    Path nodeDir = nodeDir("standalone-" + port);
    start(nodeDir, port);
    awaitCondition("Redis on TLS port " + port + " answers PING", () -> "PONG".equals(cli(port, "PING")), nodeDir);
    return port;
  }

  /**
   * Starts a Redis Cluster of masters only (no replicas), its bus over TLS, its nodes announced as {@code localhost},
   * and waits until every node reports {@code cluster_state:ok} and knows all the others.
   *
   * @param masters how many (3 at least)
   * @return the nodes' TLS ports
   */
  List<Integer> startCluster(int masters) {
    List<Integer> ports = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    for (int i = 0; i < masters; i++) {
      int port = Ports.free();
      Path nodeDir = nodeDir("node-" + port);
      start(nodeDir, port, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
        "--cluster-port", Integer.toString(Ports.free()), "--tls-cluster", "yes", "--masterauth", password,
        "--cluster-announce-hostname", "localhost", "--cluster-preferred-endpoint-type", "hostname");
      ports.add(port);
      dirs.add(nodeDir);
    }
    for (int i = 0; i < masters; i++) {
      int port = ports.get(i);
      awaitCondition("cluster node on TLS port " + port + " answers PING", () -> "PONG".equals(cli(port, "PING")), dirs.get(i));
    }
    List<String> create = new ArrayList<>(cliPrefix());
    create.addAll(List.of("--cluster", "create"));
    for (int port : ports) create.add("127.0.0.1:" + port);
    create.add("--cluster-yes");
    run(create.toArray(String[]::new));
    for (int i = 0; i < masters; i++) {
      int port = ports.get(i);
      awaitCondition("cluster node on TLS port " + port + " reports cluster_state:ok with " + masters + " nodes", () -> {
        String info = cli(port, "CLUSTER", "INFO");
        return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + masters)
          && info.contains("cluster_size:" + masters);
      }, dirs.get(i));
    }
    return ports;
  }

  private Path nodeDir(String name) {
    try {
      return Files.createDirectory(dir.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void start(Path nodeDir, int port, String... more) {
    Path tls = dir.resolve("tls");
    List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", "0", "--tls-port", Integer.toString(port),
      "--bind", "127.0.0.1", "-::1",
      "--tls-cert-file", tls.resolve("server.crt").toString(), "--tls-key-file", tls.resolve("server.key").toString(),
      "--tls-ca-cert-file", tls.resolve("ca.crt").toString(), "--tls-auth-clients", "no",
      "--requirepass", password, "--save", "", "--appendonly", "no", "--daemonize", "no",
      "--dir", nodeDir.toString()));
    cmd.addAll(List.of(more));
    try {
      Process p = new ProcessBuilder(cmd).directory(nodeDir.toFile()).redirectErrorStream(true)
        .redirectOutput(nodeDir.resolve("redis.log").toFile()).start();
      synchronized (this) {
        servers.add(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server (is it on the PATH?)", e);
    }
  }

  /** @return redis-cli over TLS to {@code localhost}, trusting the test CA, with the password */
  private List<String> cliPrefix() {
    return List.of("redis-cli", "--tls", "--cacert", ca().toString(), "-h", "localhost", "-a", password, "--no-auth-warning");
  }

  /** @return the command's answer, stripped; empty when redis-cli failed (the server is not up yet) */
  private String cli(int port, String... command) {
    List<String> cmd = new ArrayList<>(cliPrefix());
    cmd.addAll(List.of("-p", Integer.toString(port)));
    cmd.addAll(List.of(command));
    Path out = null;
    try {
      out = Files.createTempFile(dir, "cli", ".out");
      // Into a file, not a pipe: a redis-cli that hangs cannot block the read past the deadline.
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(COMMAND_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "";
      }
      return p.exitValue() == 0 ? Files.readString(out, StandardCharsets.UTF_8).strip() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // the directory goes at close
        }
      }
    }
  }

  /** Polls the condition until it holds; fails once the deadline has passed or a server has exited. */
  private void awaitCondition(String what, BooleanSupplier condition, Path nodeDir) {
    long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      synchronized (this) {
        for (Process p : servers) {
          if (!p.isAlive()) throw new IllegalStateException("a redis-server exited with " + p.exitValue() + " before: " + what + log(nodeDir));
        }
      }
      if (System.nanoTime() > deadline) throw new IllegalStateException("not within " + READY_DEADLINE + ": " + what + log(nodeDir));
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for: " + what);
      }
    }
  }

  private static String log(Path nodeDir) {
    try {
      return "\nredis.log:\n" + Files.readString(nodeDir.resolve("redis.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private void certificates(Path tls) throws IOException {
    // clientAuth too: a cluster node presents this certificate when it connects to another node's bus.
    io.landslide.infra.TestCertificates.make(tls, true);
  }

  private void run(String... command) {
    try {
      run(dir, command);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void run(Path workDir, String... command) throws IOException {
    Path log = Files.createTempFile(dir, "cmd", ".log");
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(COMMAND_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command[0] + " did not finish in " + COMMAND_DEADLINE + ": " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted running " + command[0]);
    }
    // The command line holds the password (redis-cli -a): name the program only.
    if (p.exitValue() != 0) throw new IllegalStateException(command[0] + " failed with " + p.exitValue() + ": " + Files.readString(log));
    Files.delete(log);
  }

  /** Stops every server (SIGTERM, then SIGKILL after a few seconds) and deletes the directory. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // shutting down already, or never added
    }
    stopServers();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  private synchronized void stopServers() {
    for (Process p : servers) p.destroy();
    for (Process p : servers) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    servers.clear();
  }
}
