package io.landslide.bench;

import io.landslide.infra.LocalKafkaCluster;
import io.landslide.local.LocalStack;
import io.landslide.local.RetryingVoters;
import io.landslide.local.VoteDriver;
import io.landslide.runtime.PgSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;

/**
 * The production shape's benchmark (not a test: it prints figures), one command, one run:
 * <ol>
 *   <li>accepted votes/s and CPU per process, the single-node stack and then the production shape (three brokers at
 *       replication factor 3, a Redis Cluster, two edges, two writers), the same heaps, load and warm-up;</li>
 *   <li>production shape, a steady rate (default 5,000 votes/s) of voters that retry like real clients, the leader
 *       broker of partition 0 killed (SIGKILL) a few seconds in: the 503s, the network errors, the longest gap between
 *       two 202s;</li>
 *   <li>a writer killed under load: how long until the group has settled without it (the survivor owns every
 *       partition); then started again: from process start to its first commit;</li>
 *   <li>an edge stopped with SIGTERM under load: the time from the signal to its exit (the drain).</li>
 * </ol>
 * Arguments: {@code [votes=100000] [concurrency=256] [warmup=50000] [rate=5000] [seconds=20]}.
 */
public final class ClusterBench {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String JVM = System.getenv().getOrDefault("VOTING_JVM_OPTS", LocalStack.CLUSTER_JVM_OPTS);
  private static final String GROUP = "landslide-writer";

  private ClusterBench() {
  }

  /** @param args votes, concurrency, warm-up, rate, seconds */
  public static void main(String[] args) throws Exception {
    int votes = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
    int rate = args.length > 3 ? Integer.parseInt(args[3]) : 5_000;
    int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 20;
    System.out.printf("landslide cluster benchmark: %d votes at concurrency %d (warm-up %d), then %d votes/s for %d s; heaps %s; %d cores%n",
      votes, concurrency, warmup, rate, seconds, JVM, Runtime.getRuntime().availableProcessors());
    Path root = LocalStack.root();
    PgSettings pg = VoteBench.benchDatabase();
    Vertx vertx = VoteBench.loadGenerator();
    try {
      Map<String, String> env = Map.of("VOTING_JVM_OPTS", JVM);
      LocalStack single = new LocalStack(new LocalStack.Settings(root, root.resolve(".landslide-bench"), 19092, 18080, 18081, 8,
        "votes.bench." + System.currentTimeMillis(), pg, env));
      try {
        single.up();
        throughput("SINGLE NODE (1 broker, Redis, 1 edge, 1 writer)", single, vertx, votes, concurrency, warmup);
      } finally {
        single.down();
      }

      // Its own database: its stored offsets belong to its own Kafka.
      LocalStack cluster = new LocalStack(new LocalStack.Settings(root, root.resolve(".landslide-bench-cluster"), 0, 18080, 18081, 8,
        "votes.bench." + System.currentTimeMillis(), pg.withDatabase("landslide_bench_cluster"),
        Map.of("VOTING_JVM_OPTS", JVM, "VOTING_BITMAP_CHECK_MS", "0"), null, new LocalStack.Cluster(18082, 18083)));
      try {
        long t0 = System.nanoTime();
        cluster.up();
        System.out.printf("%nproduction shape up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        throughput("PRODUCTION SHAPE (3 brokers RF 3, Redis Cluster 3+3, 2 edges, 2 writers)", cluster, vertx, votes, concurrency, warmup);
        brokerKilled(cluster, vertx, rate, seconds);
        writerKilled(cluster, vertx, Math.min(rate, 2_000));
        edgeDrained(cluster, vertx, Math.min(rate, 2_000));
      } finally {
        cluster.down();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Saturating load over every edge of the stack; accepted votes/s and CPU ms per 1,000 votes of each process. */
  private static void throughput(String title, LocalStack stack, Vertx vertx, int votes, int concurrency, int warmup) throws Exception {
    List<String> edges = stack.edgeUrls();
    int poll = VoteBench.createPoll(stack, "warm-up");
    run(stack, vertx, poll, 1, warmup, concurrency);
    poll = VoteBench.createPoll(stack, "bench");
    Map<String, double[]> cpu0 = cpu(stack);
    long t0 = System.nanoTime();
    long accepted = run(stack, vertx, poll, 10_000_000, votes, concurrency);
    double secs = (System.nanoTime() - t0) / 1e9;
    Map<String, double[]> cpu1 = cpu(stack);
    System.out.printf("%n%s%n  %d votes over %d edge(s): %d accepted in %.1f s: %,.0f accepted votes/s%n", title, votes, edges.size(),
      accepted, secs, accepted / secs);
    VoteBench.printCpu("  CPU ms per 1,000 votes, by process", cpu0, cpu1, accepted);
  }

  /** @return 202s of {@code n} users from {@code from}, split over the edges, all at once */
  private static long run(LocalStack stack, Vertx vertx, int poll, long from, int n, int concurrency) throws Exception {
    List<String> edges = stack.edgeUrls();
    int per = n / edges.size();
    List<Future<VoteDriver.Results>> runs = new java.util.ArrayList<>();
    List<VoteDriver> drivers = new java.util.ArrayList<>();
    for (int e = 0; e < edges.size(); e++) {
      int port = URI.create(edges.get(e)).getPort();
      VoteDriver d = new VoteDriver(vertx, "localhost", port, concurrency / edges.size());
      drivers.add(d);
      long[] users = VoteBench.users(from + (long) e * per, per);
      runs.add(d.run(poll, users, VoteDriver.bearers(users), u -> (int) (u % 4), concurrency / edges.size(), false));
    }
    long accepted = 0;
    for (Future<VoteDriver.Results> r : runs) accepted += r.await(1800, TimeUnit.SECONDS).count(202);
    for (VoteDriver d : drivers) d.close();
    return accepted;
  }

  private static void brokerKilled(LocalStack stack, Vertx vertx, int rate, int seconds) throws Exception {
    LocalKafkaCluster kafka = stack.kafkaCluster().orElseThrow();
    int leader = kafka.leaderOf(stack.settings().topic(), 0);
    RetryingVoters voters = voters(stack, vertx);
    var running = fiveSecondsInto(stack, voters, "broker-killed", 50_000_000, rate, seconds);
    long killedAt = System.nanoTime();
    node(kafka, leader).kill9();
    RetryingVoters.Outcome o = running.await(400, TimeUnit.SECONDS);
    double secs = (System.nanoTime() - o.startNanos()) / 1e9;
    System.out.printf("%nLEADER BROKER KILLED at a steady %,d votes/s (broker %d, leader of partition 0, SIGKILL %.1f s in)%n", rate, leader,
      (killedAt - o.startNanos()) / 1e9);
    System.out.printf("  %d voters: %d × 202, %d × 409; %d × 503 and %d network errors on the way (each retried after 200 ms)%n",
      o.users().length, o.count(202), o.count(409), o.unavailableTotal(), o.failedTotal());
    System.out.printf("  longest gap between two 202s: %.0f ms; run %.1f s (%,.0f accepted/s)%n", o.longestGapMs(), secs, o.count(202) / secs);
    voters.close();
    node(kafka, leader).restart();
  }

  private static void writerKilled(LocalStack stack, Vertx vertx, int rate) throws Exception {
    RetryingVoters voters = voters(stack, vertx);
    var running = fiveSecondsInto(stack, voters, "writer-killed", 60_000_000, rate, 40);
    long pid = stack.pid("writer-2").orElseThrow().pid();
    long killed = System.nanoTime();
    stack.kill9("writer-2");
    long settled;
    try (Admin admin = stack.kafkaCluster().orElseThrow().admin()) {
      while (true) {
        ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(GROUP)).all().get(10, TimeUnit.SECONDS).get(GROUP);
        long assigned = g.members().stream().mapToLong(m -> m.assignment().topicPartitions().size()).sum();
        if (assigned == 8 && g.members().stream().noneMatch(m -> m.clientId().equals("writer-" + pid))) break;
        Thread.sleep(50);
      }
      settled = System.nanoTime();
    }
    long started = System.nanoTime();
    stack.startWriter("writer-2", stack.settings().cluster().writer2Port());
    String metrics = "http://localhost:" + stack.settings().cluster().writer2Port() + "/metrics";
    while (inserted(metrics) <= 0) Thread.sleep(20);
    long firstCommit = System.nanoTime();
    RetryingVoters.Outcome o = running.await(400, TimeUnit.SECONDS);
    System.out.printf("%nWRITER KILLED (SIGKILL) at a steady %,d votes/s%n", rate);
    System.out.printf("  group settled without it (survivor owns all 8 partitions) %.1f s after the kill (session timeout 10 s)%n",
      (settled - killed) / 1e9);
    System.out.printf("  restarted: first commit %.1f s after its process start%n", (firstCommit - started) / 1e9);
    System.out.printf("  voters: %d × 202, %d × 409, %d × 503, %d network errors (votes are taken while no writer writes)%n",
      o.count(202), o.count(409), o.unavailableTotal(), o.failedTotal());
    voters.close();
  }

  private static void edgeDrained(LocalStack stack, Vertx vertx, int rate) throws Exception {
    RetryingVoters voters = voters(stack, vertx);
    var running = fiveSecondsInto(stack, voters, "edge-drained", 70_000_000, rate, 15);
    long t0 = System.nanoTime();
    stack.stop("edge-2"); // SIGTERM, waits for the exit
    long drained = System.nanoTime();
    RetryingVoters.Outcome o = running.await(400, TimeUnit.SECONDS);
    System.out.printf("%nEDGE STOPPED (SIGTERM) at a steady %,d votes/s over two edges%n", rate);
    System.out.printf("  signal to exit (drain, votes in flight answered, producer closed): %.1f s%n", (drained - t0) / 1e9);
    System.out.printf("  voters: %d × 202, %d × 409, %d × 503, %d network errors (retried on the other edge)%n", o.count(202), o.count(409),
      o.unavailableTotal(), o.failedTotal());
    voters.close();
  }

  /**
   * Starts fresh voters on a fresh poll at a fixed rate for {@code seconds}, and returns 5 s into the run: the moment of
   * the fault (a point of the schedule, not a synchronisation), the run going on.
   */
  private static Future<RetryingVoters.Outcome> fiveSecondsInto(LocalStack stack, RetryingVoters voters, String title, long fromUser,
                                                                 int rate, int seconds) throws Exception {
    int poll = VoteBench.createPoll(stack, title);
    long[] users = VoteBench.users(fromUser, rate * seconds);
    Future<RetryingVoters.Outcome> running = voters.run(poll, users, VoteDriver.bearers(users), u -> (int) (u % 4), rate, 2_000, 300_000);
    Thread.sleep(5_000);
    return running;
  }

  private static RetryingVoters voters(LocalStack stack, Vertx vertx) {
    List<Integer> ports = stack.edgeUrls().stream().map(u -> URI.create(u).getPort()).toList();
    return new RetryingVoters(vertx, ports, 64, 200, 15_000);
  }

  private static LocalKafkaCluster.Node node(LocalKafkaCluster kafka, int id) {
    return kafka.nodes().stream().filter(n -> n.id() == id).findFirst().orElseThrow();
  }

  private static double inserted(String metricsUrl) {
    try {
      String body = HTTP.send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(), HttpResponse.BodyHandlers.ofString()).body();
      for (String line : body.split("\n")) {
        if (line.startsWith("landslide_writer_rows_total") && line.contains("outcome=\"inserted\"")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    } catch (Exception notUp) {
      // not listening yet
    }
    return -1;
  }

  private static Map<String, double[]> cpu(LocalStack stack) {
    Map<String, double[]> m = new LinkedHashMap<>();
    stack.running().forEach((name, h) -> {
      if (!name.startsWith("redis/")) m.put(name, ProcCpu.ofPid(h.pid(), false));
    });
    m.put("postgres", ProcCpu.byName("postgres"));
    m.put("redis (all nodes)", ProcCpu.byName("redis-server"));
    m.put("load generator", ProcCpu.ofPid(ProcessHandle.current().pid(), false));
    return m;
  }
}
