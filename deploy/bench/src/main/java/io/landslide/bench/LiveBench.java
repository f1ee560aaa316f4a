package io.landslide.bench;

import static io.landslide.bench.VoteBench.cpu;
import static io.landslide.bench.VoteBench.createPoll;
import static io.landslide.bench.VoteBench.pct;
import static io.landslide.bench.VoteBench.printCpu;
import static io.landslide.bench.VoteBench.users;

import io.landslide.local.LocalStack;
import io.landslide.local.VoteDriver;
import io.landslide.runtime.PgSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The live-results benchmark (not a test: it prints figures). Starts the benchmark's own stack, warms it up, then:
 * <ol>
 *   <li><b>vote to screen</b>: one WebSocket spectator (a studio screen) watches a poll while the edge takes votes
 *       at the benchmark's concurrency; for the k-th accepted vote (in the order the 202s came back), the time from
 *       its request being sent to the first frame whose total reaches k. Votes are counted in aggregate, so this
 *       pairs the k-th acceptance with the k-th count (first in, first counted): an estimate of the distribution,
 *       not a trace of each vote;</li>
 *   <li><b>many spectators</b>: that many WebSockets on one edge; the edge's heap after a full GC before and after
 *       they connect (per idle connection), and its resident memory; then the same votes again while they all watch:
 *       accepted votes/s next to phase 1, frames delivered per second, vote to screen for one of them, and the time
 *       from the last 202 until every spectator has the final count.</li>
 * </ol>
 * Arguments: {@code [votes=300000] [spectators=10000] [concurrency=256] [warmup=200000]}.
 */
public final class LiveBench {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int CONNECTS_IN_FLIGHT = 256;

  private LiveBench() {
  }

  /** @param args votes, spectators, concurrency, warm-up */
  public static void main(String[] args) throws Exception {
    int votes = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int spectators = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 200_000;
    PgSettings pg = VoteBench.benchDatabase();
    LocalStack stack = VoteBench.benchStack(pg);
    System.out.printf("landslide live benchmark: %d votes at concurrency %d, %d spectators, warm-up %d; %d cores%n", votes,
      concurrency, spectators, warmup, Runtime.getRuntime().availableProcessors());
    stack.up();
    Vertx voters = VoteBench.loadGenerator();
    // The spectators have their own event loop, so a frame's arrival time is not held up by the voters' loop.
    Vertx watchers = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
    try {
      int port = stack.settings().edgePort();
      VoteDriver driver = new VoteDriver(voters, "localhost", port, concurrency);
      VoteBench.warmUp(stack, driver, warmup, concurrency);
      WebSocketClient ws = watchers.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(spectators + 16)
        .setConnectTimeout(30_000).setIdleTimeout(0));

      // 1. Vote to screen, one spectator.
      int pollA = createPoll(stack, "vote to screen");
      Watchers one = new Watchers(1);
      one.connect(ws, port, pollA).await(60, TimeUnit.SECONDS);
      long[] usersA = users(1, votes);
      Map<String, double[]> a0 = cpu(stack);
      VoteDriver.Results ra = driver.run(pollA, usersA, VoteDriver.bearers(usersA), u -> (int) (u % 4), concurrency, false)
        .await(1800, TimeUnit.SECONDS);
      long acceptedA = ra.count(202);
      long finalA = one.awaitAll(acceptedA, 60);
      Map<String, double[]> a1 = cpu(stack);
      System.out.printf("%nVOTE TO SCREEN  %,d votes, %,d accepted, %,.0f accepted votes/s, one WebSocket spectator%n", votes,
        acceptedA, acceptedA / (ra.elapsedNanos() / 1e9));
      printVoteToScreen(ra, one);
      System.out.printf("  last 202 -> spectator shows the final count   %d ms%n", finalA);
      printCpu("  CPU ms per 1,000 votes", a0, a1, acceptedA);

      // 2. Many spectators on one edge.
      long edgePid = stack.pid("edge").orElseThrow().pid();
      int pollB = createPoll(stack, "many spectators");
      long heap0 = heapAfterGc(stack, edgePid);
      long rss0 = rssBytes(edgePid);
      Watchers many = new Watchers(spectators);
      long c0 = System.nanoTime();
      many.connect(ws, port, pollB).await(600, TimeUnit.SECONDS);
      long connectMs = (System.nanoTime() - c0) / 1_000_000;
      long heap1 = heapAfterGc(stack, edgePid);
      long rss1 = rssBytes(edgePid);
      System.out.printf("%nSPECTATORS  %,d WebSockets on one edge, each with its first frame, in %.1f s%n", spectators, connectMs / 1e3);
      System.out.printf("  edge heap after full GC   %,d KiB -> %,d KiB: %.1f KiB per idle connection%n", heap0 / 1024, heap1 / 1024,
        (heap1 - heap0) / 1024.0 / spectators);
      System.out.printf("  edge resident memory      %,d MiB -> %,d MiB: %.1f KiB per connection (heap, buffers, kernel-side not included)%n",
        rss0 >> 20, rss1 >> 20, (rss1 - rss0) / 1024.0 / spectators);
      long[] usersB = users(1, votes);
      long frames0 = many.frames.get();
      Map<String, double[]> b0 = cpu(stack);
      VoteDriver.Results rb = driver.run(pollB, usersB, VoteDriver.bearers(usersB), u -> (int) (u % 4), concurrency, false)
        .await(1800, TimeUnit.SECONDS);
      long acceptedB = rb.count(202);
      long finalB = many.awaitAll(acceptedB, 120);
      Map<String, double[]> b1 = cpu(stack);
      double secsB = rb.elapsedNanos() / 1e9;
      long delivered = many.frames.get() - frames0;
      System.out.printf("  while they watch: %,d votes, %,d accepted, %,.0f accepted votes/s (%,.0f with one spectator)%n", votes,
        acceptedB, acceptedB / secsB, acceptedA / (ra.elapsedNanos() / 1e9));
      System.out.printf("  frames delivered          %,d, %,.0f frames/s (%.1f per spectator per second)%n", delivered,
        delivered / secsB, delivered / secsB / spectators);
      System.out.printf("  last 202 -> all %,d spectators show the final count   %d ms (%,d of them reached it)%n", spectators,
        finalB, many.reached(acceptedB));
      printVoteToScreen(rb, many);
      printCpu("  CPU ms per 1,000 votes", b0, b1, acceptedB);
      ws.close().await(30, TimeUnit.SECONDS);
      driver.close();
    } finally {
      watchers.close().await(30, TimeUnit.SECONDS);
      voters.close().await(10, TimeUnit.SECONDS);
      stack.down();
    }
  }

  private static void printVoteToScreen(VoteDriver.Results r, Watchers w) {
    long[] lat = voteToScreen(r, w.frameAt, w.frameTotal, w.recorded.get());
    if (lat.length == 0) {
      System.out.println("  vote to screen: no vote was seen on screen");
      return;
    }
    System.out.printf("  vote to screen (request sent -> frame with it, spectator 0)   p50 %.1f / p99 %.1f / max %.1f ms, %d frames%n",
      pct(lat, 0.50), pct(lat, 0.99), lat[lat.length - 1] / 1e6, w.recorded.get());
  }

  /**
   * @return sorted nanoseconds from the sending of the k-th accepted vote to the first frame counting k votes
   */
  static long[] voteToScreen(VoteDriver.Results r, long[] frameAt, long[] frameTotal, int frames) {
    int n = 0;
    for (int s : r.status()) if (s == 202) n++;
    long[] done = new long[n];
    long[] sent = new long[n];
    Integer[] order = new Integer[n];
    for (int i = 0, k = 0; i < r.status().length; i++) {
      if (r.status()[i] != 202) continue;
      sent[k] = r.sentAt()[i];
      done[k] = r.sentAt()[i] + r.latency()[i];
      order[k] = k++;
    }
    Arrays.sort(order, (x, y) -> Long.compare(done[x], done[y]));
    long[] lat = new long[n];
    int seen = 0;
    for (int k = 0, j = 0; k < n; k++) {
      while (j < frames && frameTotal[j] < k + 1) j++;
      if (j == frames) break;
      lat[seen++] = Math.max(0, frameAt[j] - sent[order[k]]);
    }
    long[] out = Arrays.copyOf(lat, seen);
    Arrays.sort(out);
    return out;
  }

  /** The spectators of one poll: the latest total each saw, the frames they got, and spectator 0's frame times. */
  private static final class Watchers {
    final AtomicLongArray lastTotal;
    final AtomicLong frames = new AtomicLong();
    final long[] frameAt = new long[1 << 16];
    final long[] frameTotal = new long[1 << 16];
    final AtomicInteger recorded = new AtomicInteger();

    Watchers(int n) {
      lastTotal = new AtomicLongArray(n);
      for (int i = 0; i < n; i++) lastTotal.set(i, -1);
    }

    /** Connects every spectator, {@value #CONNECTS_IN_FLIGHT} at a time; done when each has its first frame. */
    Future<Void> connect(WebSocketClient client, int port, int poll) {
      Promise<Void> done = Promise.promise();
      AtomicInteger next = new AtomicInteger();
      AtomicInteger ready = new AtomicInteger();
      int n = lastTotal.length();
      String uri = "/api/v1/polls/" + poll + "/live";
      Runnable[] one = new Runnable[1];
      one[0] = () -> {
        int i = next.getAndIncrement();
        if (i >= n) return;
        boolean[] first = {true};
        client.webSocket().textMessageHandler(m -> {
          onFrame(i, m);
          if (first[0]) {
            first[0] = false;
            if (ready.incrementAndGet() == n) done.tryComplete();
            one[0].run();
          }
        }).connect(port, "localhost", uri).onFailure(done::tryFail);
      };
      for (int c = 0; c < Math.min(CONNECTS_IN_FLIGHT, n); c++) one[0].run();
      return done.future();
    }

    private void onFrame(int i, String json) {
      int at = json.indexOf("\"total\":") + 8;
      long total = 0;
      for (char ch; at < json.length() && (ch = json.charAt(at)) >= '0' && ch <= '9'; at++) total = total * 10 + (ch - '0');
      frames.incrementAndGet();
      if (i == 0) {
        int f = recorded.get();
        if (f < frameAt.length) {
          frameAt[f] = System.nanoTime();
          frameTotal[f] = total;
          recorded.set(f + 1); // publishes the arrays to the reader
        }
      }
      lastTotal.set(i, total);
    }

    /** @return ms until every spectator showed {@code total} (or the deadline passed) */
    long awaitAll(long total, int seconds) throws InterruptedException {
      long start = System.nanoTime();
      long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
      while (reached(total) < lastTotal.length() && System.nanoTime() < deadline) Thread.sleep(1);
      return (System.nanoTime() - start) / 1_000_000;
    }

    int reached(long total) {
      int n = 0;
      for (int i = 0; i < lastTotal.length(); i++) if (lastTotal.get(i) >= total) n++;
      return n;
    }
  }

  /** The edge's heap in use after a full collection (jcmd GC.run, then the heap pools of its /metrics). */
  private static long heapAfterGc(LocalStack stack, long pid) throws Exception {
    Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "GC.run")
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) throw new IllegalStateException("jcmd GC.run failed");
    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(stack.edgeUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    long used = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        used += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return used;
  }

  private static long rssBytes(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
    }
    return 0;
  }
}
