package io.landslide.local;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's real Chromium, headless, driven over the Chrome DevTools Protocol with Vert.x's WebSocket client:
 * open a page, evaluate JavaScript in it. No WebDriver, no browser download.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final int MAX_MESSAGE = 32 * 1024 * 1024;
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final Path profile;
  private final io.vertx.core.http.WebSocketClient client; // held: Vert.x closes an unreferenced client's connections
  private final WebSocket page;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, Promise<JsonObject>> calls = new ConcurrentHashMap<>();

  HeadlessChromium(Vertx vertx, String url) throws Exception {
    String binary = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : "chromium";
    profile = Files.createTempDirectory("landslide-chromium-");
    // The flags a root user in a closed network needs: no sandbox, no GPU, no calls home.
    process = new ProcessBuilder(List.of(binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank")).redirectErrorStream(true).start();
    String browserWs = null;
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (String line; browserWs == null && System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) browserWs = m.group(1);
    }
    if (browserWs == null) throw new IllegalStateException("chromium did not start (is the Debian package 'chromium' installed?)");
    Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "chromium-output");
    drain.setDaemon(true);
    drain.start();
    URI base = URI.create(browserWs.replace("ws://", "http://"));
    String targets = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + base.getAuthority() + "/json/list")).build(),
      HttpResponse.BodyHandlers.ofString()).body();
    JsonObject target = new JsonArray(targets).stream().map(o -> (JsonObject) o).filter(t -> "page".equals(t.getString("type")))
      .findFirst().orElseThrow();
    URI pageWs = URI.create(target.getString("webSocketDebuggerUrl"));
    // Chromium sends each answer as one frame, and a screenshot's is bigger than Vert.x's 64 KiB default frame: one
    // over the limit closed the connection, and the call waited out its deadline.
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(MAX_MESSAGE).setMaxMessageSize(MAX_MESSAGE));
    WebSocket ws = null;
    for (int attempt = 1; ws == null; attempt++) {
      try {
        ws = client.connect(pageWs.getPort(), pageWs.getHost(), pageWs.getPath()).await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (attempt == 5) throw e;
        Thread.sleep(200L * attempt); // the target may not accept connections the instant it is listed
      }
    }
    page = ws;
    page.textMessageHandler(m -> {
      JsonObject msg = new JsonObject(m);
      Promise<JsonObject> p = msg.containsKey("id") ? calls.remove(msg.getInteger("id")) : null;
      if (p != null) p.complete(msg);
    });
    call("Page.enable", new JsonObject());
    call("Page.navigate", new JsonObject().put("url", url));
  }

  JsonObject call(String method, JsonObject params) throws Exception {
    int id = ids.incrementAndGet();
    Promise<JsonObject> p = Promise.promise();
    calls.put(id, p);
    page.writeTextMessage(new JsonObject().put("id", id).put("method", method).put("params", params).encode());
    return p.future().await(10, TimeUnit.SECONDS);
  }

  /**
   * @param expression JavaScript
   * @return its value, as a string (null when it threw or is undefined)
   */
  String eval(String expression) throws Exception {
    JsonObject r = call("Runtime.evaluate", new JsonObject().put("expression", expression).put("returnByValue", true));
    JsonObject result = r.getJsonObject("result", new JsonObject()).getJsonObject("result", new JsonObject());
    Object v = result.getValue("value");
    return v == null ? null : v.toString();
  }

  /** @return where the browser tests' screenshots go: kept with CI's reports ({@code LANDSLIDE_REPORTS_DIR}, else {@code target}) */
  static Path screenshots() {
    return Path.of(System.getenv().getOrDefault("LANDSLIDE_REPORTS_DIR", "target"), "screenshots");
  }

  /**
   * @param viewportWidth  CSS pixels (a phone is about 400)
   * @param viewportHeight CSS pixels
   * @param file           where the PNG goes
   */
  void screenshot(int viewportWidth, int viewportHeight, Path file) throws Exception {
    call("Emulation.setDeviceMetricsOverride", new JsonObject().put("width", viewportWidth).put("height", viewportHeight)
      .put("deviceScaleFactor", 1).put("mobile", viewportWidth < 600));
    JsonObject r = call("Page.captureScreenshot", new JsonObject().put("format", "png"));
    Files.createDirectories(file.getParent());
    Files.write(file, java.util.Base64.getDecoder().decode(r.getJsonObject("result").getString("data")));
  }

  /** Waits, with a deadline, until the expression evaluates to {@code expected}. */
  void await(String expression, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String v = null;
    while (System.nanoTime() < deadline) {
      v = eval(expression);
      if (expected.equals(v)) return;
      Thread.sleep(50);
    }
    throw new AssertionError(expression + " = " + v + ", expected " + expected);
  }

  @Override
  public void close() throws IOException {
    page.close();
    client.close();
    // Chromium's helpers (renderer, GPU, network) outlive the main process by a moment and keep writing to the
    // profile: stop the whole tree and wait for it before deleting.
    List<ProcessHandle> tree = java.util.stream.Stream.concat(process.descendants(), java.util.stream.Stream.of(process.toHandle())).toList();
    tree.forEach(ProcessHandle::destroy);
    for (ProcessHandle h : tree) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        h.destroyForcibly();
      }
    }
    for (int attempt = 1; ; attempt++) {
      try (var paths = Files.walk(profile)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        return;
      } catch (java.nio.file.NoSuchFileException e) {
        return; // already gone
      } catch (java.io.UncheckedIOException e) {
        if (attempt == 3) throw e.getCause(); // else a file vanished mid-walk: walk again
      }
    }
  }
}
