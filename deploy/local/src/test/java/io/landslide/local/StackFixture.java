package io.landslide.local;

import io.landslide.infra.DevTokens;
import io.landslide.infra.Ports;
import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.landslide.runtime.PgSettings;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A whole stack of separate processes for one test class: its own broker, topic, writer and edge. */
final class StackFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  LocalStack stack;
  final PgSettings pg = TestStack.pg();
  /** A client Vert.x for the test's drivers and spectators, closed with the stack. */
  Vertx vertx;
  private Path dir;
  private final Map<String, String> env;
  private final String externalKafka;

  /**
   * A JUnit 5 extension: {@code @RegisterExtension static final StackFixture f = StackFixture.with(env);} starts the
   * stack before the class's tests and stops it after them; {@code try (StackFixture f = new StackFixture(env))} starts
   * one at once.
   *
   * @param env extra environment of edge and writer
   * @return a fixture that starts its stack when the class starts
   */
  static StackFixture with(Map<String, String> env) {
    return new StackFixture(env, null, false);
  }

  StackFixture(Map<String, String> env) throws Exception {
    this(env, null);
  }

  /**
   * @param env           extra environment of edge and writer
   * @param externalKafka a broker the test started (its plaintext bootstrap, where the topic is made); null: the stack's own
   */
  StackFixture(Map<String, String> env, String externalKafka) throws Exception {
    this(env, externalKafka, false);
    start();
  }

  private StackFixture(Map<String, String> env, String externalKafka, boolean unused) {
    this.env = Map.copyOf(env);
    this.externalKafka = externalKafka;
  }

  private void start() throws Exception {
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("landslide-stack-");
    int kafka = Ports.freeWith(1); // the controller takes the next port
    stack = new LocalStack(new LocalStack.Settings(LocalStack.root(), dir, kafka, Ports.free(), Ports.free(), 8,
      "votes-sys-" + UUID.randomUUID(), pg, env, externalKafka));
    stack.up();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    close();
  }

  int createPoll(String title, int options) throws Exception {
    StringBuilder opts = new StringBuilder();
    for (int i = 0; i < options; i++) opts.append(i == 0 ? "" : ",").append("\"Option ").append(i).append('"');
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.edgeUrl() + "/api/v1/polls"))
      .header("Authorization", "Bearer " + DevTokens.dev().admin(1))
      .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"" + title + "\",\"options\":[" + opts + "]}")).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new IllegalStateException(r.statusCode() + " " + r.body());
    return Integer.parseInt(r.body().replaceAll(".*?\"id\":(\\d+).*", "$1"));
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.edgeUrl() + path));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.edgeUrl() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  long query(String sql) {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  Set<String> receipts(int poll) {
    Set<String> out = new HashSet<>();
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT replace(receipt::text, '-', '') FROM votes WHERE poll_id = " + poll)) {
      while (rs.next()) out.add(rs.getString(1));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** Waits for a condition with a deadline. */
  static void await(String what, LongSupplier value, long expected, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long v;
    while ((v = value.getAsLong()) != expected) {
      if (System.nanoTime() > deadline) throw new AssertionError(what + ": " + v + ", expected " + expected);
      Thread.sleep(50);
    }
  }

  String log(String name) throws IOException {
    return Files.readString(dir.resolve(name + ".log"));
  }

  @Override
  public void close() throws IOException {
    if (stack == null) return; // never started
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing a client: nothing to keep
    }
    stack.down();
    if (Boolean.getBoolean("landslide.keepLogs")) return; // to read the processes' logs after a failure
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
