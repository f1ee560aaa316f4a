package io.landslide.bench;

import io.landslide.infra.Schema;
import io.landslide.local.LocalStack;
import io.landslide.runtime.PgSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the verifiable vote log costs the writer's backlog drain (a benchmark: it prints figures): on one stack of its
 * own, backlogs of the same size and option mix, each for a fresh poll and fresh users, drained by a writer started
 * after they were produced ({@link VoteBench#drain}). Every round drains one poll without a log (its {@code vote_log}
 * row deleted right after the poll was created, as a poll from before the log is written) and one with it, in
 * alternating order (off, on; then on, off; ...) so the drift of a shared machine falls on both. After each drain with
 * the log, checks that the log holds every vote and was checkpointed. The polls are created first, through the edge,
 * which is then stopped: each restarted writer forms its cluster alone instead of joining the edge's during its drain.
 * A drain during which other processes took over 5 % of the machine is flagged, and its round left out of a second,
 * quiet-only median.
 *
 * <p>Arguments: {@code [backlog=500000] [rounds=2] [warmup=100000]}; the warm-up is one drain with the log, not
 * reported (PostgreSQL's and the broker's caches, the new tables' first pages).
 */
public final class DrainBench {
  /** Whether the drains share one writer process ({@code warm}). */
  private static boolean WARM;

  private DrainBench() {
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** The size of the log's tables, with their TOAST and indexes. */
  private static final String LOG_BYTES = "SELECT sum(pg_total_relation_size(t))::bigint FROM unnest(ARRAY['vote_log', 'log_entries', 'log_order',"
    + " 'log_nodes', 'log_runs', 'log_checkpoints']::regclass[]) AS t";
  /** The share of the machine other processes may take during a drain before its round is flagged (and left out of the quiet median). */
  private static final double OTHERS_MAX = 0.05;

  /**
   * One drain: the mode, and what it measured.
   *
   * @param batches   the writer's batches (from its {@code /metrics}: it started for this drain)
   * @param batchMean their mean size, votes
   * @param txMeanMs  the mean time of a batch's write, its transaction's commit included, ms
   * @param wal       WAL bytes a vote, the whole drain (from a fresh checkpoint: full-page images included)
   * @param logBytes  bytes a vote the log's tables grew by (tables, TOAST, indexes)
   * @param checked   what the log check found (with the log)
   */
  private record Run(int round, boolean log, int poll, VoteBench.Drain drain, long batches, double batchMean, double txMeanMs,
                     double wal, double logBytes, String checked) {
  }

  /** @param args backlog, rounds, warm-up */
  public static void main(String[] args) throws Exception {
    int backlog = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    boolean warm = args.length > 3 && args[3].equals("warm");
    if (args.length > 3 && !warm && !args[3].equals("cold")) throw new IllegalArgumentException("the fourth argument is warm or cold");
    WARM = warm;
    if (backlog < 1 || rounds < 1 || warmup < 0) throw new IllegalArgumentException("backlog and rounds at least 1, warm-up not negative");
    PgSettings pg = VoteBench.benchDatabase();
    LocalStack stack = VoteBench.benchStack(pg);
    System.out.printf("landslide drain benchmark: the writer's drain with the vote log next to without it; backlog %,d, %d rounds,"
      + " warm-up %,d; %d cores; %s%n", backlog, rounds, warmup, Runtime.getRuntime().availableProcessors(),
      warm ? "warm: one writer process throughout, paused while each backlog is produced" : "cold: a writer process started for each drain");
    stack.up();
    long[] nextUser = {1};
    List<Run> runs = new ArrayList<>();
    try {
      // Every poll first, through the edge; then the edge stops. With it up, each restarted writer joins the edge's
      // cluster, and the join (partition migrations on both sides) overlapped every other drain, costing a fifth of
      // the machine there: alone, a writer forms its cluster by itself and the drains differ only in the log.
      int warmPoll = warmup > 0 ? poll(stack, pg, 0, true) : 0;
      int[][] polls = new int[rounds + 1][2]; // [round][log ? 1 : 0]
      for (int round = 1; round <= rounds; round++) {
        boolean logFirst = round % 2 == 0;
        polls[round][logFirst ? 1 : 0] = poll(stack, pg, round, logFirst);
        polls[round][logFirst ? 0 : 1] = poll(stack, pg, round, !logFirst);
      }
      stack.stop("edge");
      if (warmup > 0) {
        Run w = drain(stack, pg, 0, true, warmPoll, warmup, nextUser);
        System.out.printf("%nwarm-up (with the log, not reported): %,d votes, %,.0f rows/s; %s%n", warmup, w.drain().rowsPerSecond(),
          w.checked());
      }
      for (int round = 1; round <= rounds; round++) {
        boolean logFirst = round % 2 == 0; // off, on; on, off; ...
        for (boolean log : new boolean[] {logFirst, !logFirst}) {
          Run r = drain(stack, pg, round, log, polls[round][log ? 1 : 0], backlog, nextUser);
          runs.add(r);
          VoteBench.Drain d = r.drain();
          System.out.printf("%nround %d, %s: poll %d, %,d votes: %.1f s from process start, %.1f s to the first commit%n", round,
            mode(log), r.poll(), backlog, d.fromStartSeconds(), d.toFirstCommitSeconds());
          System.out.printf("  rows/s (first commit to last)   %,.0f   (%,d rows timed)%n", d.rowsPerSecond(), d.timedRows());
          System.out.printf("  machine busy %.0f %% of its cores, %.0f %% of them by processes outside the stack%n", d.machineShare() * 100,
            d.othersShare() * 100);
          System.out.printf("  writer: %,d batches, %,.0f votes each on average, %.1f ms a batch transaction on average%n",
            r.batches(), r.batchMean(), r.txMeanMs());
          System.out.printf("  PostgreSQL: %.0f WAL bytes a vote; the log's tables grew %.1f bytes a vote%n", r.wal(), r.logBytes());
          VoteBench.printCpu("  CPU ms per 1,000 votes (drain)", d.cpu0(), d.cpu1(), d.timedRows());
          System.out.println("  the writer's CPU ms per 1,000 votes by thread: " + threads(d));
          if (log) System.out.println("  " + r.checked());
        }
      }
    } finally {
      stack.down();
    }
    report(runs, rounds, backlog);
  }

  /** @return a new poll, with its log or (its {@code vote_log} row deleted right after) without */
  private static int poll(LocalStack stack, PgSettings pg, int round, boolean log) throws Exception {
    int poll = VoteBench.createPoll(stack, "drain " + round + " " + mode(log));
    if (!log) execute(pg, "DELETE FROM vote_log WHERE poll_id = " + poll);
    if (VoteBench.count(pg, "SELECT count(*) FROM vote_log WHERE poll_id = " + poll) != (log ? 1 : 0)) {
      throw new IllegalStateException("poll " + poll + ": vote_log row " + (log ? "missing" : "still there"));
    }
    return poll;
  }

  private static Run drain(LocalStack stack, PgSettings pg, int round, boolean log, int poll, int backlog, long[] nextUser) throws Exception {
    checkpoint(pg);
    long firstUser = nextUser[0];
    nextUser[0] += backlog;
    long wal0 = VoteBench.count(pg, "SELECT pg_current_wal_lsn() - '0/0'");
    long logBytes0 = VoteBench.count(pg, LOG_BYTES);
    // A warm writer's counters run on from the drains before: this drain's are the difference.
    Map<String, Double> m0 = WARM && stack.pid("writer").isPresent() ? writerMetrics(stack) : Map.of();
    VoteBench.Drain d = VoteBench.drain(stack, pg, poll, firstUser, backlog, WARM);
    double walPerVote = (VoteBench.count(pg, "SELECT pg_current_wal_lsn() - '0/0'") - wal0) / (double) backlog;
    double logPerVote = (VoteBench.count(pg, LOG_BYTES) - logBytes0) / (double) backlog;
    Map<String, Double> m = writerMetrics(stack);
    java.util.function.ToDoubleFunction<String> delta = k -> m.getOrDefault(k, 0.0) - m0.getOrDefault(k, 0.0);
    long batches = Math.round(delta.applyAsDouble("landslide_writer_batch_size_count"));
    double batchMean = delta.applyAsDouble("landslide_writer_batch_size_sum") / Math.max(1, batches);
    double txMeanMs = delta.applyAsDouble("landslide_writer_commit_seconds_sum") * 1000 / Math.max(1, batches);
    String checked = "";
    if (log) checked = checkLog(pg, poll, backlog);
    else if (VoteBench.count(pg, "SELECT count(*) FROM log_checkpoints WHERE poll_id = " + poll) != 0) {
      throw new IllegalStateException("poll " + poll + " has no log but has checkpoints");
    }
    return new Run(round, log, poll, d, batches, batchMean, txMeanMs, walPerVote, logPerVote, checked);
  }

  /** @return the writer's counters and sums (Prometheus text: name, no labels, value) */
  private static Map<String, Double> writerMetrics(LocalStack stack) throws Exception {
    // With a deadline, and a second try: once, a request on a connection pooled from the writer of the drain before
    // (killed since) never got an answer, and the benchmark waited for ever.
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + stack.settings().writerPort() + "/metrics"))
      .timeout(java.time.Duration.ofSeconds(10)).build();
    String body;
    try {
      body = HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (java.net.http.HttpTimeoutException e) {
      body = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
    Map<String, Double> out = new HashMap<>();
    for (String line : body.split("\n")) {
      if (line.startsWith("#")) continue;
      int sp = line.lastIndexOf(' ');
      if (sp < 0) continue;
      String name = line.substring(0, sp);
      int brace = name.indexOf('{');
      if (brace >= 0) name = name.substring(0, brace);
      try {
        out.merge(name, Double.parseDouble(line.substring(sp + 1)), Double::sum);
      } catch (NumberFormatException ignored) {
        // not a sample
      }
    }
    return out;
  }

  /**
   * Fails loudly unless the poll's log holds every vote, in its head and its entries, and has a checkpoint.
   *
   * @return what it found
   */
  private static String checkLog(PgSettings pg, int poll, int backlog) throws Exception {
    long size = VoteBench.count(pg, "SELECT coalesce((SELECT size FROM vote_log WHERE poll_id = " + poll + "), -1)");
    if (size != backlog) throw new IllegalStateException("poll " + poll + ": vote_log.size " + size + ", backlog " + backlog + ": the log is incomplete");
    long entries = VoteBench.count(pg, "SELECT coalesce(sum(octet_length(users)), 0) / 4 FROM log_order WHERE poll_id = " + poll);
    if (entries != backlog) throw new IllegalStateException("poll " + poll + ": " + entries + " leaves in log_order, backlog " + backlog);
    long runs = VoteBench.count(pg, "SELECT coalesce(sum(count), 0) FROM log_runs WHERE poll_id = " + poll);
    if (runs != backlog) throw new IllegalStateException("poll " + poll + ": log_runs cover " + runs + " votes, backlog " + backlog);
    // The writer signs the committed head between batches, at most every 500 ms: the last one a moment after the drain.
    long deadline = System.nanoTime() + 10_000_000_000L;
    long signedSize;
    while ((signedSize = VoteBench.count(pg, "SELECT coalesce(max(size), 0) FROM log_checkpoints WHERE poll_id = " + poll)) < backlog
      && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    long checkpoints = VoteBench.count(pg, "SELECT count(*) FROM log_checkpoints WHERE poll_id = " + poll);
    if (checkpoints == 0) throw new IllegalStateException("poll " + poll + ": no checkpoint in log_checkpoints");
    if (signedSize != backlog) {
      throw new IllegalStateException("poll " + poll + ": latest checkpoint at size " + signedSize + " 10 s after the drain, backlog " + backlog);
    }
    return String.format("log complete: size %,d = backlog, %,d entries, runs cover %,d, %d checkpoints (latest at %,d)", size,
      entries, runs, checkpoints, signedSize);
  }

  private static void report(List<Run> runs, int rounds, int backlog) {
    System.out.printf("%nSUMMARY  writer drain, %,d votes a backlog, rows/s from the first commit to the last;"
      + " CPU-ms per 1,000 votes (writer / PostgreSQL) in brackets%n", backlog);
    System.out.printf("  %-6s %-28s %-28s %s%n", "round", "without the log", "with the log", "with / without");
    double[] ratios = new double[rounds];
    double[] off = new double[rounds];
    double[] on = new double[rounds];
    for (int round = 1; round <= rounds; round++) {
      Run a = find(runs, round, false);
      Run b = find(runs, round, true);
      off[round - 1] = a.drain().rowsPerSecond();
      on[round - 1] = b.drain().rowsPerSecond();
      ratios[round - 1] = on[round - 1] / off[round - 1];
      String order = runs.indexOf(a) < runs.indexOf(b) ? "off, on" : "on, off";
      boolean busy = busy(a) || busy(b);
      System.out.printf("  %-6s %-28s %-28s %.3f   (%s)%s%n", round + (busy ? "*" : ""), cell(a), cell(b), ratios[round - 1], order,
        busy ? "   * other processes took over " + Math.round(OTHERS_MAX * 100) + " % of the machine" : "");
    }
    System.out.printf("  machine busy / of which outside the stack, %% of its cores:%n");
    for (int round = 1; round <= rounds; round++) {
      Run a = find(runs, round, false);
      Run b = find(runs, round, true);
      System.out.printf("  %-6s %-28s %-28s%n", round, machineCell(a), machineCell(b));
    }
    System.out.printf("  batches of the writer (count, mean votes, mean ms a transaction):%n");
    for (int round = 1; round <= rounds; round++) {
      Run a = find(runs, round, false);
      Run b = find(runs, round, true);
      System.out.printf("  %-6s %-28s %-28s%n", round, batchCell(a), batchCell(b));
    }
    System.out.printf("  PostgreSQL, median (without / with the log): WAL %.0f / %.0f bytes a vote; the log's tables %.1f / %.1f bytes a vote%n",
      median(runs.stream().filter(r -> !r.log()).mapToDouble(Run::wal).toArray()), median(runs.stream().filter(Run::log).mapToDouble(Run::wal).toArray()),
      median(runs.stream().filter(r -> !r.log()).mapToDouble(Run::logBytes).toArray()),
      median(runs.stream().filter(Run::log).mapToDouble(Run::logBytes).toArray()));
    System.out.printf("  the writer's CPU-ms per 1,000 votes by thread, median (without / with the log):%n");
    for (String kind : new String[] {"worker", "jit", "gc", "hazelcast", "other"}) {
      double[] a = runs.stream().filter(r -> !r.log()).mapToDouble(r -> threadKind(r.drain(), kind)).toArray();
      double[] b = runs.stream().filter(Run::log).mapToDouble(r -> threadKind(r.drain(), kind)).toArray();
      System.out.printf("    %-10s %5.2f / %5.2f%n", kind, median(a), median(b));
    }
    double ratio = median(ratios);
    System.out.printf("  median rows/s: without %,.0f, with %,.0f%n", median(off), median(on));
    System.out.printf("  median ratio (with log / without log)   %.3f%n", ratio);
    System.out.printf("  the log's cost to the drain             %.1f %%   (target: under 10 %%)%n", (1 - ratio) * 100);
    double[] quiet = new double[rounds];
    int q = 0;
    for (int round = 1; round <= rounds; round++) {
      if (!busy(find(runs, round, false)) && !busy(find(runs, round, true))) quiet[q++] = ratios[round - 1];
    }
    if (q < rounds) {
      if (q == 0) {
        System.out.printf("  no round ran on a quiet machine: the figures above measure the machine's other load as much as the log%n");
      } else {
        double r = median(Arrays.copyOf(quiet, q));
        System.out.printf("  over the %d rounds on a quiet machine only: median ratio %.3f, the log's cost %.1f %%%n", q, r, (1 - r) * 100);
      }
    }
  }

  private static String cell(Run r) {
    VoteBench.Drain d = r.drain();
    return String.format("%,9.0f (%5.2f / %5.2f)", d.rowsPerSecond(), d.cpuPerThousand("writer"), d.cpuPerThousand("postgres"));
  }

  /** @return the writer's dearest kinds of thread, CPU-ms per 1,000 votes (the rest summed) */
  private static String threads(VoteBench.Drain d) {
    StringBuilder out = new StringBuilder();
    double rest = 0;
    int i = 0;
    for (var e : d.writerThreadsPerThousand().entrySet()) {
      if (i++ < 5) out.append(String.format("%s %.2f, ", e.getKey(), e.getValue()));
      else rest += e.getValue();
    }
    return out.append(String.format("other %.2f", rest)).toString();
  }

  /**
   * @param kind worker (the Vert.x worker threads: consume, encode, log, JDBC), jit (C1 and C2), gc (GC and VM threads),
   *             hazelcast (the cluster's threads), other
   * @return the writer's CPU-ms per 1,000 votes in threads of that kind
   */
  private static double threadKind(VoteBench.Drain d, String kind) {
    double sum = 0;
    for (var e : d.writerThreadsPerThousand().entrySet()) {
      String n = e.getKey();
      String k = n.startsWith("vert.x-worker") ? "worker" : n.contains("CompilerThre") ? "jit"
        : n.startsWith("GC Thread") || n.equals("VM Thread") ? "gc" : n.startsWith("hz.") ? "hazelcast" : "other";
      if (k.equals(kind)) sum += e.getValue();
    }
    return sum;
  }

  /** @return whether other processes took a share of the machine that makes the drain's figures doubtful */
  private static boolean busy(Run r) {
    return r.drain().othersShare() > OTHERS_MAX;
  }

  private static String machineCell(Run r) {
    return String.format("%5.0f %% / %3.0f %%", r.drain().machineShare() * 100, r.drain().othersShare() * 100);
  }

  private static String batchCell(Run r) {
    return String.format("%5d x %,6.0f, %6.1f ms", r.batches(), r.batchMean(), r.txMeanMs());
  }

  private static Run find(List<Run> runs, int round, boolean log) {
    return runs.stream().filter(r -> r.round() == round && r.log() == log).findFirst().orElseThrow();
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static String mode(boolean log) {
    return log ? "with the log" : "without the log";
  }

  /** Starts each drain from a clean PostgreSQL checkpoint, so no drain pays for the previous one's dirty pages (superuser only). */
  private static void checkpoint(PgSettings pg) throws SQLException {
    try {
      execute(pg, "CHECKPOINT");
    } catch (SQLException e) {
      if (!"42501".equals(e.getSQLState())) throw e; // not allowed: drift is left to the alternation
    }
  }

  private static void execute(PgSettings pg, String sql) throws SQLException {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
