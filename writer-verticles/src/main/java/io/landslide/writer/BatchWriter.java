package io.landslide.writer;

import io.landslide.codec.CorruptEventException;
import io.landslide.codec.PgSettings;
import io.landslide.codec.TallyUpdate;
import io.landslide.codec.VoteEvent;
import io.landslide.codec.VoteEventDescriptor;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes one batch of vote records in ONE PostgreSQL transaction: the rows ({@code COPY}), the tallies
 * they add (by rows actually inserted), and each partition's next offset. Blocking JDBC: call it only from
 * a worker thread.
 *
 * <p>Fast path: {@code COPY} straight into the partitioned {@code votes}. If the batch holds a duplicate
 * (SQLSTATE 23505, rare: the bitmap filters nearly all) or a vote for a poll that does not exist, the
 * transaction is rolled back and the batch redone through a staging table with {@code INSERT … ON CONFLICT
 * DO NOTHING RETURNING}: only new rows count, the others go to {@code vote_rejects} with the reason.
 *
 * <p>Offsets fence writers: a partition's stored offset moves only from the value this writer read at
 * assignment (or last committed). A writer that lost its partitions (a zombie after a rebalance) finds the
 * offset moved, and its whole transaction is rolled back ({@link FencedException}).
 */
final class BatchWriter implements AutoCloseable {
  static final String DUPLICATE = "duplicate";
  static final String UNKNOWN_POLL = "unknown_poll";

  private final PgSettings pg;
  private final String group;
  private final String topic;
  private final CopyEncoder encoder = new CopyEncoder();
  private Connection conn;

  /** A partition's stored offset moved under this writer: another writer owns it now. */
  static final class FencedException extends Exception {
    FencedException(TopicPartition tp) {
      super("offset of " + tp + " (or another partition of the batch) moved: another writer owns it");
    }
  }

  /**
   * What one batch did.
   *
   * @param inserted rows inserted into votes
   * @param rejected rows kept in vote_rejects
   * @param corrupt  records kept in vote_corrupt
   * @param tallies  per (poll, option, shard) how many votes were added
   * @param absolute the absolute counts of the shards this batch changed, after the commit
   * @param next     each partition's next offset, now stored
   */
  record Result(int inserted, int rejected, int corrupt, Map<TallyKey, Long> tallies, List<TallyUpdate> absolute,
                Map<TopicPartition, Long> next) {
  }

  /** A tally shard. @param poll poll id @param option option id @param shard Kafka partition */
  record TallyKey(int poll, int option, int shard) {
  }

  BatchWriter(PgSettings pg, String group, String topic) {
    this.pg = pg;
    this.group = group;
    this.topic = topic;
  }

  /**
   * The stored next offset of a partition, created at {@code initial} when the group never wrote it.
   *
   * @param partition the partition
   * @param initial   where to start when nothing is stored (the log start)
   * @return the offset to seek to
   * @throws SQLException when PostgreSQL fails
   */
  long storedOffset(int partition, long initial) throws SQLException {
    notOnEventLoop();
    Connection c = connection();
    try (PreparedStatement ins = c.prepareStatement("INSERT INTO kafka_offsets (group_id, topic, partition, next_offset)"
      + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
         PreparedStatement sel = c.prepareStatement("SELECT next_offset FROM kafka_offsets WHERE group_id = ? AND topic = ? AND partition = ?")) {
      ins.setString(1, group);
      ins.setString(2, topic);
      ins.setInt(3, partition);
      ins.setLong(4, initial);
      ins.executeUpdate();
      sel.setString(1, group);
      sel.setString(2, topic);
      sel.setInt(3, partition);
      try (ResultSet rs = sel.executeQuery()) {
        rs.next();
        long stored = rs.getLong(1);
        c.commit();
        return stored;
      }
    } catch (SQLException e) {
      rollbackQuietly();
      throw e;
    }
  }

  /**
   * Moves a partition's stored offset back, from a value known to be stale.
   *
   * @param partition the partition
   * @param from      the stale value (the move happens only if it is still stored)
   * @param to        the new value
   * @return the offset now stored
   * @throws SQLException when PostgreSQL fails
   */
  long resetOffset(int partition, long from, long to) throws SQLException {
    notOnEventLoop();
    Connection c = connection();
    try (PreparedStatement ps = c.prepareStatement("UPDATE kafka_offsets SET next_offset = ?, updated_at = now()"
      + " WHERE group_id = ? AND topic = ? AND partition = ? AND next_offset = ?")) {
      ps.setLong(1, to);
      ps.setString(2, group);
      ps.setString(3, topic);
      ps.setInt(4, partition);
      ps.setLong(5, from);
      ps.executeUpdate();
      c.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw e;
    }
    return storedOffset(partition, to);
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
  Result write(List<ConsumerRecord<byte[], byte[]>> records, Map<TopicPartition, Long> expected) throws FencedException, SQLException {
    notOnEventLoop();
    Map<TopicPartition, Long> next = new HashMap<>();
    List<ConsumerRecord<byte[], byte[]>> corrupt = new ArrayList<>();
    Map<TallyKey, Long> tallies = new HashMap<>();
    encoder.reset();
    TopicPartition tp = null;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (tp == null || tp.partition() != r.partition() || !tp.topic().equals(r.topic())) tp = new TopicPartition(r.topic(), r.partition());
      next.put(tp, r.offset() + 1);
      VoteEvent v;
      try {
        v = VoteEventDescriptor.decode(r.value());
      } catch (CorruptEventException e) {
        corrupt.add(r);
        continue;
      }
      encoder.row(v, r.partition(), r.offset());
      tallies.merge(new TallyKey(v.pollId(), v.option(), r.partition()), 1L, Long::sum);
    }
    Connection c = connection();
    try {
      Result result;
      try {
        copy("COPY votes (" + CopyEncoder.COLUMNS + ") FROM STDIN");
        result = new Result(encoder.rows(), 0, corrupt.size(), tallies, addTallies(tallies), next);
      } catch (SQLException e) {
        if (!"23505".equals(e.getSQLState()) && !"23514".equals(e.getSQLState())) throw e;
        c.rollback(); // a duplicate or an unknown poll: redo the batch row by row through the staging table
        result = viaStaging(corrupt.size(), next);
      }
      keepCorrupt(corrupt);
      moveOffsets(next, expected);
      c.commit();
      return result;
    } catch (SQLException | FencedException | RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
  }

  /** Invariant 7: blocking JDBC on an event loop would stall every connection it serves. */
  private static void notOnEventLoop() {
    if (io.vertx.core.Context.isOnEventLoopThread()) throw new IllegalStateException("blocking JDBC called on an event loop");
  }

  private void copy(String sql) throws SQLException {
    CopyIn in = conn.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
    try {
      if (encoder.length() > 0) in.writeToCopy(encoder.bytes(), 0, encoder.length());
      in.endCopy();
    } finally {
      if (in.isActive()) in.cancelCopy();
    }
  }

  private List<TallyUpdate> addTallies(Map<TallyKey, Long> tallies) throws SQLException {
    List<TallyUpdate> absolute = new ArrayList<>(tallies.size());
    if (tallies.isEmpty()) return absolute;
    Integer[] polls = new Integer[tallies.size()];
    Short[] options = new Short[tallies.size()];
    Integer[] shards = new Integer[tallies.size()];
    Long[] counts = new Long[tallies.size()];
    int i = 0;
    for (Map.Entry<TallyKey, Long> e : tallies.entrySet()) {
      polls[i] = e.getKey().poll();
      options[i] = (short) e.getKey().option();
      shards[i] = e.getKey().shard();
      counts[i++] = e.getValue();
    }
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO tallies (poll_id, option_id, shard, count)"
      + " SELECT * FROM unnest(?::int[], ?::smallint[], ?::int[], ?::bigint[])"
      + " ON CONFLICT (poll_id, option_id, shard) DO UPDATE SET count = tallies.count + EXCLUDED.count, updated_at = now()"
      + " RETURNING poll_id, option_id, shard, count")) {
      Array a = conn.createArrayOf("int4", polls);
      Array b = conn.createArrayOf("int2", options);
      Array s = conn.createArrayOf("int4", shards);
      Array n = conn.createArrayOf("int8", counts);
      ps.setArray(1, a);
      ps.setArray(2, b);
      ps.setArray(3, s);
      ps.setArray(4, n);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) absolute.add(new TallyUpdate(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getLong(4)));
      }
    }
    return absolute;
  }

  private Result viaStaging(int corrupt, Map<TopicPartition, Long> next) throws SQLException {
    try (Statement s = conn.createStatement()) {
      s.execute("CREATE TEMP TABLE IF NOT EXISTS votes_stage (poll_id integer, user_id bigint, option_id smallint, receipt uuid,"
        + " accepted_at timestamptz, client_addr inet, bot_score smallint, kafka_partition integer, kafka_offset bigint) ON COMMIT DELETE ROWS");
    }
    copy("COPY votes_stage (" + CopyEncoder.COLUMNS + ") FROM STDIN");
    String cols = CopyEncoder.COLUMNS;
    String sql = "WITH ins AS ("
      + "  INSERT INTO votes (" + cols + ") SELECT " + cols + " FROM votes_stage s"
      + "  WHERE EXISTS (SELECT 1 FROM polls p WHERE p.id = s.poll_id) ORDER BY kafka_partition, kafka_offset"
      + "  ON CONFLICT DO NOTHING RETURNING poll_id, option_id, kafka_partition, kafka_offset),"
      + " rej AS ("
      + "  INSERT INTO vote_rejects (" + cols + ", reason) SELECT " + cols + ","
      + "   CASE WHEN EXISTS (SELECT 1 FROM polls p WHERE p.id = s.poll_id) THEN '" + DUPLICATE + "' ELSE '" + UNKNOWN_POLL + "' END"
      + "  FROM votes_stage s WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.kafka_partition = s.kafka_partition AND ins.kafka_offset = s.kafka_offset)"
      + "  RETURNING 1),"
      + " tal AS ("
      + "  INSERT INTO tallies (poll_id, option_id, shard, count) SELECT poll_id, option_id, kafka_partition, count(*) FROM ins GROUP BY 1, 2, 3"
      + "  ON CONFLICT (poll_id, option_id, shard) DO UPDATE SET count = tallies.count + EXCLUDED.count, updated_at = now()"
      + "  RETURNING poll_id, option_id, shard, count)"
      + " SELECT 'i', poll_id, option_id, kafka_partition, count(*) FROM ins GROUP BY 2, 3, 4"
      + " UNION ALL SELECT 'r', NULL, NULL, NULL, count(*) FROM rej"
      + " UNION ALL SELECT 't', poll_id, option_id, shard, count FROM tal";
    Map<TallyKey, Long> added = new HashMap<>();
    List<TallyUpdate> absolute = new ArrayList<>();
    int inserted = 0;
    int rejected = 0;
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        long n = rs.getLong(5);
        if (rs.getString(1).equals("r")) {
          rejected = (int) n;
        } else if (rs.getString(1).equals("t")) {
          absolute.add(new TallyUpdate(rs.getInt(2), rs.getInt(3), rs.getInt(4), n));
        } else {
          inserted += (int) n;
          added.put(new TallyKey(rs.getInt(2), rs.getInt(3), rs.getInt(4)), n);
        }
      }
    }
    return new Result(inserted, rejected, corrupt, added, absolute, next);
  }

  private void keepCorrupt(List<ConsumerRecord<byte[], byte[]>> corrupt) throws SQLException {
    if (corrupt.isEmpty()) return;
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO vote_corrupt (kafka_partition, kafka_offset, payload, error)"
      + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      for (ConsumerRecord<byte[], byte[]> r : corrupt) {
        String error;
        try {
          VoteEventDescriptor.check(r.value());
          error = "unreadable";
        } catch (CorruptEventException e) {
          error = e.getMessage();
        }
        ps.setInt(1, r.partition());
        ps.setLong(2, r.offset());
        ps.setBytes(3, r.value());
        ps.setString(4, error);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** One statement moves every partition of the batch, each only from the offset this writer expects. */
  private void moveOffsets(Map<TopicPartition, Long> next, Map<TopicPartition, Long> expected) throws SQLException, FencedException {
    if (next.isEmpty()) return;
    Integer[] parts = new Integer[next.size()];
    Long[] to = new Long[next.size()];
    Long[] from = new Long[next.size()];
    int i = 0;
    for (Map.Entry<TopicPartition, Long> e : next.entrySet()) {
      Long f = expected.get(e.getKey());
      if (f == null) throw new FencedException(e.getKey());
      parts[i] = e.getKey().partition();
      to[i] = e.getValue();
      from[i++] = f;
    }
    try (PreparedStatement ps = conn.prepareStatement("UPDATE kafka_offsets k SET next_offset = v.next_offset, updated_at = now()"
      + " FROM unnest(?::int[], ?::bigint[], ?::bigint[]) AS v(partition, next_offset, expected)"
      + " WHERE k.group_id = ? AND k.topic = ? AND k.partition = v.partition AND k.next_offset = v.expected")) {
      ps.setArray(1, conn.createArrayOf("int4", parts));
      ps.setArray(2, conn.createArrayOf("int8", to));
      ps.setArray(3, conn.createArrayOf("int8", from));
      ps.setString(4, group);
      ps.setString(5, topic);
      if (ps.executeUpdate() != parts.length) throw new FencedException(next.keySet().iterator().next());
    }
  }

  private Connection connection() throws SQLException {
    if (conn == null || conn.isClosed()) {
      Properties p = new Properties();
      p.setProperty("user", pg.user());
      if (!pg.password().isEmpty()) p.setProperty("password", pg.password());
      p.setProperty("ApplicationName", "landslide-writer");
      p.setProperty("reWriteBatchedInserts", "true");
      conn = DriverManager.getConnection(pg.jdbcUrl(), p);
      conn.setAutoCommit(false);
    }
    return conn;
  }

  private void rollbackQuietly() {
    try {
      if (conn != null && !conn.isClosed()) conn.rollback();
    } catch (SQLException e) {
      closeQuietly(); // a broken connection is replaced on next use
    }
  }

  private void closeQuietly() {
    try {
      if (conn != null) conn.close();
    } catch (SQLException ignored) {
      // already broken
    } finally {
      conn = null;
    }
  }

  @Override
  public void close() {
    closeQuietly();
  }
}
