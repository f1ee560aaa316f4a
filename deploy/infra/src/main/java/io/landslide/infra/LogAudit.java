package io.landslide.infra;

import io.landslide.codec.Receipt;
import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.Frontier;
import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.Proofs;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TilePath;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * For tests: reads a poll's verifiable log straight from PostgreSQL and checks it whole against its votes. Every
 * check that fails throws, saying what.
 * <ul>
 *   <li>the entries, in leaf order with no gap, recompute the head's root and size;</li>
 *   <li>every stored checkpoint is signed by the key and its root is the root of the first {@code size} entries (so
 *       any two are consistent), and a consistency proof between the first and the last verifies;</li>
 *   <li>every stored subtree hash (the hash tiles) is the tree's;</li>
 *   <li>every counted vote has exactly one entry, found through its run, committing to its receipt and option.</li>
 * </ul>
 */
public final class LogAudit {
  /**
   * What a poll's log holds.
   *
   * @param size        its size
   * @param checkpoints the sizes of its signed checkpoints, in order
   * @param result      the signed result's text, or null while the poll is not sealed
   */
  public record Summary(long size, List<Long> checkpoints, String result) {
  }

  private LogAudit() {
  }

  /**
   * @param c    a connection
   * @param poll the poll
   * @param key  the log's verifier key
   * @return what the log holds, all of it checked
   * @throws SQLException          when PostgreSQL fails
   * @throws IllegalStateException when a check fails
   */
  public static Summary check(Connection c, int poll, SignedNote.Verifier key) throws SQLException {
    MessageDigest sha = TreeHash.sha256();
    long size;
    byte[] root;
    try (PreparedStatement ps = c.prepareStatement("SELECT size, root FROM vote_log WHERE poll_id = ?")) {
      ps.setInt(1, poll);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new IllegalStateException("poll " + poll + " has no log");
        size = rs.getLong(1);
        root = rs.getBytes(2);
      }
    }
    List<byte[]> entries = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT first_leaf, entries FROM landslide_log_entries(?, 0, " + Long.MAX_VALUE + ")")) {
      ps.setInt(1, poll);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long first = rs.getLong(1);
          byte[] chunk = rs.getBytes(2);
          if (first != entries.size()) throw new IllegalStateException("entries chunk at " + first + " after " + entries.size() + " entries");
          int n = chunk.length / VoteEntry.SIZE;
          if (first / TilePath.FULL != (first + n - 1) / TilePath.FULL) throw new IllegalStateException("chunk at " + first + " crosses a tile");
          for (int i = 0; i < n; i++) entries.add(Arrays.copyOfRange(chunk, i * VoteEntry.SIZE, (i + 1) * VoteEntry.SIZE));
        }
      }
    }
    if (entries.size() != size) throw new IllegalStateException("head size " + size + ", " + entries.size() + " entries");
    List<byte[]> leaves = new ArrayList<>(entries.size());
    for (byte[] e : entries) {
      VoteEntry parsed = VoteEntry.parse(e);
      if (parsed.poll() != poll) throw new IllegalStateException("an entry of poll " + parsed.poll() + " in poll " + poll + "'s log");
      leaves.add(TreeHash.leaf(sha, e));
    }
    Frontier tree = new Frontier();
    for (byte[] l : leaves) tree.append(sha, l);
    if (!Arrays.equals(tree.root(sha), root)) throw new IllegalStateException("the head's root is not the entries' root");

    Proofs.HashReader hashes = leaves.isEmpty() ? null : Proofs.inMemory(sha, leaves);
    try (PreparedStatement ps = c.prepareStatement("SELECT height, idx, hash FROM log_nodes WHERE poll_id = ?")) {
      ps.setInt(1, poll);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int h = rs.getInt(1);
          long idx = rs.getLong(2);
          if ((idx + 1) << h > size) throw new IllegalStateException("a stored subtree beyond the log: height " + h + " index " + idx);
          if (!Arrays.equals(hashes.hash(h, idx), rs.getBytes(3))) throw new IllegalStateException("stored subtree " + h + "/" + idx + " is wrong");
        }
      }
    }

    String origin = LogKeys.origin(key.name(), poll);
    TreeMap<Long, byte[]> roots = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT size, root, note FROM log_checkpoints WHERE poll_id = ? ORDER BY size")) {
      ps.setInt(1, poll);
      try (ResultSet rs = ps.executeQuery()) {
        Frontier prefix = new Frontier();
        while (rs.next()) {
          long n = rs.getLong(1);
          Checkpoint cp = open(rs.getString(3), key);
          if (!cp.origin().equals(origin) || cp.size() != n || !Arrays.equals(cp.root(), rs.getBytes(2))) {
            throw new IllegalStateException("checkpoint " + n + " does not say what its row says");
          }
          if (n > size) throw new IllegalStateException("checkpoint " + n + " beyond the log's " + size);
          while (prefix.size() < n) prefix.append(sha, leaves.get((int) prefix.size()));
          if (!Arrays.equals(prefix.root(sha), cp.root())) throw new IllegalStateException("checkpoint " + n + " is not a prefix of the log");
          roots.put(n, cp.root());
        }
      }
    }
    if (roots.size() > 1) {
      long first = roots.firstKey();
      long last = roots.lastKey();
      try {
        Proofs.verifyConsistency(sha, first, last, Proofs.consistency(hashes, sha, first, last), roots.get(first), roots.get(last));
      } catch (Proofs.ProofException e) {
        throw new IllegalStateException("checkpoints " + first + " and " + last + ": " + e.getMessage());
      }
    }

    // Every counted vote: its run gives its leaf, whose entry commits to its receipt and option.
    Map<Long, Boolean> seen = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT v.option_id, v.receipt, r.first_leaf + (v.kafka_offset - r.first_offset)"
      + " FROM votes v LEFT JOIN LATERAL (SELECT first_leaf, first_offset, count FROM log_runs r WHERE r.poll_id = v.poll_id"
      + " AND r.kafka_partition = v.kafka_partition AND r.first_offset <= v.kafka_offset ORDER BY r.first_offset DESC LIMIT 1) r"
      + " ON v.kafka_offset < r.first_offset + r.count WHERE v.poll_id = ?")) {
      ps.setInt(1, poll);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long leaf = rs.getLong(3);
          if (rs.wasNull()) throw new IllegalStateException("a counted vote has no leaf");
          java.util.UUID u = (java.util.UUID) rs.getObject(2);
          VoteEntry expected = VoteEntry.of(sha, poll, rs.getInt(1), new Receipt(u.getMostSignificantBits(), u.getLeastSignificantBits()));
          if (leaf < 0 || leaf >= size || !Arrays.equals(expected.bytes(), entries.get((int) leaf))) {
            throw new IllegalStateException("the vote with receipt " + u + " is not its leaf " + leaf);
          }
          if (seen.put(leaf, true) != null) throw new IllegalStateException("two votes at leaf " + leaf);
        }
      }
    }
    if (seen.size() != size) throw new IllegalStateException(seen.size() + " counted votes, " + size + " entries");

    String result = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT note FROM log_results WHERE poll_id = ?")) {
      ps.setInt(1, poll);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          result = rs.getString(1);
          Checkpoint r = open(result, key);
          if (r.size() != size || !Arrays.equals(r.root(), root)) throw new IllegalStateException("the result is not of the whole log");
        }
      }
    }
    return new Summary(size, List.copyOf(roots.keySet()), result);
  }

  private static Checkpoint open(String note, SignedNote.Verifier key) {
    try {
      return Checkpoint.parse(SignedNote.open(note, List.of(key)));
    } catch (SignedNote.NoteException e) {
      throw new IllegalStateException("a note does not verify: " + e.getMessage());
    }
  }
}
