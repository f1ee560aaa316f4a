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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
      int drainPoll = createPoll(stack, "drain");
      Drain d = drain(stack, pg, drainPoll, 1, backlog);
      System.out.printf("%nWRITER  drained a backlog of %,d votes: %.1f s from process start, of which %.1f s to the first commit%n",
        backlog, d.fromStartSeconds(), d.toFirstCommitSeconds());
      System.out.printf("  rows/s (first commit to last)   %,.0f%n", d.rowsPerSecond());
      printCpu("  CPU ms per 1,000 votes (drain)", d.cpu0(), d.cpu1(), d.timedRows());
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

  /**
   * A backlog drained by a writer started after it was produced.
   *
   * @param backlog     the votes produced
   * @param firstRows   the rows counted when the first commit was seen (not timed)
   * @param startNanos  when the writer process was started
   * @param firstNanos  when its first commit was seen
   * @param lastNanos   when the last row was counted
   * @param cpu0        CPU of each process at the first commit ({@link #cpu})
   * @param cpu1        ... at the last row
   * @param machine0    the machine's busy CPU-ms at the first commit ({@link ProcCpu#machineBusy})
   * @param machine1    ... at the last row
   * @param writer0     the writer's CPU-ms per kind of thread at the first commit ({@link ProcCpu#threadsOf})
   * @param writer1     ... at the last row
   */
  record Drain(int backlog, long firstRows, long startNanos, long firstNanos, long lastNanos, Map<String, double[]> cpu0,
               Map<String, double[]> cpu1, double machine0, double machine1, Map<String, Double> writer0, Map<String, Double> writer1) {
    /** @return the rows timed: all but those of the first commit */
    long timedRows() {
      return backlog - firstRows;
    }

    /** @return rows/s from the first commit to the last row */
    double rowsPerSecond() {
      return timedRows() / ((lastNanos - firstNanos) / 1e9);
    }

    /** @return seconds from the process start to the last row */
    double fromStartSeconds() {
      return (lastNanos - startNanos) / 1e9;
    }

    /** @return seconds from the process start to the first commit */
    double toFirstCommitSeconds() {
      return (firstNanos - startNanos) / 1e9;
    }

    /** @return the share of the machine's CPU (all cores) used from the first commit to the last row */
    double machineShare() {
      return (machine1 - machine0) / ((lastNanos - firstNanos) / 1e6) / Runtime.getRuntime().availableProcessors();
    }

    /** @return the share of the machine's CPU used meanwhile by processes that are neither the stack nor the benchmark */
    double othersShare() {
      double ours = 0;
      for (String k : cpu0.keySet()) ours += cpu1.get(k)[0] + cpu1.get(k)[1] - cpu0.get(k)[0] - cpu0.get(k)[1];
      return Math.max(0, machine1 - machine0 - ours) / ((lastNanos - firstNanos) / 1e6) / Runtime.getRuntime().availableProcessors();
    }

    /** @return the writer's CPU-ms per 1,000 timed rows per kind of thread, the dearest first */
    Map<String, Double> writerThreadsPerThousand() {
      Map<String, Double> out = new LinkedHashMap<>();
      writer1.entrySet().stream().map(e -> Map.entry(e.getKey(), (e.getValue() - writer0.getOrDefault(e.getKey(), 0.0)) * 1000.0 / timedRows()))
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    }

    /** @return CPU-ms (user + kernel) of one process of {@link #cpu} per 1,000 timed rows */
    double cpuPerThousand(String process) {
      return (cpu1.get(process)[0] + cpu1.get(process)[1] - cpu0.get(process)[0] - cpu0.get(process)[1]) * 1000.0 / timedRows();
    }
  }

  /**
   * The writer draining a backlog: stops it, produces {@code backlog} votes for {@code poll} straight to Kafka, starts
   * it, and times from its first commit until the poll's tallies count every vote. Checks that every vote is a row.
   *
   * @param stack     the stack (its writer is stopped and started again)
   * @param pg        its database
   * @param poll      the poll the votes are for
   * @param firstUser the first voter's id (then one each, in order)
   * @param backlog   the votes
   * @return the timings and CPU
   */
  static Drain drain(LocalStack stack, PgSettings pg, int poll, long firstUser, int backlog) throws Exception {
    return drain(stack, pg, poll, firstUser, backlog, false);
  }

  /**
   * @param warm keep the writer's process (and its compiled code) across drains: it is paused ({@code SIGSTOP}) while
   *             the backlog is produced and resumed ({@code SIGCONT}), rather than stopped and started: the steady state
   *             of a writer that has run for a while, where a cold drain also pays the JIT's start-up compilations
   */
  static Drain drain(LocalStack stack, PgSettings pg, int poll, long firstUser, int backlog, boolean warm) throws Exception {
    Optional<ProcessHandle> running = stack.pid("writer");
    boolean paused = warm && running.isPresent();
    if (paused) signal("STOP", running.get().pid());
    else stack.stop("writer");
    produce(stack, poll, firstUser, backlog);
    try (Connection c = Schema.connect(pg);
         PreparedStatement tallied = c.prepareStatement("SELECT coalesce(sum(count), 0) FROM tallies WHERE poll_id = ?")) {
      tallied.setInt(1, poll);
      long started = System.nanoTime();
      long writerPid;
      if (paused) {
        writerPid = running.get().pid();
        signal("CONT", writerPid);
      } else {
        writerPid = stack.startWriter().pid();
      }
      long first;
      while ((first = single(tallied)) == 0) {
        awaitWriter(stack);
        Thread.sleep(5);
      }
      long t0 = System.nanoTime();
      double m0 = ProcCpu.machineBusy();
      Map<String, Double> w0 = ProcCpu.threadsOf(writerPid);
      Map<String, double[]> d0 = cpu(stack);
      long rows;
      while ((rows = single(tallied)) < backlog) {
        awaitWriter(stack);
        Thread.sleep(5);
      }
      long t1 = System.nanoTime();
      double m1 = ProcCpu.machineBusy();
      Map<String, Double> w1 = ProcCpu.threadsOf(writerPid);
      Map<String, double[]> d1 = cpu(stack);
      if (rows != backlog || count(pg, "SELECT count(*) FROM votes WHERE poll_id = " + poll) != backlog) {
        throw new IllegalStateException("poll " + poll + ": " + rows + " counted, backlog " + backlog);
      }
      return new Drain(backlog, first, started, t0, t1, d0, d1, m0, m1, w0, w1);
    }
  }

  private static void signal(String signal, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    if (p.waitFor() != 0) throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
  }

  private static void awaitWriter(LocalStack stack) {
    if (stack.pid("writer").isEmpty()) throw new IllegalStateException("the writer exited during the drain:\n" + stack.tail("writer"));
  }

  private static long single(PreparedStatement ps) throws Exception {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Produces votes straight to the stack's topic (acks all), as the edge would: voters {@code firstUser} on, option
   * {@code i % 4} for the i-th, a fresh receipt each.
   */
  static void produce(LocalStack stack, int poll, long firstUser, int n) throws Exception {
    byte[] addr = {127, 0, 0, 1};
    try (var p = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
      ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024),
      new UserKeySerializer(), new VoteEventSerializer())) {
      long now = System.currentTimeMillis();
      for (int i = 0; i < n; i++) {
        long user = firstUser + i;
        p.send(new ProducerRecord<>(stack.settings().topic(), user, new VoteEvent(poll, user, i % 4, now, Receipt.random(), addr, 0)));
      }
      p.flush();
    }
  }

  static long count(PgSettings pg, String sql) throws Exception {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
