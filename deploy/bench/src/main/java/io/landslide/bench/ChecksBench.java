package io.landslide.bench;

import static io.landslide.bench.VoteBench.users;

import io.landslide.local.LocalStack;
import io.landslide.local.VoteDriver;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the checks of issue 11 cost the edge's vote path, in one run (a benchmark: it prints figures): the edge built
 * from this tree next to an edge built from the commit before them, on one stack (one broker, one writer, one
 * database), both with the same settings, voting in turns: now, before; before, now; ... each phase a fresh poll and
 * fresh voters. Arguments: {@code <the earlier build's root> [votes=200000] [concurrency=256] [rounds=2]
 * [warmup=100000]}; {@code deploy/local/bench.sh checks} builds that earlier tree first.
 */
public final class ChecksBench {
  private static final int BEFORE_PORT = 18082;

  private ChecksBench() {
  }

  /** @param args the earlier build, votes, concurrency, rounds, warm-up */
  public static void main(String[] args) throws Exception {
    Path before = Path.of(args[0]).toAbsolutePath();
    int votes = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 100_000;
    if (!Files.exists(before.resolve("edge-verticles/target/runtime.classpath"))) throw new IllegalArgumentException(before + " is not built");
    LocalStack stack = VoteBench.benchStack(VoteBench.benchDatabase(), Map.of("VOTING_RATE_USER", "0"));
    System.out.printf("landslide checks benchmark: the edge now next to the edge of %s; %,d votes a phase at concurrency %d, %d rounds,"
      + " warm-up %,d; %d cores%n", before, votes, concurrency, rounds, warmup, Runtime.getRuntime().availableProcessors());
    stack.up();
    LocalStack.Settings s = stack.settings();
    LocalStack earlier = new LocalStack(new LocalStack.Settings(before, s.dir(), s.kafkaPort(), s.edgePort(), s.writerPort(), s.partitions(),
      s.topic(), s.pg(), s.env(), s.externalKafka(), s.cluster()));
    earlier.startEdge("edge-before", BEFORE_PORT);
    earlier.awaitReady("edge-before", "http://localhost:" + BEFORE_PORT + "/health/ready");
    Vertx vertx = VoteBench.loadGenerator();
    List<double[]> ratios = new ArrayList<>();
    try {
      VoteDriver now = new VoteDriver(vertx, "localhost", s.edgePort(), concurrency);
      VoteDriver then = new VoteDriver(vertx, "localhost", BEFORE_PORT, concurrency);
      long next = 1;
      long[] warm = users(next, warmup);
      next += warmup;
      DefendedBench.phase(stack, now, "edge", DefendedBench.poll(stack, "warm now", 0), warm, concurrency, null);
      DefendedBench.phase(stack, then, "edge-before", DefendedBench.poll(stack, "warm before", 0), warm, concurrency, null);
      for (int round = 1; round <= rounds; round++) {
        boolean nowFirst = round % 2 == 1;
        DefendedBench.Phase a = null;
        DefendedBench.Phase b = null;
        for (boolean isNow : new boolean[] {nowFirst, !nowFirst}) {
          long[] voters = users(next, votes);
          next += votes;
          String title = "round " + round + ", " + (isNow ? "NOW (with issue 11's checks)" : "BEFORE (" + before.getFileName() + ")");
          DefendedBench.Phase p = DefendedBench.phase(stack, isNow ? now : then, isNow ? "edge" : "edge-before",
            DefendedBench.poll(stack, title, 0), voters, concurrency, title);
          if (isNow) a = p;
          else b = p;
        }
        ratios.add(new double[] {a.perSecond() / b.perSecond(), a.edgeCpuUs(), b.edgeCpuUs()});
      }
      now.close();
      then.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      earlier.stop("edge-before");
      stack.down();
    }
    System.out.printf("%nSUMMARY  accepted votes/s now / before, and the edge's CPU-us per vote (now / before), per round%n");
    double[] r = new double[ratios.size()];
    for (int i = 0; i < ratios.size(); i++) {
      r[i] = ratios.get(i)[0];
      System.out.printf("  round %d   %.3f   (%.1f / %.1f CPU-us)%n", i + 1, ratios.get(i)[0], ratios.get(i)[1], ratios.get(i)[2]);
    }
    double median = DrainBench.median(r);
    System.out.printf("  median %.3f: the checks cost %.1f%% of the edge's accepted votes/s (target: within 5%%)%n", median, 100 * (1 - median));
  }
}
