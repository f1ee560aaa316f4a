package io.landslide.bench;

import io.landslide.codec.Receipt;
import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.Frontier;
import io.landslide.codec.tlog.Proofs;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.MessageDigest;
import java.util.List;

/**
 * The CPU the verifiable log costs a vote (a benchmark: it prints figures, asserts nothing), on the classes the writer
 * will use: a receipt from the secure generator, the entry (its receipt commitment), the leaf hash, the frontier
 * append, the writer's path (all three, nothing allocated); then per batch the root, per second a signed checkpoint,
 * and per voter's check an inclusion proof. Each step
 * warms up, then is timed in this thread's CPU time. Run with {@code deploy/local/bench.sh log [votes=1000000]}.
 */
public final class LogBench {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private LogBench() {
  }

  /** @param args [votes = 1000000] */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    MessageDigest sha = TreeHash.sha256();
    System.out.printf("landslide vote-log benchmark: %,d votes, CPU time of one thread%n%n", n);
    Receipt[] receipts = new Receipt[n];
    for (int i = 0; i < n; i++) receipts[i] = Receipt.random();
    byte[][] entries = new byte[n][];
    byte[][] leaves = new byte[n][];

    per("receipt from the per-thread DRBG (the edge, per vote)", n, i -> Receipt.random());
    per("entry: the receipt's commitment and the 38 bytes", n, i -> entries[i] = VoteEntry.of(sha, 42, i & 3, receipts[i]).bytes());
    per("leaf hash of the entry", n, i -> leaves[i] = TreeHash.leaf(sha, entries[i]));
    long[] appended = new long[1];
    Frontier[] tree = {new Frontier()};
    per("frontier append (about one node hash a vote)", n, i -> {
      if (i == 0) tree[0] = new Frontier();
      tree[0].append(sha, leaves[i]);
      appended[0]++;
    });
    Frontier all = tree[0];
    per("all three: entry, leaf, append (the writer, per vote)", n, i -> {
      if (i == 0) tree[0] = new Frontier();
      tree[0].append(sha, TreeHash.leaf(sha, VoteEntry.of(sha, 42, i & 3, receipts[i]).bytes()));
    });
    byte[] chunk = new byte[256 * VoteEntry.SIZE];
    byte[] leafInput = new byte[1 + VoteEntry.SIZE];
    byte[] leafHash = new byte[TreeHash.SIZE];
    per("the writer's path: all three in place, nothing allocated", n, i -> {
      if (i == 0) tree[0] = new Frontier();
      int at = (i & 255) * VoteEntry.SIZE;
      VoteEntry.write(sha, 42, i & 3, receipts[i].hi(), receipts[i].lo(), chunk, at);
      TreeHash.leaf(sha, leafInput, chunk, at, VoteEntry.SIZE, leafHash, 0);
      tree[0].append(sha, leafHash, 0, (level, index, buf, off) -> { });
    });
    per("the edge: encode the vote's event (version 1, no commitment)", n,
      i -> io.landslide.codec.VoteEventDescriptor.encode(new io.landslide.codec.VoteEvent(42, i + 1L, i & 3, 0, receipts[i], new byte[4], 0)));
    int roots = Math.max(1, n / 1000);
    per("the root, once per batch (amortised over 1,000 votes)", roots, i -> all.root(sha));

    SignedNote.Signer key = SignedNote.Signer.generate("bench.example/log/poll/42");
    byte[] root = all.root(sha);
    int sigs = 2_000;
    per("a signed checkpoint (Ed25519), once a second per poll", sigs,
      i -> SignedNote.sign(new Checkpoint("bench.example/log/poll/42", all.size(), root, List.of()).text(), key));

    // A proof from the hashes kept in memory, as tiles would give them.
    Proofs.HashReader reader = Proofs.inMemory(sha, java.util.Arrays.asList(leaves));
    int proofs = 100_000;
    per("an inclusion proof, made and verified (a voter's check)", proofs, i -> {
      long index = (i * 7919L) % n;
      try {
        Proofs.verifyInclusion(sha, index, n, leaves[(int) index], Proofs.inclusion(reader, sha, index, n), root);
      } catch (Proofs.ProofException e) {
        throw new IllegalStateException(e);
      }
    });
    System.out.printf("%n(root of %,d votes: %s)%n", n, java.util.HexFormat.of().formatHex(root, 0, 8));
  }

  private static void per(String what, int n, java.util.function.IntConsumer step) {
    for (int round = 0; round < 2; round++) for (int i = 0; i < n; i++) step.accept(i);
    long t0 = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) step.accept(i);
    long t1 = CPU.getCurrentThreadCpuTime();
    System.out.printf("  %-58s %8.3f CPU-us each%n", what, (t1 - t0) / 1e3 / n);
  }
}
