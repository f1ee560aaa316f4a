package io.landslide.writer.store;

import io.landslide.codec.tlog.Frontier;
import io.landslide.codec.tlog.TilePath;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Appends a batch's inserted votes to their polls' logs ({@code docs/audit.md}), inside the batch's transaction:
 * <ol>
 *   <li>locks the polls' {@code vote_log} rows, in poll order (two writers never deadlock; the lock is each poll's
 *       sequencer, held only from here to the commit: the batch's {@code COPY} ran before, in parallel with other
 *       writers);</li>
 *   <li>appends each inserted vote's entry, in {@code (kafka_partition, kafka_offset)} order, to the stored frontier;</li>
 *   <li>writes the order (the votes' user ids in chunks within one tile: the entries themselves are derived from the
 *       votes by {@code landslide_log_entries}, never stored twice), the completed subtrees of height 8, 16, ... (for
 *       the hash tiles), the runs that map a vote's offset to its leaf, and the new head: one statement.</li>
 * </ol>
 * Rolled back with the votes, so the log's state is always the state of the votes it covers. Not thread-safe.
 */
final class VoteLog {
  /** A poll's log was sealed (its result signed): its votes must not be counted. */
  static final class SealedException extends Exception {
    final int[] polls;

    SealedException(int[] polls) {
      super("votes for sealed polls " + Arrays.toString(polls));
      this.polls = polls;
    }
  }

  /**
   * The inserted votes of a batch, in {@code (kafka_partition, kafka_offset)} order: parallel arrays, reused. Each
   * vote's entry and leaf hash depend on the vote alone: {@link #hashAhead()} computes them on the log's own thread
   * while the batch's {@code COPY} runs, outside the poll's lock; only the tree's append is left for the lock. The
   * receipt's commitment is computed here from the receipt, not copied from the vote's event: the served entries are
   * derived from the receipt in the vote's row, and a faulty edge's commitment must not make the tree disagree with
   * them. A poll known to have no log is not hashed.
   */
  final class Rows {
    int size;
    int[] poll = new int[256];
    int[] option = new int[256];
    long[] receiptHi = new long[256];
    long[] receiptLo = new long[256];
    int[] partition = new int[256];
    long[] offset = new long[256];
    long[] user = new long[256];
    boolean[] hashed = new boolean[256];
    /** Whether the row's poll was thought to have a log when it was added: {@link #hashAhead()} hashes those. */
    boolean[] logged = new boolean[256];
    /** The last poll added, and whether it has a log (a batch is mostly one poll: no boxed lookup a vote). */
    private int lastPoll;
    private boolean lastLogged;
    /** Row {@code i}'s leaf hash at {@code i * TreeHash.SIZE}. */
    byte[] leaves = new byte[256 * TreeHash.SIZE];

    void clear() {
      size = 0;
      lastPoll = 0;
    }

    void add(int poll, int option, long receiptHi, long receiptLo, int partition, long offset, long user) {
      if (size == this.poll.length) {
        int n = size * 2;
        this.poll = Arrays.copyOf(this.poll, n);
        this.option = Arrays.copyOf(this.option, n);
        this.receiptHi = Arrays.copyOf(this.receiptHi, n);
        this.receiptLo = Arrays.copyOf(this.receiptLo, n);
        this.partition = Arrays.copyOf(this.partition, n);
        this.offset = Arrays.copyOf(this.offset, n);
        this.user = Arrays.copyOf(this.user, n);
        this.hashed = Arrays.copyOf(this.hashed, n);
        this.logged = Arrays.copyOf(this.logged, n);
        this.leaves = Arrays.copyOf(this.leaves, n * TreeHash.SIZE);
      }
      this.poll[size] = poll;
      this.option[size] = option;
      this.receiptHi[size] = receiptHi;
      this.receiptLo[size] = receiptLo;
      this.partition[size] = partition;
      this.offset[size] = offset;
      this.user[size] = user;
      if (poll != lastPoll || lastPoll == 0) {
        lastPoll = poll;
        lastLogged = !unlogged.contains(poll);
      }
      this.hashed[size] = false;
      this.logged[size] = lastLogged;
      size++;
    }

    /**
     * Computes row {@code i}'s leaf hash, with the given digest and leaf buffer: its entry is written straight into the
     * leaf's input (after the leaf's prefix byte), where the leaf hash reads it, and kept nowhere else.
     */
    void hash(int i, MessageDigest digest, byte[] input) {
      VoteEntry.write(digest, poll[i], option[i], receiptHi[i], receiptLo[i], input, 1);
      TreeHash.leaf(digest, input, input, 1, VoteEntry.SIZE, leaves, i * TreeHash.SIZE);
      hashed[i] = true;
    }
  }

  /** Below this many rows a batch is hashed in the caller's thread: handing it over would cost more than it saves. */
  static final int HASH_AHEAD_MIN = 256;
  /**
   * The log's hashing thread, shared by every writer of the process (each batch hands over one task; the thread ends
   * when idle). A consumer's next batch never starts before its previous hashing ended ({@link #awaitHashing()}).
   */
  private static final java.util.concurrent.ThreadPoolExecutor HASHER = hasher();
  private final MessageDigest aheadSha = TreeHash.sha256();
  private final byte[] aheadInput = new byte[1 + VoteEntry.SIZE];
  private java.util.concurrent.Future<?> hashing;

  private static java.util.concurrent.ThreadPoolExecutor hasher() {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    java.util.concurrent.ThreadPoolExecutor e = new java.util.concurrent.ThreadPoolExecutor(threads, threads, 30, java.util.concurrent.TimeUnit.SECONDS,
      new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "vote-log-hash");
        t.setDaemon(true);
        return t;
      });
    e.allowCoreThreadTimeOut(true);
    return e;
  }

  /**
   * Starts hashing the batch's rows (those of polls thought to have a log) on the log's thread: the caller writes the
   * votes meanwhile, and must not touch {@link #rows()} until {@link #append} or {@link #awaitHashing()} returns.
   */
  void hashAhead() {
    awaitHashing();
    Rows r = rows;
    int n = r.size;
    if (n < HASH_AHEAD_MIN) {
      for (int i = 0; i < n; i++) if (r.logged[i]) r.hash(i, sha, leafInput);
      return;
    }
    hashing = HASHER.submit(() -> {
      for (int i = 0; i < n; i++) if (r.logged[i]) r.hash(i, aheadSha, aheadInput);
    });
  }

  /** Waits for {@link #hashAhead()}'s work, if any: the rows are this thread's again. */
  void awaitHashing() {
    java.util.concurrent.Future<?> h = hashing;
    if (h == null) return;
    hashing = null;
    boolean interrupted = false;
    while (true) {
      try {
        h.get();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the rows must not be reused while the hashing runs: wait it out
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("hashing the batch's log entries failed", e.getCause());
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }

  private static final String LOCK = "SELECT poll_id, size, frontier, sealed_at IS NOT NULL FROM vote_log"
    + " WHERE poll_id = ANY(?) ORDER BY poll_id FOR UPDATE";
  private static final String APPEND = "WITH"
    + " e AS (INSERT INTO log_order (poll_id, first_leaf, users) SELECT * FROM unnest(?::int[], ?::bigint[], ?::bytea[])),"
    + " n AS (INSERT INTO log_nodes (poll_id, height, idx, hash) SELECT * FROM unnest(?::int[], ?::smallint[], ?::bigint[], ?::bytea[])),"
    + " r AS (INSERT INTO log_runs (poll_id, kafka_partition, first_offset, count, first_leaf)"
    + "   SELECT * FROM unnest(?::int[], ?::int[], ?::bigint[], ?::int[], ?::bigint[]))"
    + " UPDATE vote_log l SET size = u.size, frontier = u.frontier, root = u.root, updated_at = now()"
    + " FROM unnest(?::int[], ?::bigint[], ?::bytea[], ?::bytea[]) AS u(poll_id, size, frontier, root) WHERE l.poll_id = u.poll_id";
  /** Heights of the subtrees kept for hash tiles: every tile level's hashes but level 0's. */
  private static final int TILE = TilePath.HEIGHT;

  private final MessageDigest sha = TreeHash.sha256();
  private final Rows rows = new Rows();
  /** A leaf's input: reused by every vote. */
  private final byte[] leafInput = new byte[1 + VoteEntry.SIZE];
  /** Polls seen to have no log (created before it existed): their votes are counted, not hashed. */
  private final java.util.Set<Integer> unlogged = new java.util.HashSet<>();
  /** Bytes of a user id in the log's order. */
  static final int USER = 4;
  private final byte[] chunk = new byte[TilePath.FULL * USER];
  // What one append writes, reused across batches.
  private final List<Object[]> entries = new ArrayList<>();
  private final List<Object[]> nodes = new ArrayList<>();
  private final List<Object[]> runs = new ArrayList<>();
  private final List<Object[]> heads = new ArrayList<>();

  /** @return the batch's rows to fill, cleared (after any hashing of the previous batch's ended) */
  Rows rows() {
    awaitHashing();
    rows.clear();
    return rows;
  }

  /**
   * Appends {@link #rows()} to their polls' logs. Votes of a poll without a log (created before the log existed)
   * are counted but not logged.
   *
   * @param c the batch's connection, in its transaction
   * @return the polls whose logs grew
   * @throws SealedException when a poll of the batch was sealed (nothing appended; the caller rolls back)
   * @throws SQLException    when PostgreSQL fails
   */
  int[] append(Connection c) throws SQLException, SealedException {
    awaitHashing();
    if (rows.size == 0) return new int[0];
    int[] polls = distinctPolls();
    List<Integer> sealed = new ArrayList<>();
    List<Object[]> logs = new ArrayList<>(); // poll, size, frontier
    try (PreparedStatement ps = c.prepareStatement(LOCK)) {
      ps.setArray(1, c.createArrayOf("int4", box(polls)));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getBoolean(4)) sealed.add(rs.getInt(1));
          else logs.add(new Object[] {rs.getInt(1), rs.getLong(2), rs.getBytes(3)});
        }
      }
    }
    if (logs.size() + sealed.size() < polls.length) { // some polls have no log: skip their hashing from the next batch
      if (unlogged.size() > 10_000) unlogged.clear();
      for (int p : polls) unlogged.add(p);
      for (Object[] log : logs) unlogged.remove((Integer) log[0]);
      for (int p : sealed) unlogged.remove(p);
    }
    if (!sealed.isEmpty()) throw new SealedException(sealed.stream().mapToInt(Integer::intValue).toArray());
    entries.clear();
    nodes.clear();
    runs.clear();
    heads.clear();
    int[] grown = new int[logs.size()];
    int g = 0;
    for (Object[] log : logs) {
      int poll = (Integer) log[0];
      appendPoll(poll, new Frontier((Long) log[1], (byte[]) log[2]));
      grown[g++] = poll;
    }
    if (heads.isEmpty()) return grown;
    try (PreparedStatement ps = c.prepareStatement(APPEND)) {
      int i = 1;
      i = arrays(c, ps, i, entries, "int4", "int8", "bytea");
      i = arrays(c, ps, i, nodes, "int4", "int2", "int8", "bytea");
      i = arrays(c, ps, i, runs, "int4", "int4", "int8", "int4", "int8");
      arrays(c, ps, i, heads, "int4", "int8", "bytea", "bytea");
      ps.executeUpdate();
    }
    return grown;
  }

  private void appendPoll(int poll, Frontier tree) {
    int inChunk = 0;
    long chunkStart = tree.size();
    int runPartition = -1;
    long runFirstOffset = 0;
    long runNextOffset = 0;
    long runFirstLeaf = 0;
    Frontier.Nodes kept = (height, index, buf, off) -> { // one in 256 votes completes a subtree kept
      if (height > 0 && height % TILE == 0) nodes.add(new Object[] {poll, (short) height, index, Arrays.copyOfRange(buf, off, off + TreeHash.SIZE)});
    };
    for (int i = 0; i < rows.size; i++) {
      if (rows.poll[i] != poll) continue;
      long leaf = tree.size();
      if (inChunk > 0 && leaf % TilePath.FULL == 0) { // a chunk never crosses a tile
        entries.add(new Object[] {poll, chunkStart, Arrays.copyOf(chunk, inChunk * USER)});
        inChunk = 0;
        chunkStart = leaf;
      }
      if (!rows.hashed[i]) rows.hash(i, sha, leafInput); // a poll thought to have no log has one after all
      long u = rows.user[i]; // 1 to 2^32 - 1: four bytes, big-endian
      int at = inChunk * USER;
      chunk[at] = (byte) (u >>> 24);
      chunk[at + 1] = (byte) (u >>> 16);
      chunk[at + 2] = (byte) (u >>> 8);
      chunk[at + 3] = (byte) u;
      inChunk++;
      tree.append(sha, rows.leaves, i * TreeHash.SIZE, kept);
      if (rows.partition[i] != runPartition || rows.offset[i] != runNextOffset) {
        if (runPartition >= 0) runs.add(new Object[] {poll, runPartition, runFirstOffset, (int) (runNextOffset - runFirstOffset), runFirstLeaf});
        runPartition = rows.partition[i];
        runFirstOffset = rows.offset[i];
        runFirstLeaf = leaf;
      }
      runNextOffset = rows.offset[i] + 1;
    }
    if (inChunk > 0) entries.add(new Object[] {poll, chunkStart, Arrays.copyOf(chunk, inChunk * USER)});
    if (runPartition >= 0) runs.add(new Object[] {poll, runPartition, runFirstOffset, (int) (runNextOffset - runFirstOffset), runFirstLeaf});
    heads.add(new Object[] {poll, tree.size(), tree.packed(), tree.root(sha)});
  }

  private int[] distinctPolls() {
    int[] p = Arrays.copyOf(rows.poll, rows.size);
    Arrays.sort(p);
    int n = 0;
    for (int i = 0; i < p.length; i++) if (i == 0 || p[i] != p[i - 1]) p[n++] = p[i];
    return Arrays.copyOf(p, n);
  }

  /**
   * Binds the columns of {@code rows} as one array parameter each, from {@code first}; one monomorphic loop per column
   * type (a generic loop over mixed boxes cost the JIT three compilations of it in a fresh writer).
   *
   * @return the next parameter
   */
  private static int arrays(Connection c, PreparedStatement ps, int first, List<Object[]> rows, String... types) throws SQLException {
    int n = rows.size();
    for (int col = 0; col < types.length; col++) {
      Object[] values;
      switch (types[col]) {
        case "int4" -> {
          Integer[] v = new Integer[n];
          for (int r = 0; r < n; r++) v[r] = (Integer) rows.get(r)[col];
          values = v;
        }
        case "int2" -> {
          Short[] v = new Short[n];
          for (int r = 0; r < n; r++) v[r] = (Short) rows.get(r)[col];
          values = v;
        }
        case "int8" -> {
          Long[] v = new Long[n];
          for (int r = 0; r < n; r++) v[r] = (Long) rows.get(r)[col];
          values = v;
        }
        default -> {
          byte[][] v = new byte[n][];
          for (int r = 0; r < n; r++) v[r] = (byte[]) rows.get(r)[col];
          values = v;
        }
      }
      ps.setArray(first + col, c.createArrayOf(types[col], values));
    }
    return first + types.length;
  }

  private static Integer[] box(int[] v) {
    Integer[] out = new Integer[v.length];
    for (int i = 0; i < v.length; i++) out[i] = v[i];
    return out;
  }
}
