package io.landslide.bench;

import static io.landslide.bench.VoteBench.cpu;
import static io.landslide.bench.VoteBench.pct;
import static io.landslide.bench.VoteBench.users;

import io.landslide.infra.DevTokens;
import io.landslide.local.LocalStack;
import io.landslide.local.VoteDriver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The edge's throughput with every bot defence on, next to the plain path, in one run (a benchmark: it prints
 * figures). One stack, two edges: the stack's own with no rate limits and polls without proof of work (plain), and a
 * second with the default rate limits (per user, and per address with a ceiling no test reaches, so the check runs)
 * voting in a poll that asks proof of work. Abuse scoring runs on both. The load generator fetches and solves every
 * voter's challenge before the clock starts (the client's work, and one GET per vote, reported apart); the timed
 * phases are the vote requests. Arguments: {@code [votes=200000] [concurrency=256] [warmup=100000] [difficulty=8]}.
 */
public final class DefendedBench {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int DEFENDED_PORT = 18082;

  private DefendedBench() {
  }

  /** @param args votes, concurrency, warm-up, difficulty */
  public static void main(String[] args) throws Exception {
    int votes = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    int difficulty = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    LocalStack stack = VoteBench.benchStack(VoteBench.benchDatabase(), Map.of("VOTING_RATE_USER", "0"));
    System.out.printf("landslide defences benchmark: %d votes at concurrency %d, warm-up %d, proof of work %d bits; %d cores%n", votes,
      concurrency, warmup, difficulty, Runtime.getRuntime().availableProcessors());
    stack.up();
    stack.startEdge("edge-defended", DEFENDED_PORT, Map.of("VOTING_RATE_USER", "10/50", "VOTING_RATE_IP", "1000000/1000000"));
    stack.awaitReady("edge-defended", "http://localhost:" + DEFENDED_PORT + "/health/ready");
    Vertx vertx = VoteBench.loadGenerator();
    try {
      VoteDriver plain = new VoteDriver(vertx, "localhost", stack.settings().edgePort(), concurrency);
      VoteDriver defended = new VoteDriver(vertx, "localhost", DEFENDED_PORT, concurrency);
      long[] warmUsers = users(1, warmup);
      plain.run(poll(stack, "warm plain", 0), warmUsers, VoteDriver.bearers(warmUsers), u -> (int) (u % 4), concurrency, false).await(600, TimeUnit.SECONDS);
      phase(stack, defended, "edge-defended", poll(stack, "warm defended", difficulty), warmUsers, concurrency, null);

      long[] voters = users(1, votes);
      Phase p = phase(stack, plain, "edge", poll(stack, "plain", 0), voters, concurrency, "PLAIN (no rate limits, no proof of work)");
      Phase d = phase(stack, defended, "edge-defended", poll(stack, "defended", difficulty), voters, concurrency,
        "DEFENDED (rate limits per user and address, proof of work " + difficulty + " bits, abuse score)");
      System.out.printf("%nDefended / plain accepted votes/s: %.2f (defences cost %.0f%% of the edge's throughput)%n", d.perSecond / p.perSecond,
        100 * (1 - d.perSecond / p.perSecond));
      System.out.printf("Edge CPU per vote: plain %.1f, defended %.1f CPU-us%n", p.edgeCpuUs, d.edgeCpuUs);
      plain.close();
      defended.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      stack.down();
    }
  }

  record Phase(double perSecond, double edgeCpuUs) {
  }

  /** Votes once per user (solving their challenges first when the poll asks proof of work); prints when titled. */
  static Phase phase(LocalStack stack, VoteDriver driver, String edge, int poll, long[] users, int concurrency, String title)
    throws Exception {
    String[] bearers = VoteDriver.bearers(users);
    int[] options = new int[users.length];
    for (int i = 0; i < users.length; i++) options[i] = (int) (users[i] % 4);
    Buffer[] bodies = new Buffer[users.length];
    long c0 = System.nanoTime();
    JsonObject[] pow = pollAsksProofOfWork(stack, poll) ? driver.solvedChallenges(poll, users, bearers, concurrency).await(1800, TimeUnit.SECONDS) : null;
    double challengeSecs = (System.nanoTime() - c0) / 1e9;
    for (int i = 0; i < users.length; i++) {
      JsonObject b = new JsonObject().put("option", options[i]);
      if (pow != null) b.put("pow", pow[i]);
      bodies[i] = Buffer.buffer(b.encode());
    }
    Map<String, double[]> cpu0 = cpu(stack, edge);
    VoteDriver.Results r = driver.run(poll, users, bearers, options, i -> bodies[i], concurrency, false).await(1800, TimeUnit.SECONDS);
    Map<String, double[]> cpu1 = cpu(stack, edge);
    long accepted = r.count(202);
    double secs = r.elapsedNanos() / 1e9;
    double edgeCpu = (cpu1.get("edge")[0] + cpu1.get("edge")[1] - cpu0.get("edge")[0] - cpu0.get("edge")[1]) * 1e3 / Math.max(1, accepted); // ProcCpu gives ms
    if (title != null) {
      long[] lat = r.latency().clone();
      Arrays.sort(lat);
      System.out.printf("%n%s%n  %,d votes, %,d accepted, %,.0f accepted votes/s, latency p50/p99 %.1f / %.1f ms, edge %.1f CPU-us per vote%n",
        title, users.length, accepted, accepted / secs, pct(lat, 0.5), pct(lat, 0.99), edgeCpu);
      if (pow != null) {
        System.out.printf("  before the clock: %,d challenges fetched and solved in %.1f s (%,.0f/s, the solving in the load generator)%n",
          users.length, challengeSecs, users.length / challengeSecs);
      }
    }
    return new Phase(accepted / secs, edgeCpu);
  }

  private static Map<String, double[]> cpu(LocalStack stack, String edge) {
    return Map.of("edge", stack.pid(edge).map(h -> ProcCpu.ofPid(h.pid(), false)).orElse(new double[2]));
  }

  static int poll(LocalStack stack, String title, int difficulty) throws Exception {
    JsonObject body = new JsonObject().put("title", title).put("options", new io.vertx.core.json.JsonArray().add("A").add("B").add("C").add("D"));
    if (difficulty > 0) body.put("powDifficulty", difficulty);
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.edgeUrl() + "/api/v1/polls"))
      .header("Authorization", "Bearer " + DevTokens.dev().admin(1)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
      HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new IllegalStateException(r.body());
    return new JsonObject(r.body()).getInteger("id");
  }

  private static boolean pollAsksProofOfWork(LocalStack stack, int poll) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.edgeUrl() + "/api/v1/polls/" + poll + "/challenge"))
      .header("Authorization", "Bearer " + DevTokens.dev().voter(1)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).getInteger("difficulty") > 0;
  }
}
