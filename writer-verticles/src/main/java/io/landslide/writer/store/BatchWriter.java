package io.landslide.writer.store;

import io.landslide.codec.CorruptEventException;
import io.landslide.codec.TallyUpdate;
import io.landslide.codec.VoteEvent;
import io.landslide.codec.VoteEventDescriptor;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes one batch of vote records in ONE PostgreSQL transaction: the rows ({@code COPY}), the tallies
 * they add (by rows actually inserted), the records that do not decode, and each partition's next offset
 * ({@link OffsetStore}, which fences a writer that lost its partitions). Blocking JDBC: call it only from a
 * worker thread.
 *
 * <p>Fast path: {@code COPY} straight into the partitioned {@code votes}. If the batch holds a duplicate
 * (SQLSTATE 23505, rare: the bitmap filters nearly all) or a vote for a poll that does not exist (23514: no
 * partition takes it), the transaction is rolled back and the batch redone through a staging table with
 * {@code INSERT … ON CONFLICT DO NOTHING RETURNING}: only new rows count, the others go to
 * {@code vote_rejects} with the reason.
 *
 * <p>The batch's votes are appended to their polls' verifiable logs ({@link VoteLog}) in the same transaction, last:
 * a poll's log lock is held only from the append to the commit. Their leaf hashes are computed on the log's thread
 * while the {@code COPY} runs.
 */
public final class BatchWriter {
  /** The {@code vote_rejects.reason} of a second vote of the same user in the same poll. */
  public static final String DUPLICATE = "duplicate";
  /** The {@code vote_rejects.reason} of a vote that reached the writer after its poll's result was signed. */
  public static final String SEALED = "poll_sealed";
  /**
   * The {@code vote_rejects.reason} of a vote accepted at or after its poll's closing time (by an edge that had not
   * heard of an early close): never counted, whatever an edge answered.
   */
  public static final String CLOSED = "poll_closed";
  /** The {@code vote_rejects.reason} of a vote for a poll that does not exist. */
  public static final String UNKNOWN_POLL = "unknown_poll";
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String CHECK_VIOLATION = "23514";

  private final WriterConnection connection;
  private final OffsetStore offsets;
  private final CopyEncoder encoder = new CopyEncoder();
  private final VoteLog log = new VoteLog();
  private final TallyCounts counts = new TallyCounts();
  /** Polls have at most 32 options: ids 0 to 31 (the log's entry holds one byte). */
  static final int MAX_OPTION = 31;
  /** 9999-12-31T23:59:59.999Z: later times do not fit the rows' timestamps. */
  static final long MAX_ACCEPTED_AT = 253_402_300_799_999L;
  private static final java.util.Comparator<ConsumerRecord<byte[], byte[]>> POSITION =
    java.util.Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset);

  /**
   * What one batch did.
   *
   * @param inserted rows inserted into votes
   * @param rejected rows kept in vote_rejects
   * @param corrupt  records kept in vote_corrupt
   * @param tallies  per (poll, option, shard) how many votes were added
   * @param absolute the absolute counts of the shards this batch changed, after the commit
   * @param next     each partition's next offset, now stored
   * @param logged   the polls whose vote logs grew
   * @param oldestAcceptedAt the oldest accepted time of the batch's votes (epoch ms), 0 without one
   * @param polls    the polls of the batch's votes
   * @param oldest   per poll of {@code polls}, its oldest vote's accepted time (epoch ms): where vote-to-screen starts
   */
  public record Result(int inserted, int rejected, int corrupt, Map<TallyKey, Long> tallies, List<TallyUpdate> absolute,
                       Map<TopicPartition, Long> next, int[] logged, long oldestAcceptedAt, int[] polls, long[] oldest) {
    Result timed(Spans spans) {
      return new Result(inserted, rejected, corrupt, tallies, absolute, next, logged, spans.oldestOfAll(), Arrays.copyOf(spans.poll, spans.n),
        Arrays.copyOf(spans.oldest, spans.n));
    }
  }

  /**
   * Per poll of a batch, its votes' oldest and latest accepted times: parallel arrays searched from the last poll hit
   * (a batch holds a few polls, mostly one), so no vote boxes a key.
   */
  static final class Spans {
    int n;
    int[] poll = new int[4];
    long[] oldest = new long[4];
    long[] latest = new long[4];
    private int last = -1;

    void add(int p, long acceptedAt) {
      int i = last >= 0 && poll[last] == p ? last : find(p);
      if (i < 0) {
        if (n == poll.length) {
          poll = Arrays.copyOf(poll, n * 2);
          oldest = Arrays.copyOf(oldest, n * 2);
          latest = Arrays.copyOf(latest, n * 2);
        }
        i = n++;
        poll[i] = p;
        oldest[i] = acceptedAt;
        latest[i] = acceptedAt;
      } else {
        if (acceptedAt < oldest[i]) oldest[i] = acceptedAt;
        if (acceptedAt > latest[i]) latest[i] = acceptedAt;
      }
      last = i;
    }

    private int find(int p) {
      for (int i = 0; i < n; i++) if (poll[i] == p) return i;
      return -1;
    }

    /** @return the batch's polls, in the order first seen */
    Integer[] polls() {
      Integer[] out = new Integer[n];
      for (int i = 0; i < n; i++) out[i] = poll[i];
      return out;
    }

    /** @return the oldest accepted time of the batch's votes (epoch ms), 0 without one */
    long oldestOfAll() {
      long min = 0;
      for (int i = 0; i < n; i++) if (min == 0 || oldest[i] < min) min = oldest[i];
      return min;
    }

    /** @return the latest accepted time of the poll's votes, or {@code Long.MIN_VALUE} without one */
    long latest(int p) {
      int i = find(p);
      return i < 0 ? Long.MIN_VALUE : latest[i];
    }
  }

  /** A tally shard. @param poll poll id @param option option id @param shard Kafka partition */
  public record TallyKey(int poll, int option, int shard) {
  }

  /**
   * @param connection the writer's connection, shared with {@code offsets} so both write in one transaction
   * @param offsets    the stored offsets of this writer's group and topic
   */
  public BatchWriter(WriterConnection connection, OffsetStore offsets) {
    this.connection = connection;
    this.offsets = offsets;
  }

  /**
   * Writes the batch.
   *
   * @param records  the records, in consumption order
   * @param expected per partition in the batch, the stored offset this writer expects to move from
   * @return what was written
   * @throws FencedException when another writer moved an offset (nothing was written)
   * @throws SQLException    when PostgreSQL fails (nothing was written)
   */
  public Result write(List<ConsumerRecord<byte[], byte[]>> records, Map<TopicPartition, Long> expected) throws FencedException, SQLException {
    return connection.inTransaction(c -> write(c, records, expected));
  }

  private Result write(Connection c, List<ConsumerRecord<byte[], byte[]>> records, Map<TopicPartition, Long> expected)
    throws FencedException, SQLException {
    // The log's order is (partition, offset): sorting makes it the same whatever order the records were polled in.
    List<ConsumerRecord<byte[], byte[]>> sorted = new ArrayList<>(records);
    sorted.sort(POSITION);
    Map<TopicPartition, Long> next = new HashMap<>();
    List<ConsumerRecord<byte[], byte[]>> corrupt = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    counts.clear();
    encoder.reset();
    VoteLog.Rows rows = log.rows();
    Spans spans = new Spans(); // the batch's polls, and per poll its votes' oldest and latest accepted times
    TopicPartition tp = null;
    long nextOffset = 0;
    // Per vote, nothing is allocated: its fields are read from the record's bytes, its tally counted in a primitive
    // map, its partition's next offset kept until the partition changes (the records are sorted by it).
    for (ConsumerRecord<byte[], byte[]> r : sorted) {
      if (tp == null || tp.partition() != r.partition() || !tp.topic().equals(r.topic())) {
        if (tp != null) next.put(tp, nextOffset);
        tp = new TopicPartition(r.topic(), r.partition());
      }
      nextOffset = r.offset() + 1;
      byte[] b = r.value();
      try {
        VoteEventDescriptor.check(b);
      } catch (CorruptEventException e) {
        corrupt.add(r);
        errors.add(null);
        continue;
      }
      int poll = VoteEventDescriptor.pollId(b);
      int option = VoteEventDescriptor.option(b);
      long acceptedAt = VoteEventDescriptor.acceptedAt(b);
      String outOfRange = outOfRange(option, acceptedAt);
      if (outOfRange != null) { // well formed, but no poll can count it: kept, never retried for ever
        corrupt.add(r);
        errors.add(outOfRange);
        continue;
      }
      encoder.row(b, r.partition(), r.offset());
      rows.add(poll, option, VoteEventDescriptor.receiptHi(b), VoteEventDescriptor.receiptLo(b), r.partition(), r.offset(),
        VoteEventDescriptor.userId(b));
      counts.add(poll, option, r.partition());
      spans.add(poll, acceptedAt);
    }
    if (tp != null) next.put(tp, nextOffset);
    Map<TallyKey, Long> tallies = counts.toMap();
    // The close is authoritative: the batch's polls are read FOR SHARE (a close waits for this commit, and a batch
    // after it sees its time), and a vote accepted at or after its poll's closing time goes to vote_rejects.
    if (anyLate(closings(c, spans), spans)) {
      return staged(c, corrupt, errors, next, expected, new int[0], null).timed(spans);
    }
    try {
      log.hashAhead(); // the entries' leaf hashes, on the log's thread while the COPY runs on this one
      VoteStore.copyVotes(c, encoder);
      List<TallyUpdate> absolute = VoteStore.addTallies(c, tallies);
      VoteStore.keepCorrupt(c, corrupt, errors);
      offsets.move(c, next, expected);
      int[] logged = log.append(c); // last: the polls' log locks are held only from here to the commit
      return new Result(encoder.rows(), 0, corrupt.size(), tallies, absolute, next, logged, 0, null, null).timed(spans);
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState()) && !CHECK_VIOLATION.equals(e.getSQLState())) throw e;
      c.rollback(); // a duplicate or an unknown poll: redo the batch row by row through the staging table
      return staged(c, corrupt, errors, next, expected, new int[0], spans).timed(spans);
    } catch (VoteLog.SealedException e) {
      c.rollback(); // votes for a poll whose result is signed: redo the batch, keeping those in vote_rejects
      return staged(c, corrupt, errors, next, expected, e.polls, spans).timed(spans);
    }
  }

  /**
   * The slow path: the batch through the staging table, its corrupt records kept, its offsets moved, then its log
   * appended (last, as on the fast path).
   *
   * @param relock the batch's polls when the transaction was rolled back since they were read FOR SHARE (then read
   *               again: the staging statement compares each vote with its poll's closing time, which must not move
   *               meanwhile); null when they are still held
   */
  private Result staged(Connection c, List<ConsumerRecord<byte[], byte[]>> corrupt, List<String> errors, Map<TopicPartition, Long> next,
                        Map<TopicPartition, Long> expected, int[] sealed, Spans relock) throws SQLException, FencedException {
    if (relock != null) closings(c, relock);
    VoteStore.Staged s = VoteStore.viaStaging(c, encoder, sealed, log.rows());
    VoteStore.keepCorrupt(c, corrupt, errors);
    offsets.move(c, next, expected);
    int[] logged;
    try {
      logged = log.append(c);
    } catch (VoteLog.SealedException e) {
      throw new SQLException("a poll was sealed during the batch, retrying: " + e.getMessage());
    }
    return new Result(s.inserted(), s.rejected(), corrupt.size(), s.added(), s.absolute(), next, logged, 0, null, null);
  }

  private static final String CLOSINGS = "SELECT id, (extract(epoch FROM closes_at) * 1000)::bigint FROM polls WHERE id = ANY(?)"
    + " ORDER BY id FOR SHARE";

  /** @return the batch's polls' closing times (epoch ms; absent: open-ended or no such poll), the rows held FOR SHARE */
  private static Map<Integer, Long> closings(Connection c, Spans polls) throws SQLException {
    Map<Integer, Long> out = new HashMap<>();
    if (polls.n == 0) return out;
    try (java.sql.PreparedStatement ps = c.prepareStatement(CLOSINGS)) {
      ps.setArray(1, c.createArrayOf("int4", polls.polls()));
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long closes = rs.getLong(2);
          if (!rs.wasNull()) out.put(rs.getInt(1), closes);
        }
      }
    }
    return out;
  }

  private static boolean anyLate(Map<Integer, Long> closings, Spans spans) {
    for (Map.Entry<Integer, Long> e : closings.entrySet()) {
      if (spans.latest(e.getKey()) >= e.getValue()) return true;
    }
    return false;
  }

  /** @return why a well-formed vote cannot be counted by any poll, or null */
  static String outOfRange(VoteEvent v) {
    return outOfRange(v.option(), v.acceptedAt());
  }

  /** @return why a well-formed vote of this option and time cannot be counted by any poll, or null */
  static String outOfRange(int option, long acceptedAt) {
    if (option > MAX_OPTION) return "option out of range: " + option;
    if (acceptedAt <= 0 || acceptedAt > MAX_ACCEPTED_AT) return "acceptedAt out of range: " + acceptedAt;
    return null;
  }

  /**
   * A batch's votes counted per (poll, option, shard), with no object per vote: keys packed into a long (the poll's
   * 31 bits, the option's 5, the shard's 16), open addressing, reused batch after batch.
   */
  static final class TallyCounts {
    private long[] keys = new long[64];
    private long[] counts = new long[64];
    private int size;

    void clear() {
      java.util.Arrays.fill(keys, 0L);
      size = 0;
    }

    void add(int poll, int option, int shard) {
      long key = ((long) poll << 32) | ((long) option << 16) | shard; // never 0: a poll id is positive
      int mask = keys.length - 1;
      int i = (int) (mix(key) & mask);
      while (keys[i] != 0 && keys[i] != key) i = (i + 1) & mask;
      if (keys[i] == 0) {
        keys[i] = key;
        counts[i] = 0;
        if (++size * 2 > keys.length) {
          counts[i]++;
          grow();
          return;
        }
      }
      counts[i]++;
    }

    private static long mix(long k) {
      k *= 0x9E3779B97F4A7C15L;
      return k ^ (k >>> 29);
    }

    private void grow() {
      long[] oldKeys = keys;
      long[] oldCounts = counts;
      keys = new long[oldKeys.length * 2];
      counts = new long[oldKeys.length * 2];
      int mask = keys.length - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        if (oldKeys[j] == 0) continue;
        int i = (int) (mix(oldKeys[j]) & mask);
        while (keys[i] != 0) i = (i + 1) & mask;
        keys[i] = oldKeys[j];
        counts[i] = oldCounts[j];
      }
    }

    /** @return the counts by shard: one entry per (poll, option, shard) of the batch */
    Map<TallyKey, Long> toMap() {
      Map<TallyKey, Long> out = new HashMap<>(size * 2);
      for (int i = 0; i < keys.length; i++) {
        long k = keys[i];
        if (k != 0) out.put(new TallyKey((int) (k >>> 32), (int) ((k >>> 16) & 0xFFFF), (int) (k & 0xFFFF)), counts[i]);
      }
      return out;
    }
  }
}
