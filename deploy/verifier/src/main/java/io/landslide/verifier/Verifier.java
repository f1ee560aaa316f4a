package io.landslide.verifier;

import io.landslide.codec.Receipt;
import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.Frontier;
import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.Proofs;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks a poll's audit bundle ({@code docs/audit.md}) with nothing but its files and the log's published key:
 * <ol>
 *   <li>the manifest: every file's SHA-256 as listed, no file missing or unlisted;</li>
 *   <li>the entries: whole 38-byte entries of one poll, each well formed;</li>
 *   <li>every checkpoint: signed by the key, and its root the root of the first {@code size} entries (so every
 *       checkpoint is a prefix of the same log: any two are consistent);</li>
 *   <li>the signed result: signed by the key, of all the entries (its size, its root), and its counts the recount of
 *       the entries by option; a bundle without one fails, saying the result is missing;</li>
 *   <li>given a receipt: its entry found, and its inclusion proof verified against the result's root (with no result
 *       yet, against the latest verified checkpoint's);</li>
 *   <li>given the poll asked for (the URL mode): the entries of that poll, and the notes of its origin.</li>
 * </ol>
 * Each check adds a line to the report; any failure names what failed, and the report fails.
 */
public final class Verifier {
  /** The lines of a verification, and whether all checks passed. */
  public static final class Report {
    private final List<String> lines = new ArrayList<>();
    private boolean failed;

    void ok(String line) {
      lines.add("ok    " + printable(line));
    }

    void fail(String line) {
      failed = true;
      lines.add("FAIL  " + printable(line));
    }

    /** A line may quote what a bundle or a server holds: no control character reaches the terminal. */
    static String printable(String line) {
      StringBuilder b = new StringBuilder(line.length());
      line.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
      return b.toString();
    }

    /** @return whether every check passed */
    public boolean passed() {
      return !failed;
    }

    /** @return the report's lines */
    public List<String> lines() {
      return List.copyOf(lines);
    }

    @Override
    public String toString() {
      return String.join("\n", lines) + "\n" + (failed ? "VERIFICATION FAILED" : "VERIFIED") + "\n";
    }
  }

  private final MessageDigest sha = TreeHash.sha256();

  /**
   * @param bundle  the bundle's directory
   * @param receipt a voter's receipt to prove included, or null
   * @return the report
   * @throws IOException when the bundle cannot be read
   */
  public Report verify(Path bundle, Receipt receipt) throws IOException {
    return verify(bundle, receipt, 0, new Report());
  }

  /**
   * @param bundle  the bundle's directory
   * @param receipt a voter's receipt to prove included, or null
   * @param expect  the poll the bundle must be the log of (its entries of that poll, its checkpoints of the origin
   *                {@link LogKeys#origin} of the key's name and that poll), or 0 for any
   * @param report  the report to add the checks to (lines already in it are kept, first)
   * @return the report
   * @throws IOException when the bundle cannot be read
   */
  Report verify(Path bundle, Receipt receipt, int expect, Report report) throws IOException {
    manifest(bundle, report);
    SignedNote.Verifier key;
    try {
      key = SignedNote.Verifier.parse(Files.readString(bundle.resolve(Bundle.KEY), StandardCharsets.UTF_8).strip());
      report.ok("key: " + key.text());
    } catch (IllegalArgumentException | IOException e) {
      report.fail("key: " + e.getMessage());
      return report;
    }
    byte[] raw = Files.readAllBytes(bundle.resolve(Bundle.ENTRIES));
    if (raw.length % VoteEntry.SIZE != 0) {
      report.fail("entries: " + raw.length + " bytes is not a whole number of " + VoteEntry.SIZE + "-byte entries");
      return report;
    }
    int n = raw.length / VoteEntry.SIZE;
    List<byte[]> leaves = new ArrayList<>(n);
    List<VoteEntry> entries = new ArrayList<>(n);
    int poll = -1;
    for (int i = 0; i < n; i++) {
      byte[] bytes = Arrays.copyOfRange(raw, i * VoteEntry.SIZE, (i + 1) * VoteEntry.SIZE);
      VoteEntry e;
      try {
        e = VoteEntry.parse(bytes);
      } catch (IllegalArgumentException ex) {
        report.fail("entry " + i + ": " + ex.getMessage());
        return report;
      }
      if (poll < 0) poll = e.poll();
      if (e.poll() != poll) {
        report.fail("entry " + i + ": poll " + e.poll() + " in the log of poll " + poll);
        return report;
      }
      entries.add(e);
      leaves.add(TreeHash.leaf(sha, bytes));
    }
    report.ok("entries: " + n + " well-formed entries" + (n > 0 ? " of poll " + poll : ""));
    if (expect > 0) {
      if (n == 0) poll = expect;
      else if (poll != expect) report.fail("entries: of poll " + poll + ", not of poll " + expect + ", the poll asked for");
    }

    // The result first: the checkpoints are checked against its origin.
    Checkpoint result = null;
    Path resultFile = bundle.resolve(Bundle.RESULT);
    if (Files.exists(resultFile)) {
      result = opened(resultFile, key, "result", report);
    } else {
      report.fail("result: missing: no signed result (a poll not sealed yet has none), so no count is verified");
    }
    String origin = result == null ? null : result.origin();
    TreeMap<Long, Checkpoint> checkpoints = new TreeMap<>();
    Path dir = bundle.resolve(Bundle.CHECKPOINTS);
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.sorted().toList()) {
          Checkpoint c = opened(f, key, "checkpoint " + f.getFileName(), report);
          if (c == null) continue;
          if (origin != null && !c.origin().equals(origin)) {
            report.fail("checkpoint " + f.getFileName() + ": origin " + c.origin() + ", not the result's " + origin);
            continue;
          }
          if (!f.getFileName().toString().equals(Long.toString(c.size()))) {
            report.fail("checkpoint " + f.getFileName() + ": its size is " + c.size());
            continue;
          }
          checkpoints.put(c.size(), c);
        }
      }
    }
    // Every checkpoint's root against the entries, appended once.
    Frontier tree = new Frontier();
    TreeMap<Long, Checkpoint> verified = new TreeMap<>();
    for (Map.Entry<Long, Checkpoint> e : checkpoints.entrySet()) {
      long size = e.getKey();
      if (size > n) {
        report.fail("checkpoint " + size + ": signs " + size + " entries, the bundle holds " + n + " (entries dropped?)");
        continue;
      }
      while (tree.size() < size) tree.append(sha, leaves.get((int) tree.size()));
      if (Arrays.equals(tree.root(sha), e.getValue().root())) {
        verified.put(size, e.getValue());
        report.ok("checkpoint " + size + ": signed, and the root of the first " + size + " entries");
      } else {
        report.fail("checkpoint " + size + ": its root is not the root of the first " + size + " entries (an entry before " + size
          + " was changed, dropped or added)");
      }
    }
    if (checkpoints.size() > 1) report.ok("checkpoints: " + checkpoints.size() + " signed states, each a prefix of the same log (consistent)");
    if (expect > 0) origin(key, expect, result, checkpoints.values(), report);
    while (tree.size() < n) tree.append(sha, leaves.get((int) tree.size()));
    byte[] root = tree.root(sha);

    if (result != null) result(result, entries, root, report);
    if (receipt != null) receipt(receipt, poll, entries, leaves, result, verified, report);
    return report;
  }

  /** The signed notes are of the log of the poll asked for: a log of another poll, signed by the same key, is not it. */
  private static void origin(SignedNote.Verifier key, int poll, Checkpoint result, Iterable<Checkpoint> checkpoints, Report report) {
    String want = LogKeys.origin(key.name(), poll);
    Set<String> origins = new TreeSet<>();
    if (result != null) origins.add(result.origin());
    for (Checkpoint c : checkpoints) origins.add(c.origin());
    if (origins.isEmpty()) return; // nothing signed opened: already failed
    if (origins.equals(Set.of(want))) report.ok("origin: " + want + ", the log of poll " + poll + " under the key " + key.name());
    else report.fail("origin: " + String.join(", ", origins) + ", not " + want + " (the log of poll " + poll + " under the key " + key.name() + ")");
  }

  private void result(Checkpoint result, List<VoteEntry> entries, byte[] root, Report report) {
    long n = entries.size();
    if (result.size() != n) report.fail("result: it counts " + result.size() + " votes, the bundle holds " + n + " entries");
    else if (!Arrays.equals(result.root(), root)) report.fail("result: its root is not the root of the entries");
    else report.ok("result: signed, of all " + n + " entries, and their root");
    List<String> ext = result.extensions();
    if (ext.isEmpty() || !ext.get(0).equals(Bundle.RESULT_LINE)) {
      report.fail("result: no \"" + Bundle.RESULT_LINE + "\" line: a checkpoint, not a result");
      return;
    }
    TreeMap<Integer, Long> stated = new TreeMap<>();
    for (String line : ext.subList(1, ext.size())) {
      String[] p = line.split(" ");
      try {
        if (p.length != 2 || stated.put(Integer.parseInt(p[0]), Long.parseLong(p[1])) != null) throw new NumberFormatException();
      } catch (NumberFormatException e) {
        report.fail("result: not an \"<option> <count>\" line, or an option twice: " + line);
        return;
      }
    }
    TreeMap<Integer, Long> recount = new TreeMap<>();
    for (int option : stated.keySet()) recount.put(option, 0L);
    for (VoteEntry e : entries) recount.merge(e.option(), 1L, Long::sum);
    if (recount.equals(stated)) {
      report.ok("recount: " + describe(recount) + ", as the result states");
    } else {
      report.fail("recount: the entries count " + describe(recount) + ", the result states " + describe(stated));
    }
  }

  /** A receipt's entry, proved included in the result's tree; with no result yet, in the latest verified checkpoint's. */
  private void receipt(Receipt receipt, int poll, List<VoteEntry> entries, List<byte[]> leaves, Checkpoint result, TreeMap<Long, Checkpoint> verified,
    Report report) {
    byte[] commitment = VoteEntry.commitment(sha, poll, receipt);
    int index = -1;
    for (int i = 0; i < entries.size(); i++) {
      if (Arrays.equals(entries.get(i).commitment(), commitment)) {
        index = i;
        break;
      }
    }
    if (index < 0) {
      report.fail("receipt " + receipt + ": no entry of poll " + poll + " commits to it");
      return;
    }
    Checkpoint against = result;
    String what = "the signed result's root";
    if (against == null && !verified.isEmpty() && verified.lastKey() > index) {
      against = verified.lastEntry().getValue();
      what = "the root of the signed checkpoint " + against.size() + " (no signed result yet)";
    }
    if (against == null) {
      report.fail("receipt " + receipt + ": entry " + index + ", but no signed result, nor a checkpoint holding it, to prove it against");
      return;
    }
    Proofs.HashReader reader = Proofs.inMemory(sha, leaves);
    List<byte[]> proof = Proofs.inclusion(reader, sha, index, against.size());
    try {
      Proofs.verifyInclusion(sha, index, against.size(), leaves.get(index), proof, against.root());
      report.ok("receipt " + receipt + ": entry " + index + " (option " + entries.get(index).option() + "), its inclusion proof ("
        + proof.size() + " hashes) verified against " + what);
    } catch (Proofs.ProofException e) {
      report.fail("receipt " + receipt + ": " + e.getMessage());
    }
  }

  /** @return the checkpoint a signed note holds, or null (the failure reported) */
  private static Checkpoint opened(Path file, SignedNote.Verifier key, String what, Report report) {
    try {
      String note = Files.readString(file, StandardCharsets.UTF_8);
      return Checkpoint.parse(SignedNote.open(note, List.of(key)));
    } catch (SignedNote.NoteException | IllegalArgumentException e) {
      report.fail(what + ": " + e.getMessage());
    } catch (IOException e) {
      report.fail(what + ": cannot be read: " + e.getMessage());
    }
    return null;
  }

  private void manifest(Path bundle, Report report) throws IOException {
    Path manifest = bundle.resolve(Bundle.MANIFEST);
    if (!Files.exists(manifest)) {
      report.fail("manifest: missing");
      return;
    }
    Map<String, String> listed = Bundle.readManifest(manifest);
    Map<String, String> actual = Bundle.hashes(bundle, sha);
    if (listed.equals(actual)) {
      report.ok("manifest: " + listed.size() + " files, each as listed");
      return;
    }
    for (Map.Entry<String, String> e : listed.entrySet()) {
      String a = actual.get(e.getKey());
      if (a == null) report.fail("manifest: " + e.getKey() + " is listed but missing");
      else if (!a.equals(e.getValue())) report.fail("manifest: " + e.getKey() + " does not have the SHA-256 the manifest lists");
    }
    for (String f : actual.keySet()) if (!listed.containsKey(f)) report.fail("manifest: " + f + " is not listed");
  }

  private static String describe(Map<Integer, Long> counts) {
    StringBuilder b = new StringBuilder();
    counts.forEach((o, c) -> b.append(b.length() == 0 ? "" : ", ").append("option ").append(o).append(": ").append(c));
    return b.length() == 0 ? "no votes" : b.toString();
  }
}
