package io.landslide.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PKI for tests, made with the JDK's {@code keytool}: a self-signed RSA key pair for
 * {@code CN=localhost} with the subject alternative names {@code dns:localhost} and {@code ip:127.0.0.1},
 * in a PKCS12 keystore, and a PKCS12 truststore holding its certificate. Both stores (and the key) share
 * one password, random for each {@link #create(Path)}.
 *
 * <p>Never for production: the key is made on the spot and the password is written to the broker's
 * config file in the clear.
 */
public final class LocalTls {
  /** The keystore and truststore type. */
  public static final String STORE_TYPE = "PKCS12";
  private static final String ALIAS = "localhost";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

  private final Path keystore;
  private final Path truststore;
  private final String password;

  private LocalTls(Path keystore, Path truststore, String password) {
    this.keystore = keystore;
    this.truststore = truststore;
    this.password = password;
  }

  /**
   * Makes a fresh key pair, keystore and truststore in {@code dir} (created if missing), replacing any
   * this class made there before.
   *
   * @param dir where the stores go ({@code server.keystore.p12}, {@code server.truststore.p12})
   * @return the stores and their password
   * @throws IllegalStateException when keytool fails or does not finish in time (with its output)
   */
  public static LocalTls create(Path dir) {
    try {
      Files.createDirectories(dir);
      Path ks = dir.resolve("server.keystore.p12").toAbsolutePath();
      Path ts = dir.resolve("server.truststore.p12").toAbsolutePath();
      Path cert = dir.resolve("server.cert.pem").toAbsolutePath();
      for (Path f : List.of(ks, ts, cert)) Files.deleteIfExists(f);
      byte[] secret = new byte[12];
      new SecureRandom().nextBytes(secret);
      String pw = HexFormat.of().formatHex(secret);

      keytool(dir, "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
        "-keystore", ks.toString(), "-storetype", STORE_TYPE, "-storepass", pw, "-keypass", pw);
      keytool(dir, "-exportcert", "-rfc", "-alias", ALIAS, "-file", cert.toString(),
        "-keystore", ks.toString(), "-storetype", STORE_TYPE, "-storepass", pw);
      keytool(dir, "-importcert", "-noprompt", "-alias", ALIAS, "-file", cert.toString(),
        "-keystore", ts.toString(), "-storetype", STORE_TYPE, "-storepass", pw);
      return new LocalTls(ks, ts, pw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the PKCS12 keystore holding the server's key pair and certificate (alias {@code localhost}) */
  public Path keystore() {
    return keystore;
  }

  /** @return the PKCS12 truststore holding the server's certificate */
  public Path truststore() {
    return truststore;
  }

  /** @return the password of both stores and of the key */
  public String password() {
    return password;
  }

  /**
   * The Kafka client settings that reach a broker using these stores over TLS, hostname verification on:
   * {@code security.protocol=SSL}, {@code ssl.truststore.location}, {@code ssl.truststore.password},
   * {@code ssl.truststore.type=PKCS12} and {@code ssl.endpoint.identification.algorithm=https}. Add the
   * bootstrap servers (e.g. {@link LocalKafka#tlsBootstrap()}) and the rest of the client's settings.
   *
   * @return a new, modifiable map
   */
  public Map<String, String> clientProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", "SSL");
    p.put("ssl.truststore.location", truststore.toString());
    p.put("ssl.truststore.password", password);
    p.put("ssl.truststore.type", STORE_TYPE);
    p.put("ssl.endpoint.identification.algorithm", "https");
    return p;
  }

  /** The broker's settings for a listener using these stores (no client authentication). */
  Map<String, String> brokerProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ssl.keystore.location", keystore.toString());
    p.put("ssl.keystore.password", password);
    p.put("ssl.keystore.type", STORE_TYPE);
    p.put("ssl.key.password", password);
    p.put("ssl.truststore.location", truststore.toString());
    p.put("ssl.truststore.password", password);
    p.put("ssl.truststore.type", STORE_TYPE);
    p.put("ssl.client.auth", "none");
    return p;
  }

  @Override
  public String toString() {
    return "LocalTls[keystore=" + keystore + ", truststore=" + truststore + "]";
  }

  private static void keytool(Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "keytool", ".log");
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullFile())).start();
      boolean done;
      try {
        done = p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for keytool " + args[0], e);
      }
      if (!done) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " did not finish in " + KEYTOOL_TIMEOUT_SECONDS
          + " s: " + Files.readString(log, StandardCharsets.UTF_8));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed with " + p.exitValue() + ": "
          + Files.readString(log, StandardCharsets.UTF_8).trim());
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static java.io.File nullFile() {
    return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }
}
