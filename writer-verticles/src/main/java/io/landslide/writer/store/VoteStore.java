package io.landslide.writer.store;

import io.landslide.codec.CorruptEventException;
import io.landslide.codec.TallyUpdate;
import io.landslide.codec.VoteEventDescriptor;
import io.landslide.writer.store.BatchWriter.Result;
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
  /** New rows into votes, the others into vote_rejects with the reason, tallies by rows inserted: one statement. */
  private static final String FROM_STAGE = "WITH ins AS ("
    + "  INSERT INTO votes (" + CopyEncoder.COLUMNS + ") SELECT " + CopyEncoder.COLUMNS + " FROM votes_stage s"
    + "  WHERE EXISTS (SELECT 1 FROM polls p WHERE p.id = s.poll_id) ORDER BY kafka_partition, kafka_offset"
    + "  ON CONFLICT DO NOTHING RETURNING poll_id, option_id, kafka_partition, kafka_offset),"
    + " rej AS ("
    + "  INSERT INTO vote_rejects (" + CopyEncoder.COLUMNS + ", reason) SELECT " + CopyEncoder.COLUMNS + ","
    + "   CASE WHEN EXISTS (SELECT 1 FROM polls p WHERE p.id = s.poll_id) THEN '" + BatchWriter.DUPLICATE + "'"
    + " ELSE '" + BatchWriter.UNKNOWN_POLL + "' END"
    + "  FROM votes_stage s WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.kafka_partition = s.kafka_partition AND ins.kafka_offset = s.kafka_offset)"
    + "  RETURNING 1),"
    + " tal AS ("
    + "  INSERT INTO tallies (poll_id, option_id, shard, count) SELECT poll_id, option_id, kafka_partition, count(*) FROM ins GROUP BY 1, 2, 3"
    + "  ON CONFLICT (poll_id, option_id, shard) DO UPDATE SET count = tallies.count + EXCLUDED.count, updated_at = now()"
    + "  RETURNING poll_id, option_id, shard, count)"
    + " SELECT 'i', poll_id, option_id, kafka_partition, count(*) FROM ins GROUP BY 2, 3, 4"
    + " UNION ALL SELECT 'r', NULL, NULL, NULL, count(*) FROM rej"
    + " UNION ALL SELECT 't', poll_id, option_id, shard, count FROM tal";
  private static final String KEEP_CORRUPT = "INSERT INTO vote_corrupt (kafka_partition, kafka_offset, payload, error)"
    + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";

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

  /** The slow path, after a duplicate or an unknown poll: row by row through the staging table. */
  static Result viaStaging(Connection c, CopyEncoder rows, int corrupt, Map<TopicPartition, Long> next) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(CREATE_STAGE);
    }
    copy(c, COPY_STAGE, rows);
    Map<TallyKey, Long> added = new HashMap<>();
    List<TallyUpdate> absolute = new ArrayList<>();
    int inserted = 0;
    int rejected = 0;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(FROM_STAGE)) {
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

  /** Records that do not decode, kept with the reason (a replay keeps them once). */
  static void keepCorrupt(Connection c, List<ConsumerRecord<byte[], byte[]>> corrupt) throws SQLException {
    if (corrupt.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement(KEEP_CORRUPT)) {
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
