package io.landslide.writer.store;

import io.landslide.codec.CorruptEventException;
import io.landslide.codec.TallyUpdate;
import io.landslide.codec.VoteEventDescriptor;
import io.landslide.writer.store.BatchWriter.TallyKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The statements on the vote tables ({@code votes}, {@code tallies}, {@code vote_rejects}, {@code vote_corrupt}),
 * each run inside the caller's open transaction: {@link BatchWriter} commits or rolls back.
 */
final class VoteStore {
  private static final String COPY_VOTES = "COPY votes (" + CopyEncoder.COLUMNS + ") FROM STDIN";
  /** Tallies sharded by partition: a shard's count grows by the rows the batch inserted. */
  private static final String ADD_TALLIES = "INSERT INTO tallies (poll_id, option_id, shard, count)"
    + " SELECT * FROM unnest(?::int[], ?::smallint[], ?::int[], ?::bigint[])"
    + " ON CONFLICT (poll_id, option_id, shard) DO UPDATE SET count = tallies.count + EXCLUDED.count, updated_at = now()"
    + " RETURNING poll_id, option_id, shard, count";
  private static final String CREATE_STAGE = "CREATE TEMP TABLE IF NOT EXISTS votes_stage (poll_id integer, user_id bigint,"
    + " option_id smallint, receipt uuid, accepted_at timestamptz, client_addr inet, bot_score smallint, kafka_partition integer,"
    + " kafka_offset bigint) ON COMMIT DELETE ROWS";
  private static final String COPY_STAGE = "COPY votes_stage (" + CopyEncoder.COLUMNS + ") FROM STDIN";
  /**
   * New rows into votes, the others into vote_rejects with the reason (no such poll, sealed, accepted at or after the
   * poll's closing time, a duplicate), tallies by rows inserted: one statement. The
   * inserted rows come back one by one (for the log), in {@code (kafka_partition, kafka_offset)} order. Parameters:
   * the sealed polls, twice.
   */
  private static final String FROM_STAGE = "WITH ins AS ("
    + "  INSERT INTO votes (" + CopyEncoder.COLUMNS + ") SELECT " + CopyEncoder.COLUMNS + " FROM votes_stage s"
    + "  WHERE EXISTS (SELECT 1 FROM polls p WHERE p.id = s.poll_id AND (p.closes_at IS NULL OR s.accepted_at < p.closes_at))"
    + "  AND s.poll_id <> ALL(?::int[]) ORDER BY kafka_partition, kafka_offset"
    + "  ON CONFLICT DO NOTHING RETURNING poll_id, option_id, receipt, kafka_partition, kafka_offset, user_id),"
    + " rej AS ("
    + "  INSERT INTO vote_rejects (" + CopyEncoder.COLUMNS + ", reason) SELECT " + CopyEncoder.COLUMNS + ","
    + "   CASE WHEN NOT EXISTS (SELECT 1 FROM polls p WHERE p.id = s.poll_id) THEN '" + BatchWriter.UNKNOWN_POLL + "'"
    + "   WHEN s.poll_id = ANY(?::int[]) THEN '" + BatchWriter.SEALED + "'"
    + "   WHEN EXISTS (SELECT 1 FROM polls p WHERE p.id = s.poll_id AND s.accepted_at >= p.closes_at) THEN '" + BatchWriter.CLOSED + "'"
    + "   ELSE '" + BatchWriter.DUPLICATE + "' END"
    + "  FROM votes_stage s WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.kafka_partition = s.kafka_partition AND ins.kafka_offset = s.kafka_offset)"
    + "  RETURNING 1),"
    + " tal AS ("
    + "  INSERT INTO tallies (poll_id, option_id, shard, count) SELECT poll_id, option_id, kafka_partition, count(*) FROM ins GROUP BY 1, 2, 3"
    + "  ON CONFLICT (poll_id, option_id, shard) DO UPDATE SET count = tallies.count + EXCLUDED.count, updated_at = now()"
    + "  RETURNING poll_id, option_id, shard, count)"
    + " SELECT * FROM ("
    + "  SELECT 'i' AS kind, poll_id, option_id, kafka_partition, kafka_offset, receipt, user_id FROM ins"
    + "  UNION ALL SELECT 'r', NULL, NULL, NULL, count(*), NULL, NULL FROM rej"
    + "  UNION ALL SELECT 't', poll_id, option_id, shard, count, NULL, NULL FROM tal) x"
    + " ORDER BY kind, kafka_partition, kafka_offset";
  private static final String KEEP_CORRUPT = "INSERT INTO vote_corrupt (topic, kafka_partition, kafka_offset, payload, error)"
    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

  private VoteStore() {
  }

  /** The fast path: the encoded rows straight into the partitioned votes. */
  static void copyVotes(Connection c, CopyEncoder rows) throws SQLException {
    copy(c, COPY_VOTES, rows);
  }

  /** @return per shard the batch changed, its absolute count after adding {@code tallies} */
  static List<TallyUpdate> addTallies(Connection c, Map<TallyKey, Long> tallies) throws SQLException {
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
    try (PreparedStatement ps = c.prepareStatement(ADD_TALLIES)) {
      ps.setArray(1, c.createArrayOf("int4", polls));
      ps.setArray(2, c.createArrayOf("int2", options));
      ps.setArray(3, c.createArrayOf("int4", shards));
      ps.setArray(4, c.createArrayOf("int8", counts));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) absolute.add(new TallyUpdate(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getLong(4)));
      }
    }
    return absolute;
  }

  /**
   * What the slow path wrote.
   *
   * @param inserted rows inserted
   * @param rejected rows kept in vote_rejects
   * @param added    per shard, the votes added
   * @param absolute per shard changed, its count after the batch
   */
  record Staged(int inserted, int rejected, Map<TallyKey, Long> added, List<TallyUpdate> absolute) {
  }

  /**
   * The slow path, after a duplicate, an unknown poll or a sealed poll: row by row through the staging table.
   *
   * @param sealed the polls whose votes are kept in vote_rejects, not counted
   * @param logged filled with the inserted rows, for the log
   */
  static Staged viaStaging(Connection c, CopyEncoder rows, int[] sealed, VoteLog.Rows logged) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(CREATE_STAGE);
    }
    copy(c, COPY_STAGE, rows);
    Map<TallyKey, Long> added = new HashMap<>();
    List<TallyUpdate> absolute = new ArrayList<>();
    int inserted = 0;
    int rejected = 0;
    Integer[] boxed = new Integer[sealed.length];
    for (int i = 0; i < sealed.length; i++) boxed[i] = sealed[i];
    try (PreparedStatement ps = c.prepareStatement(FROM_STAGE)) {
      ps.setArray(1, c.createArrayOf("int4", boxed));
      ps.setArray(2, c.createArrayOf("int4", boxed));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long n = rs.getLong(5);
          switch (rs.getString(1)) {
            case "r" -> rejected = (int) n;
            case "t" -> absolute.add(new TallyUpdate(rs.getInt(2), rs.getInt(3), rs.getInt(4), n));
            default -> {
              inserted++;
              java.util.UUID receipt = (java.util.UUID) rs.getObject(6);
              logged.add(rs.getInt(2), rs.getInt(3), receipt.getMostSignificantBits(), receipt.getLeastSignificantBits(), rs.getInt(4), n, rs.getLong(7));
              added.merge(new TallyKey(rs.getInt(2), rs.getInt(3), rs.getInt(4)), 1L, Long::sum);
            }
          }
        }
      }
    }
    return new Staged(inserted, rejected, added, absolute);
  }

  /**
   * Records that do not decode, or that no poll can count, kept with the reason (a replay keeps them once).
   *
   * @param errors per record, why it is kept; null: it does not decode, and the decoder says why
   */
  static void keepCorrupt(Connection c, List<ConsumerRecord<byte[], byte[]>> corrupt, List<String> errors) throws SQLException {
    if (corrupt.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement(KEEP_CORRUPT)) {
      for (int i = 0; i < corrupt.size(); i++) {
        ConsumerRecord<byte[], byte[]> r = corrupt.get(i);
        String error = errors.get(i);
        if (error == null) {
          try {
            VoteEventDescriptor.check(r.value());
            error = "unreadable";
          } catch (CorruptEventException e) {
            error = e.getMessage();
          }
        }
        ps.setString(1, r.topic());
        ps.setInt(2, r.partition());
        ps.setLong(3, r.offset());
        ps.setBytes(4, r.value());
        ps.setString(5, error);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void copy(Connection c, String sql, CopyEncoder rows) throws SQLException {
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
    try {
      if (rows.length() > 0) in.writeToCopy(rows.bytes(), 0, rows.length());
      in.endCopy();
    } finally {
      if (in.isActive()) in.cancelCopy();
    }
  }
}
