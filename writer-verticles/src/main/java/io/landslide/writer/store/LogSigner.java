package io.landslide.writer.store;

import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.SignedNote;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs the logs' committed states, on the writer's thread between batches, each in a short transaction of its own:
 * <ul>
 *   <li><b>checkpoints:</b> every poll whose log this writer grew gets a checkpoint of its committed head at most every
 *       {@code intervalMs} (so at least one a second while votes arrive). Several writers may sign the same head: the
 *       note is the same bytes (Ed25519 is deterministic), stored once.</li>
 *   <li><b>results:</b> once a poll's closing time has passed and the writers have committed everything the votes topic
 *       held once a grace (longer than an edge's Kafka delivery timeout) had passed after it, its log is sealed: the final checkpoint, and the signed result (the counts per option, which
 *       must add up to the log's size), in the transaction that marks it sealed. Votes that reach a writer after that
 *       are kept in {@code vote_rejects}, never counted or logged.</li>
 * </ul>
 * Blocking JDBC: call it only from a worker thread. Not thread-safe.
 */
public final class LogSigner {
  private static final Logger LOG = LoggerFactory.getLogger(LogSigner.class);
  /** How often closed polls are looked for. */
  static final long SEAL_CHECK_MS = 1000;

  private static final String HEADS = "SELECT l.poll_id, l.size, l.root FROM vote_log l WHERE l.poll_id = ANY(?) AND l.size > 0"
    + " AND l.size > COALESCE((SELECT max(c.size) FROM log_checkpoints c WHERE c.poll_id = l.poll_id), 0)";
  private static final String KEEP_CHECKPOINT = "INSERT INTO log_checkpoints (poll_id, size, root, note) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
  private static final String CLOSED = "SELECT l.poll_id FROM vote_log l JOIN polls p ON p.id = l.poll_id"
    + " WHERE l.sealed_at IS NULL AND p.closes_at <= now() - ? * interval '1 millisecond'";
  private static final String STORED = "SELECT partition, next_offset FROM kafka_offsets WHERE group_id = ? AND topic = ?";
  private static final String LOCK = "SELECT l.size, l.root, l.sealed_at IS NOT NULL, cardinality(p.options) FROM vote_log l"
    + " JOIN polls p ON p.id = l.poll_id WHERE l.poll_id = ? FOR UPDATE OF l";
  private static final String COUNTS = "SELECT option_id, sum(count) FROM tallies WHERE poll_id = ? GROUP BY option_id";
  private static final String KEEP_RESULT = "INSERT INTO log_results (poll_id, size, root, note) VALUES (?, ?, ?, ?)";
  private static final String SEAL = "UPDATE vote_log SET sealed_at = now() WHERE poll_id = ?";

  /** The votes topic's end offsets now, per partition (the consumer's view: blocking, bounded). */
  @FunctionalInterface
  public interface EndOffsets {
    /** @return per partition of the topic, its end offset now; null when Kafka did not answer in time */
    long[] now();
  }

  /** How long the seal checks pause after Kafka did not answer. */
  static final long SEAL_BACKOFF_MS = 10_000;

  private final WriterConnection connection;
  private final SignedNote.Signer signer;
  private final String group;
  private final String topic;
  private final long intervalMs;
  private final long graceMs;
  private final Set<Integer> grown = new HashSet<>();
  /** Per closed poll, the end offsets read after its close: the writers must pass them before it is sealed. */
  private final Map<Integer, long[]> closeTargets = new HashMap<>();
  private final Set<Integer> unsealable = new HashSet<>();
  private long lastSignedMs;
  private long nextSealCheckMs;

  /**
   * @param connection the writer's connection
   * @param signer     the log key
   * @param group      the writers' group (their stored offsets)
   * @param topic      the votes topic
   * @param intervalMs the least time between two checkpoints of a poll by this writer
   * @param graceMs    how long after its closing time a poll's end offsets are read: longer than an edge's Kafka
   *                   delivery timeout, so every vote accepted before the close has its offset below them
   */
  public LogSigner(WriterConnection connection, SignedNote.Signer signer, String group, String topic, long intervalMs, long graceMs) {
    this.connection = connection;
    this.signer = signer;
    this.group = group;
    this.topic = topic;
    this.intervalMs = intervalMs;
    this.graceMs = graceMs;
  }

  /** @param polls polls whose logs a committed batch grew */
  public void grew(int[] polls) {
    for (int p : polls) grown.add(p);
  }

  /**
   * Signs what is due. Cheap when nothing is: a clock read.
   *
   * @param nowMs the time
   * @param end   the topic's end offsets (read only when a closed poll waits for its seal)
   * @return the checkpoints and results signed
   * @throws SQLException when PostgreSQL fails (what was due stays due)
   */
  public int tick(long nowMs, EndOffsets end) throws SQLException {
    int signed = 0;
    if (!grown.isEmpty() && nowMs - lastSignedMs >= intervalMs) {
      signed += connection.inTransaction(this::checkpoints);
      grown.clear();
      lastSignedMs = nowMs;
    }
    if (nowMs >= nextSealCheckMs) {
      nextSealCheckMs = nowMs + SEAL_CHECK_MS;
      int sealed = seal(end);
      if (sealed < 0) nextSealCheckMs = nowMs + SEAL_BACKOFF_MS; // Kafka did not answer: do not hold the loop each second
      else signed += sealed;
    }
    return signed;
  }

  private int checkpoints(Connection c) throws SQLException {
    Integer[] polls = grown.toArray(new Integer[0]);
    List<Object[]> heads = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(HEADS)) {
      ps.setArray(1, c.createArrayOf("int4", polls));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) heads.add(new Object[] {rs.getInt(1), rs.getLong(2), rs.getBytes(3)});
      }
    }
    for (Object[] h : heads) keepCheckpoint(c, (Integer) h[0], (Long) h[1], (byte[]) h[2]);
    return heads.size();
  }

  private void keepCheckpoint(Connection c, int poll, long size, byte[] root) throws SQLException {
    keep(c, KEEP_CHECKPOINT, poll, size, root, List.of());
  }

  /** Signs a checkpoint of {@code (size, root)} with these extension lines and stores it with the statement given. */
  private void keep(Connection c, String sql, int poll, long size, byte[] root, List<String> extensions) throws SQLException {
    String note = SignedNote.sign(new Checkpoint(LogKeys.origin(signer.name(), poll), size, root, extensions).text(), signer);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, poll);
      ps.setLong(2, size);
      ps.setBytes(3, root);
      ps.setString(4, note);
      ps.executeUpdate();
    }
  }

  /** @return the polls sealed, or -1 when Kafka did not answer */
  private int seal(EndOffsets end) throws SQLException {
    List<Integer> closed = connection.inTransaction(c -> {
      List<Integer> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(CLOSED)) {
        ps.setLong(1, graceMs);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) if (!unsealable.contains(rs.getInt(1))) out.add(rs.getInt(1));
        }
      }
      return out;
    });
    closeTargets.keySet().retainAll(closed);
    if (closed.isEmpty()) return 0;
    List<Integer> waiting = new ArrayList<>();
    for (int poll : closed) {
      if (!closeTargets.containsKey(poll)) {
        long[] target = end.now(); // read after the close: covers every vote before it
        if (target == null) return -1;
        closeTargets.put(poll, target);
      }
      waiting.add(poll);
    }
    long[] stored = connection.inTransaction(this::storedOffsets);
    int sealed = 0;
    for (int poll : waiting) {
      long[] target = closeTargets.get(poll);
      if (!caughtUp(stored, target)) continue;
      if (connection.inTransaction(c -> sealOne(c, poll))) {
        sealed++;
        closeTargets.remove(poll);
      }
    }
    return sealed;
  }

  private long[] storedOffsets(Connection c) throws SQLException {
    Map<Integer, Long> byPartition = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(STORED)) {
      ps.setString(1, group);
      ps.setString(2, topic);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) byPartition.put(rs.getInt(1), rs.getLong(2));
      }
    }
    int n = byPartition.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    long[] out = new long[n];
    byPartition.forEach((p, o) -> out[p] = o);
    return out;
  }

  static boolean caughtUp(long[] stored, long[] target) {
    for (int p = 0; p < target.length; p++) {
      if (target[p] > 0 && (p >= stored.length || stored[p] < target[p])) return false;
    }
    return true;
  }

  /** @return whether this call sealed the poll (false: another writer did, or its counts do not add up) */
  private boolean sealOne(Connection c, int poll) throws SQLException {
    long size;
    byte[] root;
    int options;
    try (PreparedStatement ps = c.prepareStatement(LOCK)) {
      ps.setInt(1, poll);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getBoolean(3)) return false;
        size = rs.getLong(1);
        root = rs.getBytes(2);
        options = rs.getInt(4);
      }
    }
    long[] counts = new long[options];
    long total = 0;
    try (PreparedStatement ps = c.prepareStatement(COUNTS)) {
      ps.setInt(1, poll);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int option = rs.getInt(1);
          if (option >= 0 && option < options) counts[option] = rs.getLong(2);
          total += rs.getLong(2);
        }
      }
    }
    if (total != size) { // votes counted before the poll had a log: its log cannot stand for the count
      unsealable.add(poll);
      LOG.error("poll {}: {} votes counted, {} in its log: its result is not signed", poll, total, size);
      return false;
    }
    List<String> lines = new ArrayList<>(options + 1);
    lines.add(RESULT_LINE);
    for (int o = 0; o < options; o++) lines.add(o + " " + counts[o]);
    keepCheckpoint(c, poll, size, root);
    keep(c, KEEP_RESULT, poll, size, root, lines);
    try (PreparedStatement ps = c.prepareStatement(SEAL)) {
      ps.setInt(1, poll);
      ps.executeUpdate();
    }
    LOG.info("poll {}: log sealed at {} votes, result signed", poll, size);
    return true;
  }

  /** The first extension line of a signed result (then one {@code "<option> <count>"} line per option). */
  public static final String RESULT_LINE = "result";
}
