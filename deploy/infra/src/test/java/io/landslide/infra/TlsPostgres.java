package io.landslide.infra;

import io.landslide.runtime.PgSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throwaway PostgreSQL cluster that speaks TLS only, as a JUnit 5 extension
 * ({@code @RegisterExtension static final TlsPostgres PG = new TlsPostgres();}).
 *
 * <p>Before all tests: {@code openssl} makes a test CA, a server certificate signed by it for {@code DNS:localhost}
 * only (no IP address, so reaching the server as {@code 127.0.0.1} fails host name verification) and a second,
 * unrelated CA; {@code initdb} creates a cluster in a temporary directory (trust authentication, superuser
 * {@value #USER}); it starts with {@code ssl=on} on a free port of the loopback addresses, and {@code pg_hba.conf}
 * holds {@code hostssl} lines only, so a connection without TLS is refused. {@code pg_ctl start -w} returns once
 * the server accepts connections. After all tests: {@code pg_ctl stop -m immediate} and the directory is deleted.
 *
 * <p>The binaries are the machine's ({@code /usr/lib/postgresql/<version>/bin}, the highest version). initdb
 * refuses to run as root: as root, every server command runs as the {@code postgres} user through
 * {@code runuser} (no password needed for root), and the directory is handed to that user.
 */
final class TlsPostgres implements BeforeAllCallback, AfterAllCallback {
  /** The cluster's superuser (trusted over TLS). */
  static final String USER = "postgres";
  private static final String OS_USER = "postgres";
  private static final long COMMAND_TIMEOUT_S = 30;

  private Path dir;
  private Path data;
  private Path bin;
  private boolean asOtherUser;
  private int port;

  /** Creates, configures and starts the cluster. */
  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    bin = binaries();
    asOtherUser = "root".equals(System.getProperty("user.name"));
    dir = Files.createTempDirectory("landslide-pgtls-");
    data = dir.resolve("data");
    Path tls = Files.createDirectory(dir.resolve("tls"));
    certificates(tls);
    if (asOtherUser) handOver(dir);
    runAsServer(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync");
    port = Ports.free();
    // Overwriting existing files keeps their owner (the server's user).
    Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
      "listen_addresses = 'localhost'",
      "port = " + port,
      "unix_socket_directories = '" + dir + "'",
      "ssl = on",
      "ssl_cert_file = '" + tls.resolve("server.crt") + "'",
      "ssl_key_file = '" + tls.resolve("server.key") + "'",
      "fsync = off",
      "max_connections = 20",
      "shared_buffers = 16MB",
      ""), java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(data.resolve("pg_hba.conf"), String.join("\n",
      "# TLS only: no 'local' and no 'host' lines, so a plain connection finds no entry and is refused.",
      "hostssl all all 127.0.0.1/32 trust",
      "hostssl all all ::1/128 trust",
      ""));
    runAsServer(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "20", "start");
  }

  /** Stops the server at once and deletes its directory. */
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (dir == null) return;
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        runAsServer(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
      }
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  /** @return the server's port (on 127.0.0.1 and ::1) */
  int port() {
    return port;
  }

  /** @return the PEM certificate of the CA that signed the server's certificate */
  Path ca() {
    return dir.resolve("tls").resolve("ca.crt");
  }

  /** @return the PEM certificate of a CA that has nothing to do with the server */
  Path otherCa() {
    return dir.resolve("tls").resolve("other-ca.crt");
  }

  /**
   * @param host     how to reach the server: {@code localhost} (named in its certificate) or {@code 127.0.0.1} (not)
   * @param database a database name
   * @param mode     the TLS mode
   * @param rootCert the trusted CA, or null
   * @return settings for that
   */
  PgSettings settings(String host, String database, PgSettings.SslMode mode, Path rootCert) {
    return new PgSettings(host, port, database, USER, "", mode, rootCert == null ? "" : rootCert.toString());
  }

  private void certificates(Path tls) throws IOException, InterruptedException {
    TestCertificates.make(tls, false);
    // PostgreSQL refuses a key file that others may read.
    Files.setPosixFilePermissions(tls.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
  }

  /** Gives the whole tree to the server's OS user, who must own its data directory and key file. */
  private static void handOver(Path root) throws IOException {
    UserPrincipal owner = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) Files.setOwner(p, owner);
    }
  }

  private void runAsServer(String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (asOtherUser) cmd.addAll(List.of("runuser", "-u", OS_USER, "--"));
    cmd.addAll(List.of(command));
    run(dir, cmd.toArray(String[]::new));
  }

  private void run(Path workDir, String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "cmd", ".log");
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_S + " s: " + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      Path serverLog = dir.resolve("server.log");
      throw new IllegalStateException(String.join(" ", command) + " failed with " + p.exitValue() + ": " + Files.readString(log)
        + (Files.isReadable(serverLog) ? "\nserver log:\n" + Files.readString(serverLog) : ""));
    }
    Files.delete(log);
  }

  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) throw new IllegalStateException("no PostgreSQL binaries under " + root);
    try (Stream<Path> versions = Files.list(root)) {
      return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
        .max(Comparator.comparingInt(v -> v.getFileName().toString().matches("\\d+") ? Integer.parseInt(v.getFileName().toString()) : -1))
        .map(v -> v.resolve("bin"))
        .orElseThrow(() -> new IllegalStateException("no initdb under " + root + "/*/bin"));
    }
  }
}
