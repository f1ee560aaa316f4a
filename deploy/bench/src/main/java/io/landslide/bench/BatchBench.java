package io.landslide.bench;

import io.landslide.codec.Receipt;
import io.landslide.codec.VoteEvent;
import io.landslide.codec.VoteEventDescriptor;
import io.landslide.infra.Schema;
import io.landslide.runtime.PgSettings;
import io.landslide.writer.store.BatchWriter;
import io.landslide.writer.store.OffsetStore;
import io.landslide.writer.store.WriterConnection;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The writer's batch with the vote log next to without it, on the writer's own {@link BatchWriter} and a real
 * PostgreSQL, without Kafka (a benchmark: it prints figures, asserts nothing but the log's size). The records are
 * built in memory before the clock starts, as a consumer would hand them over (5,000 a batch, eight partitions, one
 * consumer's share each); after two unreported rounds of warm-up, each round writes one poll with its log and one
 * without, in alternating order, and reads
 * the CPU of the writing threads and of every PostgreSQL process. The drain benchmark measures the whole pipeline;
 * this one the part the log changes, with the broker's and the consumer's noise left out.
 *
 * <p>{@code deploy/local/bench.sh batch [votes=500000] [rounds=6] [consumers=2] [batch=5000]}
 */
public final class BatchBench {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean PROCESS =
    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final int PARTITIONS = 8;
  private static final int HASH_PARTITIONS = 4;

  private BatchBench() {
  }

  /** One mode's figures in a round. */
  record Run(boolean log, double seconds, double writerCpuMs, double processCpuMs, double pgCpuMs, double machineMs, long votes,
             Map<String, Double> threads) {
    /** @return this process's CPU-ms in threads of a kind: hash (the log's thread), jit, gc, other */
    double kind(String k) {
      return threads.getOrDefault(k, 0.0);
    }

    double rate() {
      return votes / seconds;
    }

    double perVote(double ms) {
      return ms * 1000.0 / votes;
    }
  }

  /** @param args [votes per mode and round = 500000] [rounds = 6] [consumers = 2] [batch = 5000] */
  public static void main(String[] args) throws Exception {
    int votes = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    int consumers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 5_000;
    PgSettings pg = VoteBench.benchDatabase();
    Schema.ensureDatabase(pg);
    Schema.migrate(pg);
    System.out.printf("landslide batch benchmark: the writer's batches with the vote log next to without it; %,d votes a mode and round,"
      + " %d rounds, %d consumer(s), batches of %,d, database %s%n%n", votes, rounds, consumers, batch, pg.database());
    for (int w = 0; w < 2; w++) { // warm-up, not reported: the JIT compiles both modes' code, PostgreSQL fills its caches
      run(pg, votes, 0, consumers, batch, true);
      run(pg, votes, 0, consumers, batch, false);
    }
    List<Run> on = new ArrayList<>();
    List<Run> off = new ArrayList<>();
    System.out.printf("  %-6s %-44s %-44s %s%n", "round", "without the log", "with the log", "with / without");
    for (int round = 0; round < rounds; round++) {
      boolean first = round % 2 == 0; // alternate which mode goes first
      Run a = run(pg, votes, round, consumers, batch, first);
      Run b = run(pg, votes, round, consumers, batch, !first);
      Run with = first ? a : b;
      Run without = first ? b : a;
      on.add(with);
      off.add(without);
      System.out.printf("  %-6d %-44s %-44s %.3f%n", round + 1, describe(without), describe(with), with.rate() / without.rate());
    }
    double[] ratios = new double[rounds];
    for (int i = 0; i < rounds; i++) ratios[i] = on.get(i).rate() / off.get(i).rate();
    System.out.printf("%n  per vote, medians (without / with the log / the log's part):%n");
    line("the writing threads, CPU-us", off, on, r -> r.perVote(r.writerCpuMs()));
    line("this process (the log's hashing thread, GC), CPU-us", off, on, r -> r.perVote(r.processCpuMs()));
    // The writing threads have ended when they are read: measured above, by the JVM.
    for (String k : List.of("hash", "jit", "gc", "other")) line("  of which " + k + " threads (10 ms ticks)", off, on, r -> r.perVote(r.kind(k)));
    line("PostgreSQL's processes, CPU-us", off, on, r -> r.perVote(r.pgCpuMs()));
    line("the machine, busy-us", off, on, r -> r.perVote(r.machineMs()));
    line("wall time, us", off, on, r -> r.seconds() * 1e6 / r.votes());
    double ratio = DrainBench.median(ratios);
    System.out.printf("%n  median rows/s: without %,.0f, with %,.0f%n", median(off, Run::rate), median(on, Run::rate));
    System.out.printf("  median ratio (with log / without log)   %.3f: the log costs %.1f%% of the batch rate%n", ratio, (1 - ratio) * 100);
  }

  private static String describe(Run r) {
    return String.format("%,9.0f rows/s, cpu us: bench %.2f pg %.2f", r.rate(), r.perVote(r.processCpuMs()), r.perVote(r.pgCpuMs()));
  }

  private static void line(String what, List<Run> off, List<Run> on, java.util.function.ToDoubleFunction<Run> f) {
    double a = median(off, f);
    double b = median(on, f);
    System.out.printf("    %-52s %6.3f / %6.3f / %+6.3f (%.1f%%)%n", what, a, b, b - a, (b - a) / a * 100);
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    return DrainBench.median(runs.stream().mapToDouble(f).toArray());
  }

  /** Writes {@code votes} votes of a new poll (with its log or without), {@code consumers} threads at once. */
  private static Run run(PgSettings pg, int votes, int round, int consumers, int batch, boolean log) throws Exception {
    int poll = newPoll(pg, round, log);
    String topic = "batch-bench-" + UUID.randomUUID();
    String group = "batch-bench";
    // Every record built before the clock starts: the bytes a consumer would hand over, by partition and offset.
    List<List<List<ConsumerRecord<byte[], byte[]>>>> batches = new ArrayList<>();
    long[] nextOffset = new long[PARTITIONS];
    List<List<ConsumerRecord<byte[], byte[]>>> perConsumer = new ArrayList<>();
    for (int c = 0; c < consumers; c++) perConsumer.add(new ArrayList<>());
    long accepted = System.currentTimeMillis();
    byte[] addr = {10, 0, 0, 1};
    for (int i = 0; i < votes; i++) {
      long user = 1L + round * 10_000_000L + (log ? 5_000_000L : 0) + i;
      int partition = (int) (user % PARTITIONS);
      byte[] value = VoteEventDescriptor.encode(new VoteEvent(poll, user, i & 3, accepted + i / 1000, Receipt.random(), addr, 0));
      perConsumer.get(partition % consumers).add(new ConsumerRecord<>(topic, partition, nextOffset[partition]++, null, value));
    }
    for (List<ConsumerRecord<byte[], byte[]>> mine : perConsumer) {
      List<List<ConsumerRecord<byte[], byte[]>>> chunks = new ArrayList<>();
      for (int i = 0; i < mine.size(); i += batch) chunks.add(mine.subList(i, Math.min(mine.size(), i + batch)));
      batches.add(chunks);
    }
    // One connection and one BatchWriter a consumer, as in the writer.
    List<WriterConnection> connections = new ArrayList<>();
    List<BatchWriter> writers = new ArrayList<>();
    List<Map<TopicPartition, Long>> expected = new ArrayList<>();
    for (int c = 0; c < consumers; c++) {
      WriterConnection wc = new WriterConnection(pg);
      OffsetStore offsets = new OffsetStore(wc, group, topic);
      Map<TopicPartition, Long> e = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) if (p % consumers == c) e.put(new TopicPartition(topic, p), offsets.storedOffset(p, 0));
      connections.add(wc);
      writers.add(new BatchWriter(wc, offsets));
      expected.add(e);
    }
    checkpoint(pg);
    double pg0 = ProcCpu.byName("postgres")[0] + ProcCpu.byName("postgres")[1];
    double machine0 = ProcCpu.machineBusy();
    long process0 = PROCESS.getProcessCpuTime();
    Map<String, Double> threads0 = ProcCpu.threadsOf(ProcessHandle.current().pid());
    long[] threadCpu = new long[consumers];
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < consumers; c++) {
      int me = c;
      Thread t = new Thread(() -> {
        try {
          go.await();
          long t0 = CPU.getCurrentThreadCpuTime();
          for (List<ConsumerRecord<byte[], byte[]>> b : batches.get(me)) {
            BatchWriter.Result r = writers.get(me).write(b, expected.get(me));
            expected.get(me).putAll(r.next());
          }
          threadCpu[me] = CPU.getCurrentThreadCpuTime() - t0;
        } catch (Throwable e) {
          failed.compareAndSet(null, e);
        }
      }, "batch-bench-" + c);
      t.start();
      threads.add(t);
    }
    long start = System.nanoTime();
    go.countDown();
    for (Thread t : threads) t.join();
    long end = System.nanoTime();
    double pg1 = ProcCpu.byName("postgres")[0] + ProcCpu.byName("postgres")[1];
    double machine1 = ProcCpu.machineBusy();
    long process1 = PROCESS.getProcessCpuTime();
    Map<String, Double> threads1 = ProcCpu.threadsOf(ProcessHandle.current().pid());
    Map<String, Double> kinds = new HashMap<>();
    threads1.forEach((name, ms) -> kinds.merge(kindOf(name), ms - threads0.getOrDefault(name, 0.0), Double::sum));
    for (WriterConnection wc : connections) wc.close();
    if (failed.get() != null) throw new IllegalStateException("a batch failed", failed.get());
    long counted = VoteBench.count(pg, "SELECT count(*) FROM votes WHERE poll_id = " + poll);
    if (counted != votes) throw new IllegalStateException("poll " + poll + ": " + counted + " votes of " + votes);
    if (log) {
      long size = VoteBench.count(pg, "SELECT size FROM vote_log WHERE poll_id = " + poll);
      if (size != votes) throw new IllegalStateException("poll " + poll + ": vote_log.size " + size + " of " + votes);
    }
    long cpu = 0;
    for (long t : threadCpu) cpu += t;
    return new Run(log, (end - start) / 1e9, cpu / 1e6, (process1 - process0) / 1e6, pg1 - pg0, machine1 - machine0, votes, kinds);
  }

  private static String kindOf(String thread) {
    if (thread.startsWith("vote-log-hash")) return "hash";
    if (thread.contains("CompilerThre")) return "jit";
    if (thread.startsWith("GC Thread") || thread.startsWith("G1") || thread.equals("VM Thread")) return "gc";
    return "other";
  }

  private static int newPoll(PgSettings pg, int round, boolean log) throws Exception {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement()) {
      int id;
      try (ResultSet rs = s.executeQuery("INSERT INTO polls (title, options) VALUES ('batch bench " + round + (log ? " log" : "")
        + "', ARRAY['a','b','c','d']) RETURNING id")) {
        rs.next();
        id = rs.getInt(1);
      }
      s.execute("SELECT landslide_create_vote_partitions(" + id + ", " + HASH_PARTITIONS + ")");
      if (!log) s.execute("DELETE FROM vote_log WHERE poll_id = " + id);
      return id;
    }
  }

  private static void checkpoint(PgSettings pg) throws Exception {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement()) {
      s.execute("CHECKPOINT");
    }
  }
}
