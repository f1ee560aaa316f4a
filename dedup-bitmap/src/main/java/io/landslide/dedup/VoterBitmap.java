package io.landslide.dedup;

import io.landslide.dedup.impl.RedisVoterBitmap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Who has voted in a poll: one bit per user index, in chunked Redis bitmaps. The fast path of duplicate
 * detection; PostgreSQL's primary key stays the final guard. After Redis lost bits, {@link #rebuild} restores
 * them from a {@link VoterSource} (the edge's reads PostgreSQL; this library knows no database).
 *
 * <p>User {@code u} of poll {@code p} is bit {@code u mod 2^k} of key {@code <prefix>p:(u >> k)} (prefix
 * {@code vb:<database>:} by default). Claiming is a
 * single {@code SETBIT}: the old bit says whether the user had already voted, so test and set are one
 * atomic step. Commands from concurrent requests are pipelined on one connection per instance: create one
 * instance per event loop (verticle instance).
 *
 * <p>When Redis is unreachable or slow, {@link #claim} answers {@link Claim#UNKNOWN} within the
 * configured timeout instead of failing: the caller lets the vote through and relies on PostgreSQL.
 */
public interface VoterBitmap {

  /** The outcome of a claim. */
  enum Claim {
    /** The bit was clear and is now set: this is the user's first vote. */
    CLAIMED,
    /** The bit was already set: the user has voted. */
    ALREADY_CLAIMED,
    /**
     * The bit was already set by a claim in doubt ({@link VoterBitmap#doubt}): its vote may or may not be in the log,
     * until {@link VoterBitmap#reconcile} settles it.
     */
    IN_DOUBT,
    /** Redis did not answer in time: nothing is known, nothing may have been set. */
    UNKNOWN
  }

  /**
   * @param vertx   the Vert.x instance
   * @param options where Redis is and how the bitmap is laid out
   * @return a bitmap client whose connection belongs to the calling context
   */
  static VoterBitmap create(Vertx vertx, BitmapOptions options) {
    return new RedisVoterBitmap(vertx, options);
  }

  /**
   * Opens the connection now rather than on the first claim (a cold connect can take longer than the
   * claim deadline).
   *
   * @return succeeds once connected; fails when Redis is unreachable (claims then answer UNKNOWN)
   */
  Future<Void> connect();

  /**
   * Sets the user's bit.
   *
   * @param poll the poll id
   * @param user the user index
   * @return whether this call set it; never a failed future
   */
  Future<Claim> claim(int poll, long user);

  /**
   * Clears the user's bit, so the user can vote again (after a vote that could not be made durable).
   * Retried a few times before it fails.
   *
   * @param poll the poll id
   * @param user the user index
   * @return whether the bit was set before; fails when Redis could not be reached
   */
  Future<Boolean> release(int poll, long user);

  /**
   * Says that the user's vote is durable (Kafka acknowledged it): the claim is no longer pending. Sent with the next
   * batch of claims; its answer is not awaited (a confirm that got lost is settled by {@link #reconcile}).
   *
   * @param poll the poll id
   * @param user the user index
   */
  void confirm(int poll, long user);

  /**
   * Marks the user's pending claim in doubt: its produce failed after the vote went out, so it may be in the log. A
   * claim of the user then answers {@link Claim#IN_DOUBT} (not {@link Claim#ALREADY_CLAIMED}) until the claim is
   * settled by {@link #reconcile}.
   *
   * @param poll the poll id
   * @param user the user index
   * @return done; fails when Redis could not be reached (the claim stays pending all the same)
   */
  Future<Void> doubt(int poll, long user);

  /**
   * Settles the claims still pending since {@code graceMs} ago (by the Redis server's clock): a claim whose vote was
   * never confirmed, because the edge died between claim and produce, the produce failed with the claim's answer lost,
   * or a release failed. Once {@code records} are caught up, a pending user with a vote written is confirmed; one
   * without has their bit cleared, so the user is free to vote again rather than refused as having voted. The clear
   * is conditional (the user still pending, since no later than the cut-off) and atomic with it.
   *
   * <p>Safe when {@code graceMs} is longer than any produce can take (the producer's delivery timeout and a margin):
   * a vote claimed before the cut-off has then reached the log before the records are asked, or never will.
   *
   * @param records what is written
   * @param graceMs how old a pending claim must be
   * @param limit   at most this many claims per call
   * @return what was settled; fails when Redis or the records failed (nothing is cleared then)
   */
  Future<Reconciled> reconcile(VoteRecords records, long graceMs, int limit);

  /**
   * What a {@link #reconcile} did.
   *
   * @param pending   pending claims older than the grace that it looked at
   * @param confirmed of those, users with a vote written: confirmed, bit kept
   * @param released  of those, users with no vote: bit cleared
   */
  record Reconciled(long pending, long confirmed, long released) {
    /** Nothing was pending. */
    public static final Reconciled NONE = new Reconciled(0, 0, 0);
  }

  /**
   * @param poll the poll id
   * @param user the user index
   * @return whether the user's bit is set; fails when Redis could not be reached
   */
  Future<Boolean> isClaimed(int poll, long user);

  /**
   * @param poll the poll id
   * @return how many bits are set in the poll's bitmap, over all its chunks
   */
  Future<Long> count(int poll);

  /**
   * Deletes every key of the poll: a new poll starts with no voters, whatever an earlier database with
   * the same poll ids left in Redis.
   *
   * @param poll the poll id
   * @return how many keys were deleted
   */
  Future<Long> clear(int poll);

  /**
   * Sets the bit of every user the source names for the poll, merging with (never clearing) the bits already
   * set, so votes claimed meanwhile keep theirs; used after Redis lost data. One chunk is held in memory at a
   * time and OR-ed into its key, whatever the poll's size.
   *
   * @param poll   the poll id
   * @param voters the poll's voters (the edge's: the rows of PostgreSQL's {@code votes})
   * @return how many users were read from the source; fails when the source or Redis failed
   */
  Future<Long> rebuild(int poll, VoterSource voters);

  /**
   * Marks the poll's bitmap as complete (a sentinel key beside the chunks). Redis losing its data (a restart
   * without persistence, a failover, a flush) loses the sentinel too, which {@link #rebuildIfLost} notices.
   *
   * @param poll the poll id
   * @return done
   */
  Future<Void> markComplete(int poll);

  /**
   * {@link #rebuild Rebuilds} the poll's bitmap from the source if its sentinel is gone, then sets the
   * sentinel. Several edges may call this at once: a short lock in Redis lets one rebuild while the others skip.
   *
   * @param poll   the poll id
   * @param voters the poll's voters
   * @return the users restored, or -1 when nothing was lost or another caller is rebuilding
   */
  Future<Long> rebuildIfLost(int poll, VoterSource voters);

  /** @return succeeds when Redis answers a PING within the timeout */
  Future<Void> ping();

  /** @return closes the connection */
  Future<Void> close();
}
