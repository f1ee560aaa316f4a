package io.landslide.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for the TLS test servers (PostgreSQL, Redis), made with {@code openssl}: a CA ({@code ca.crt}), an
 * unrelated CA ({@code other-ca.crt}, for "wrong CA" cases), and a server certificate for {@code DNS:localhost}
 * only ({@code server.crt}, {@code server.key}), signed by the first, valid two days. Reaching a server as
 * {@code 127.0.0.1} then tests host-name verification.
 */
public final class TestCertificates {
  private static final long COMMAND_TIMEOUT_S = 30;

  private TestCertificates() {
  }

  /**
   * @param dir        where the files go (must exist)
   * @param clientAuth whether the server certificate may also be presented as a client's (a Redis Cluster node
   *                   connecting to another node's bus)
   * @throws IOException when openssl fails or is missing
   */
  public static void make(Path dir, boolean clientAuth) throws IOException {
    String ec = "ec_paramgen_curve:prime256v1";
    for (String ca : List.of("ca", "other-ca")) {
      run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-days", "2",
        "-keyout", ca + ".key", "-out", ca + ".crt", "-subj", "/CN=Landslide test " + ca,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }
    run(dir, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", "server.key", "-out", "server.csr",
      "-subj", "/CN=localhost");
    Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth"
      + (clientAuth ? ",clientAuth" : "") + "\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
    run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
      "-days", "2", "-extfile", "server.ext", "-out", "server.crt");
  }

  private static void run(Path dir, String... command) throws IOException {
    Path log = Files.createTempFile(dir, "openssl", ".log");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_S + " s: " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted running openssl", e);
    }
    if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed with " + p.exitValue() + ": " + Files.readString(log));
    Files.delete(log);
  }
}
