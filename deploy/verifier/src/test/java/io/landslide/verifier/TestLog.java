package io.landslide.verifier;

import io.landslide.codec.Receipt;
import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.Frontier;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TilePath;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A poll's log made here as the writer appends it and the signer signs it: its entries, the receipts and the counts
 * behind them, its signed checkpoints and result, its bundle as the export writes it, and its entry tiles as the edge
 * serves them. The fixture of the verifier's tests.
 */
final class TestLog {
  final int poll;
  final String origin;
  final SignedNote.Signer key;
  final byte[] entries;
  final List<Receipt> receipts;
  final long[] counts;
  private final MessageDigest sha = TreeHash.sha256();

  private TestLog(int poll, String origin, SignedNote.Signer key, byte[] entries, List<Receipt> receipts, long[] counts) {
    this.poll = poll;
    this.origin = origin;
    this.key = key;
    this.entries = entries;
    this.receipts = receipts;
    this.counts = counts;
  }

  /**
   * @param votes   the votes counted
   * @param poll    their poll
   * @param options its options: each vote's is drawn at random (seeded)
   * @param key     the log's key
   * @param origin  the origin of its checkpoints
   * @return the log
   */
  static TestLog of(int votes, int poll, int options, SignedNote.Signer key, String origin) {
    MessageDigest sha = TreeHash.sha256();
    Random random = new Random(7);
    List<Receipt> receipts = new ArrayList<>(votes);
    long[] counts = new long[options];
    ByteArrayOutputStream out = new ByteArrayOutputStream(votes * VoteEntry.SIZE);
    for (int i = 0; i < votes; i++) {
      Receipt r = Receipt.random();
      int option = random.nextInt(options);
      counts[option]++;
      receipts.add(r);
      out.writeBytes(VoteEntry.of(sha, poll, option, r).bytes());
    }
    return new TestLog(poll, origin, key, out.toByteArray(), receipts, counts);
  }

  int size() {
    return entries.length / VoteEntry.SIZE;
  }

  /** @return the root of the first {@code size} entries */
  byte[] root(long size) {
    Frontier tree = new Frontier();
    for (int i = 0; i < size; i++) tree.append(sha, leaf(i));
    return tree.root(sha);
  }

  /** @return the signed checkpoint of the first {@code size} entries */
  String checkpoint(long size) {
    return SignedNote.sign(new Checkpoint(origin, size, root(size), List.of()).text(), key);
  }

  /** @return the signed result: of all the entries, and their counts */
  String result() {
    return SignedNote.sign(resultText(origin, size(), root(size()), counts), key);
  }

  /** @return the text of a result: a checkpoint whose lines are "result", then "option count" per option */
  static String resultText(String origin, long size, byte[] root, long[] counts) {
    List<String> ext = new ArrayList<>(List.of(Bundle.RESULT_LINE));
    for (int o = 0; o < counts.length; o++) ext.add(o + " " + counts[o]);
    return new Checkpoint(origin, size, root, ext).text();
  }

  /** @return "option 0: n, option 1: m, ...", as the report states a recount */
  String recount() {
    StringBuilder b = new StringBuilder();
    for (int o = 0; o < counts.length; o++) b.append(o == 0 ? "" : ", ").append("option ").append(o).append(": ").append(counts[o]);
    return b.toString();
  }

  /** Writes the bundle as the export will: key, entries, the checkpoints of these sizes, the result, the manifest. */
  void bundle(Path dir, long... checkpointSizes) throws Exception {
    Files.createDirectories(dir.resolve(Bundle.CHECKPOINTS));
    Files.write(dir.resolve(Bundle.ENTRIES), entries);
    Files.writeString(dir.resolve(Bundle.KEY), key.verifier().text() + "\n");
    Frontier tree = new Frontier();
    int next = 0;
    for (int i = 0; i < size(); i++) {
      tree.append(sha, leaf(i));
      if (next < checkpointSizes.length && tree.size() == checkpointSizes[next]) {
        Checkpoint c = new Checkpoint(origin, tree.size(), tree.root(sha), List.of());
        Files.writeString(dir.resolve(Bundle.CHECKPOINTS).resolve(Long.toString(tree.size())), SignedNote.sign(c.text(), key));
        next++;
      }
    }
    Files.writeString(dir.resolve(Bundle.RESULT), SignedNote.sign(resultText(origin, size(), tree.root(sha), counts), key));
    Bundle.writeManifest(dir);
  }

  /** @return the entry bundle of tile {@code index}, {@code width} entries, each after its uint16 length */
  byte[] tile(long index, int width) {
    ByteBuffer b = ByteBuffer.allocate(width * (2 + VoteEntry.SIZE));
    for (int i = 0; i < width; i++) {
      b.putShort((short) VoteEntry.SIZE).put(entries, (int) ((index * TilePath.FULL + i) * VoteEntry.SIZE), VoteEntry.SIZE);
    }
    return b.array();
  }

  private byte[] leaf(int i) {
    return TreeHash.leaf(sha, Arrays.copyOfRange(entries, i * VoteEntry.SIZE, (i + 1) * VoteEntry.SIZE));
  }
}
