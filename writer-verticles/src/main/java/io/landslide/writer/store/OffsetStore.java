package io.landslide.writer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The next offset of each partition, stored in PostgreSQL ({@code kafka_offsets}) per consumer group and topic
 * (invariant 4): read when a partition is assigned, moved in the same transaction as the batch it covers.
 * Blocking JDBC: call it only from a worker thread.
 *
 * <p>Offsets fence writers: a partition's stored offset moves only from the value this writer read at
 * assignment (or last committed). A writer that lost its partitions (a zombie after a rebalance) finds the
 * offset moved, and its whole transaction is rolled back ({@link FencedException}).
 */
public final class OffsetStore {
  private static final String CREATE = "INSERT INTO kafka_offsets (group_id, topic, partition, next_offset)"
    + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
  private static final String READ = "SELECT next_offset FROM kafka_offsets WHERE group_id = ? AND topic = ? AND partition = ?";
  private static final String RESET = "UPDATE kafka_offsets SET next_offset = ?, updated_at = now()"
    + " WHERE group_id = ? AND topic = ? AND partition = ? AND next_offset = ?";
  /** Every partition of a batch in one statement, each only from the offset this writer expects. */
  private static final String MOVE = "UPDATE kafka_offsets k SET next_offset = v.next_offset, updated_at = now()"
    + " FROM unnest(?::int[], ?::bigint[], ?::bigint[]) AS v(partition, next_offset, expected)"
    + " WHERE k.group_id = ? AND k.topic = ? AND k.partition = v.partition AND k.next_offset = v.expected";
  private static final Logger LOG = LoggerFactory.getLogger(OffsetStore.class);

  private final WriterConnection connection;
  private final String group;
  private final String topic;

  /**
   * @param connection the writer's connection (shared with its {@link BatchWriter}: one transaction for both)
   * @param group      the consumer group, the key of the stored offsets
   * @param topic      the votes topic
   */
  public OffsetStore(WriterConnection connection, String group, String topic) {
    this.connection = connection;
    this.group = group;
    this.topic = topic;
  }

  /**
   * Where an assigned partition resumes: its stored offset, or the log start when the stored offset is past
   * the log end (the topic was deleted and created again under the same name: its old offsets mean nothing).
   *
   * @param tp       the assigned partition
   * @param logStart the partition's first offset
   * @param logEnd   the partition's end offset
   * @return the offset to seek to, now stored
   * @throws SQLException when PostgreSQL fails
   */
  public long resumeAt(TopicPartition tp, long logStart, long logEnd) throws SQLException {
    long offset = storedOffset(tp.partition(), logStart);
    if (offset <= logEnd) return offset;
    LOG.error("stored offset {} of {} is past the log end {}: the topic was recreated; starting at {}", offset, tp, logEnd, logStart);
    return resetOffset(tp.partition(), offset, logStart);
  }

  /**
   * The stored next offset of a partition, created at {@code initial} when the group never wrote it.
   *
   * @param partition the partition
   * @param initial   where to start when nothing is stored (the log start)
   * @return the offset to seek to
   * @throws SQLException when PostgreSQL fails
   */
  public long storedOffset(int partition, long initial) throws SQLException {
    return connection.inTransaction(c -> {
      try (PreparedStatement ins = c.prepareStatement(CREATE); PreparedStatement sel = c.prepareStatement(READ)) {
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
          return rs.getLong(1);
        }
      }
    });
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
  public long resetOffset(int partition, long from, long to) throws SQLException {
    connection.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(RESET)) {
        ps.setLong(1, to);
        ps.setString(2, group);
        ps.setString(3, topic);
        ps.setInt(4, partition);
        ps.setLong(5, from);
        return ps.executeUpdate();
      }
    });
    return storedOffset(partition, to);
  }

  /**
   * Moves every partition of a batch to its next offset, inside the caller's open transaction (no commit).
   *
   * @param c        the connection, in the batch's transaction
   * @param next     per partition of the batch, the offset after its last record
   * @param expected per partition this writer owns, the stored offset it expects to move from
   * @throws FencedException when a partition is not this writer's or its offset moved (the caller rolls back)
   */
  void move(Connection c, Map<TopicPartition, Long> next, Map<TopicPartition, Long> expected) throws SQLException, FencedException {
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
    try (PreparedStatement ps = c.prepareStatement(MOVE)) {
      ps.setArray(1, c.createArrayOf("int4", parts));
      ps.setArray(2, c.createArrayOf("int8", to));
      ps.setArray(3, c.createArrayOf("int8", from));
      ps.setString(4, group);
      ps.setString(5, topic);
      if (ps.executeUpdate() != parts.length) throw new FencedException(next.keySet().iterator().next());
    }
  }
}
