package io.landslide.dedup;

import io.vertx.core.Future;
import java.util.Set;

/**
 * What the system of record knows of votes, as far as a {@link VoterBitmap#reconcile reconciliation} needs: whether
 * every vote produced so far has been written, and which users of a poll have a vote written. The edge implements it
 * over Kafka's end offsets and PostgreSQL ({@code kafka_offsets}, {@code votes}); a test can implement it over a set.
 */
public interface VoteRecords {

  /**
   * @return succeeds once every vote that reached the log before this call is written (the writers committed past
   *         the log's end offsets as of the call); fails when that is not so within the implementation's deadline
   *         (writers down or behind: reconcile later)
   */
  Future<Void> caughtUp();

  /**
   * @param poll  the poll id
   * @param users user ids of the poll
   * @return those of them who have a vote written
   */
  Future<Set<Long>> written(int poll, long[] users);
}
