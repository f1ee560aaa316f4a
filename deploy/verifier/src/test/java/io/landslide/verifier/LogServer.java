package io.landslide.verifier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.landslide.codec.tlog.TilePath;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An edge's public log API, as little as the verifier reads (docs/audit.md), on the JDK's HTTP server: each path
 * answers its file, or 404. Tests change the files to play a server that lies, or sends too much, or too slowly.
 */
final class LogServer implements AutoCloseable {
  /** path -> body. */
  final Map<String, byte[]> files = new ConcurrentHashMap<>();
  /** Paths answered without a Content-Length (chunked). */
  final Set<String> chunked = ConcurrentHashMap.newKeySet();
  /** Paths answered after a wait. */
  final Map<String, Duration> slow = new ConcurrentHashMap<>();
  /** Every path asked for. */
  final Set<String> asked = ConcurrentHashMap.newKeySet();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicBoolean closed = new AtomicBoolean();

  LogServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** @return the base URL */
  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static String key() {
    return "/api/v1/audit/key";
  }

  static String log(int poll) {
    return "/api/v1/polls/" + poll + "/log/";
  }

  /**
   * Serves a log as the edge will: the key, the checkpoint of {@code size} entries as the latest, the result when
   * sealed, and the entry tiles of {@code size} entries (the last one partial).
   *
   * @param at the poll whose paths serve it (the log's own poll, unless a test lies)
   */
  LogServer serve(TestLog log, long size, boolean sealed, int at) {
    files.put(key(), (log.key.verifier().text() + "\n").getBytes(StandardCharsets.UTF_8));
    files.put(log(at) + "checkpoint", log.checkpoint(size).getBytes(StandardCharsets.UTF_8));
    if (sealed) files.put(log(at) + "result", log.result().getBytes(StandardCharsets.UTF_8));
    for (long i = 0; i * TilePath.FULL < size; i++) {
      int width = (int) Math.min(TilePath.FULL, size - i * TilePath.FULL);
      files.put(log(at) + new TilePath(TilePath.ENTRIES, i, width).path(), log.tile(i, width));
    }
    return this;
  }

  LogServer serve(TestLog log, long size, boolean sealed) {
    return serve(log, size, sealed, log.poll);
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getRawPath();
      asked.add(path);
      Duration wait = slow.get(path);
      if (wait != null) Thread.sleep(wait.toMillis());
      byte[] body = files.get(path);
      if (!x.getRequestMethod().equals("GET") || body == null) {
        x.sendResponseHeaders(body == null ? 404 : 405, -1);
        return;
      }
      x.getResponseHeaders().set("Content-Type", path.contains("/tile/") ? "application/octet-stream" : "text/plain; charset=utf-8");
      x.sendResponseHeaders(200, chunked.contains(path) ? 0 : body.length == 0 ? -1 : body.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) return;
    server.stop(0);
    executor.shutdownNow();
  }
}
