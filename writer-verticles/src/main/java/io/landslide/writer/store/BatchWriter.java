package io.landslide.writer.store;

import io.landslide.codec.CorruptEventException;
import io.landslide.codec.TallyUpdate;
import io.landslide.codec.VoteEvent;
import io.landslide.codec.VoteEventDescriptor;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
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
 */
public final class BatchWriter {
  /** The {@code vote_rejects.reason} of a second vote of the same user in the same poll. */
  public static final String DUPLICATE = "duplicate";
  /** The {@code vote_rejects.reason} of a vote for a poll that does not exist. */
  public static final String UNKNOWN_POLL = "unknown_poll";
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String CHECK_VIOLATION = "23514";

  private final WriterConnection connection;
  private final OffsetStore offsets;
  private final CopyEncoder encoder = new CopyEncoder();

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
  public record Result(int inserted, int rejected, int corrupt, Map<TallyKey, Long> tallies, List<TallyUpdate> absolute,
                       Map<TopicPartition, Long> next) {
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
    Result result;
    try {
      VoteStore.copyVotes(c, encoder);
      result = new Result(encoder.rows(), 0, corrupt.size(), tallies, VoteStore.addTallies(c, tallies), next);
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState()) && !CHECK_VIOLATION.equals(e.getSQLState())) throw e;
      c.rollback(); // a duplicate or an unknown poll: redo the batch row by row through the staging table
      result = VoteStore.viaStaging(c, encoder, corrupt.size(), next);
    }
    VoteStore.keepCorrupt(c, corrupt);
    offsets.move(c, next, expected);
    return result;
  }
}
