package io.landslide.bench;

import io.landslide.codec.Receipt;
import io.landslide.codec.UserKeySerializer;
import io.landslide.codec.VoteEvent;
import io.landslide.codec.VoteEventSerializer;
import io.landslide.infra.DevTokens;
import io.landslide.infra.Schema;
import io.landslide.local.LocalStack;
import io.landslide.local.VoteDriver;
import io.landslide.runtime.PgSettings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The benchmark (not a test: it prints figures). Starts its own local stack (separate ports and database),
 * then measures:
 * <ol>
 *   <li>the edge: accepted votes/s and p50/p99/p999 latency at a fixed concurrency, distinct users;</li>
 *   <li>end to end: time from the last 202 to results that count every accepted vote;</li>
 *   <li>the writer: rows/s draining a backlog produced straight to Kafka while it was stopped;</li>
 *   <li>CPU ms per 1,000 votes of each process (edge, writer, broker, PostgreSQL, Redis, the load generator), from /proc.</li>
 * </ol>
 * Arguments: {@code [votes=300000] [concurrency=256] [backlog=1000000] [warmup=200000]}. The warm-up runs the
 * whole path (HTTP, Kafka, writer) before anything is measured: on two cores the JIT compilers otherwise take
 * half the CPU of a short run.
 */
public final class VoteBench {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private VoteBench() {
  }

  /** @param args votes, concurrency, backlog */
  public static void main(String[] args) throws Exception {
    int votes = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int backlog = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 200_000;
    PgSettings pg = benchDatabase();
    LocalStack stack = benchStack(pg);
    System.out.printf("landslide benchmark: %d votes at concurrency %d, backlog %d, warm-up %d; %d cores%n", votes, concurrency,
      backlog, warmup, Runtime.getRuntime().availableProcessors());
    stack.up();
    Vertx vertx = loadGenerator();
    try {
      VoteDriver driver = new VoteDriver(vertx, "localhost", stack.settings().edgePort(), concurrency);
      warmUp(stack, driver, warmup, concurrency);

      int poll = createPoll(stack, "bench");
      long[] users = users(1, votes);
      String[] bearers = VoteDriver.bearers(users);
      Map<String, double[]> cpu0 = cpu(stack);
      VoteDriver.Results r = driver.run(poll, users, bearers, u -> (int) (u % 4), concurrency, false).await(1800, TimeUnit.SECONDS);
      long lastAccepted = System.nanoTime();
      long accepted = r.count(202);
      while (total(stack, poll) < accepted) Thread.sleep(5);
      long e2eMs = (System.nanoTime() - lastAccepted) / 1_000_000;
      Map<String, double[]> cpu1 = cpu(stack);
      driver.close();

      long[] lat = r.latency().clone();
      Arrays.sort(lat);
      double secs = r.elapsedNanos() / 1e9;
      System.out.printf("%nEDGE  %d votes, %d accepted (202), %d other answers, in %.1f s%n", votes, accepted, votes - accepted, secs);
      System.out.printf("  accepted votes/s       %,.0f%n", accepted / secs);
      System.out.printf("  latency p50/p99/p999   %.1f / %.1f / %.1f ms%n", pct(lat, 0.50), pct(lat, 0.99), pct(lat, 0.999));
      System.out.printf("  last 202 -> results complete  %d ms%n", e2eMs);
      printCpu("  CPU ms per 1,000 votes (HTTP phase, incl. writing them)", cpu0, cpu1, accepted);

      // The writer draining a backlog: stop it, produce straight to Kafka, start it, time until all rows are in.
      stack.stop("writer");
      int drainPoll = createPoll(stack, "drain");
      produce(stack, drainPoll, backlog);
      long started = System.nanoTime();
      stack.startWriter();
      long first;
      while ((first = tallied(pg, drainPoll)) == 0) Thread.sleep(5);
      Map<String, double[]> d0 = cpu(stack);
      long t0 = System.nanoTime();
      while (tallied(pg, drainPoll) < backlog) Thread.sleep(20);
      long t1 = System.nanoTime();
      Map<String, double[]> d1 = cpu(stack);
      System.out.printf("%nWRITER  drained a backlog of %,d votes: %.1f s from process start, of which %.1f s to the first commit%n",
        backlog, (t1 - started) / 1e9, (t0 - started) / 1e9);
      System.out.printf("  rows/s (first commit to last)   %,.0f%n", (backlog - first) / ((t1 - t0) / 1e9));
      printCpu("  CPU ms per 1,000 votes (drain)", d0, d1, backlog - first);
      if (count(pg, "SELECT count(*) FROM votes WHERE poll_id = " + drainPoll) != backlog) throw new IllegalStateException("rows != backlog");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      stack.down();
    }
  }

  /** @return the benchmark's own database (never the dev stack's) */
  static PgSettings benchDatabase() {
    return PgSettings.fromEnv(System.getenv()).withDatabase("landslide_bench");
  }

  /**
   * @param pg the benchmark's database
   * @return a stack on the benchmark's own ports, directory and a fresh topic of 8 partitions (not started)
   */
  static LocalStack benchStack(PgSettings pg) {
    return benchStack(pg, Map.of());
  }

  /**
   * @param pg  the benchmark's database
   * @param env settings of the stack's processes
   * @return a stack on the benchmark's own ports, directory and a fresh topic of 8 partitions (not started)
   */
  static LocalStack benchStack(PgSettings pg, Map<String, String> env) {
    Path root = LocalStack.root();
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("VOTING_JVM_OPTS", System.getenv().getOrDefault("VOTING_JVM_OPTS", "-Xms1g -Xmx1g -XX:+UseParallelGC"));
    return new LocalStack(new LocalStack.Settings(root, root.resolve(".landslide-bench"), 19092, 18080, 18081, 8,
      "votes.bench." + System.currentTimeMillis(), pg, all));
  }

  /** @return the load generator's Vert.x: one event loop, so it stays light */
  static Vertx loadGenerator() {
    return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
  }

  /** Lets the JIT compile the vote path in every process (HTTP, Kafka, writer) before anything is measured. */
  static void warmUp(LocalStack stack, VoteDriver driver, int warmup, int concurrency) throws Exception {
    int warm = createPoll(stack, "warm-up");
    long[] warmUsers = users(1, warmup);
    driver.run(warm, warmUsers, VoteDriver.bearers(warmUsers), u -> (int) (u % 4), concurrency, false).await(600, TimeUnit.SECONDS);
  }

  static long[] users(long from, int n) {
    long[] u = new long[n];
    for (int i = 0; i < n; i++) u[i] = from + i;
    return u;
  }

  static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }

  static Map<String, double[]> cpu(LocalStack stack) {
    Map<String, double[]> m = new LinkedHashMap<>();
    m.put("edge", stack.pid("edge").map(h -> ProcCpu.ofPid(h.pid(), false)).orElse(new double[2]));
    m.put("writer", stack.pid("writer").map(h -> ProcCpu.ofPid(h.pid(), false)).orElse(new double[2]));
    m.put("broker", stack.pid("kafka/broker").map(h -> ProcCpu.ofPid(h.pid(), false)).orElse(new double[2]));
    m.put("postgres", ProcCpu.byName("postgres"));
    m.put("redis", ProcCpu.byName("redis-server"));
    m.put("load generator", ProcCpu.ofPid(ProcessHandle.current().pid(), false));
    return m;
  }

  static void printCpu(String title, Map<String, double[]> before, Map<String, double[]> after, long votes) {
    System.out.println(title + "   [of which kernel]");
    double sum = 0;
    for (String k : before.keySet()) {
      double user = after.get(k)[0] - before.get(k)[0];
      double sys = after.get(k)[1] - before.get(k)[1];
      if (!k.equals("load generator")) sum += user + sys;
      System.out.printf("    %-15s %8.1f   [%5.1f]%n", k, (user + sys) * 1000.0 / votes, sys * 1000.0 / votes);
    }
    System.out.printf("    %-15s %8.1f   (the system without the load generator)%n", "total", sum * 1000.0 / votes);
  }

  static int createPoll(LocalStack stack, String title) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.edgeUrl() + "/api/v1/polls"))
      .header("Authorization", "Bearer " + DevTokens.dev().admin(1))
      .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"" + title + "\",\"options\":[\"A\",\"B\",\"C\",\"D\"]}")).build(),
      HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new IllegalStateException(r.body());
    return Integer.parseInt(r.body().replaceAll(".*?\"id\":(\\d+).*", "$1"));
  }

  static long total(LocalStack stack, int poll) throws Exception {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create(stack.edgeUrl() + "/api/v1/polls/" + poll + "/results")).build(),
      HttpResponse.BodyHandlers.ofString()).body();
    return Long.parseLong(body.replaceAll(".*\"total\":(\\d+).*", "$1"));
  }

  private static void produce(LocalStack stack, int poll, int n) throws Exception {
    byte[] addr = {127, 0, 0, 1};
    try (var p = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
      ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024),
      new UserKeySerializer(), new VoteEventSerializer())) {
      long now = System.currentTimeMillis();
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(stack.settings().topic(), (long) i + 1, new VoteEvent(poll, i + 1, i % 4, now, Receipt.random(), addr, 0)));
      }
      p.flush();
    }
  }

  static long tallied(PgSettings pg, int poll) throws Exception {
    return count(pg, "SELECT coalesce(sum(count), 0) FROM tallies WHERE poll_id = " + poll);
  }

  static long count(PgSettings pg, String sql) throws Exception {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
