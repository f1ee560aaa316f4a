package io.landslide.edge.audit;

import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TilePath;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vote logs as the writers committed them ({@code docs/audit.md}), read for serving. Shared by the process's event
 * loops (thread-safe):
 * <ul>
 *   <li>each poll's latest checkpoint, re-read at most every {@value #CHECKPOINT_MS} ms and served only once its
 *       signature verifies with the configured key (a row written into the database by anyone else is never
 *       served);</li>
 *   <li>tiles in a bounded LRU cache: a tile's leading entries or hashes never change once the log holds them, so a
 *       partial tile serves any request no wider than itself, and a wider one reads the database again (entries are
 *       derived from the votes there, one lookup a leaf: the cache keeps the log's public reads off it).</li>
 * </ul>
 */
public final class LogStore {
  private static final Logger LOG = LoggerFactory.getLogger(LogStore.class);
  /** How stale a served checkpoint may be. */
  static final long CHECKPOINT_MS = 500;
  /** Tiles kept (at most about 10 KiB each). */
  static final int CACHED_TILES = 2048;

  /**
   * A signed state of a poll's log.
   *
   * @param size its size
   * @param root its root
   * @param note the signed checkpoint
   */
  public record Head(long size, byte[] root, String note) {
    /** @return the root, base64 (as results and frames carry it) */
    public String rootBase64() {
      return java.util.Base64.getEncoder().encodeToString(root);
    }
  }

  /**
   * A counted vote's place in its log.
   *
   * @param option  its option
   * @param receipt its receipt, 32 hex characters
   * @param leaf    its leaf index
   */
  public record Located(int option, String receipt, long leaf) {
  }

  private final Pool pool;
  private final SignedNote.Verifier key;
  private final Map<Integer, Cached> heads = new ConcurrentHashMap<>();
  private final Map<TileKey, byte[]> tiles = java.util.Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<TileKey, byte[]> eldest) {
      return size() > CACHED_TILES;
    }
  });

  private record Cached(Head head, long readAt, Future<Head> reading) {
  }

  /**
   * @param pool PostgreSQL
   * @param key  the log's verifier key
   */
  public LogStore(Pool pool, SignedNote.Verifier key) {
    this.pool = pool;
    this.key = key;
  }

  /** @return the log's verifier key */
  public SignedNote.Verifier key() {
    return key;
  }

  /**
   * @param poll the poll
   * @return its latest signed checkpoint that verifies, or null when it has none yet
   */
  public Future<Head> head(int poll) {
    long now = System.currentTimeMillis();
    Cached c = heads.get(poll);
    if (c != null && c.reading == null && now - c.readAt < CHECKPOINT_MS) return Future.succeededFuture(c.head);
    if (c != null && c.reading != null) return c.reading;
    Head known = c == null ? null : c.head;
    Future<Head> read = pool.preparedQuery("SELECT size, root, note FROM log_checkpoints WHERE poll_id = $1 ORDER BY size DESC LIMIT 1")
      .execute(Tuple.of(poll)).map(rows -> {
        if (rows.size() == 0) return known;
        Row r = rows.iterator().next();
        long size = r.getLong(0);
        if (known != null && known.size() >= size) return known;
        return verified(poll, size, r.getBuffer(1).getBytes(), r.getString(2), known);
      });
    heads.put(poll, new Cached(known, c == null ? 0 : c.readAt, read));
    read.onComplete(ar -> heads.put(poll, new Cached(ar.succeeded() ? ar.result() : known, ar.succeeded() ? System.currentTimeMillis() : 0, null)));
    return read;
  }

  /**
   * @param poll the poll
   * @return its latest verified checkpoint this process holds, at once (null when none yet); a stale one is re-read
   *     in the background, so the next call sees the newer one
   */
  public Head cached(int poll) {
    Cached c = heads.get(poll);
    if (c == null || (c.reading == null && System.currentTimeMillis() - c.readAt >= CHECKPOINT_MS)) head(poll);
    return c == null ? null : c.head;
  }

  private Head verified(int poll, long size, byte[] root, String note, Head known) {
    try {
      Checkpoint cp = Checkpoint.parse(SignedNote.open(note, List.of(key)));
      if (cp.size() != size || !java.util.Arrays.equals(cp.root(), root) || !cp.origin().equals(io.landslide.codec.tlog.LogKeys.origin(key.name(), poll))) {
        throw new IllegalArgumentException("the note does not say what its row says");
      }
      return new Head(size, root, note);
    } catch (SignedNote.NoteException | IllegalArgumentException e) {
      LOG.error("poll={} checkpoint {} does not verify with the log key, not served: {}", poll, size, e.getMessage());
      return known;
    }
  }

  /**
   * @param poll the poll
   * @return its signed result, or null while it is not sealed
   */
  public Future<String> result(int poll) {
    return pool.preparedQuery("SELECT note FROM log_results WHERE poll_id = $1").execute(Tuple.of(poll))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  /**
   * @param poll the poll
   * @param tile the entry tile's index
   * @param n    the entries wanted from its start, 1 to 256
   * @return those entries, {@value VoteEntry#SIZE} bytes each; fewer when the log holds fewer
   */
  public Future<byte[]> entries(int poll, long tile, int n) {
    TileKey key = new TileKey(poll, TilePath.ENTRIES, tile);
    byte[] cached = tiles.get(key);
    if (cached != null && cached.length >= n * VoteEntry.SIZE) return Future.succeededFuture(slice(cached, n * VoteEntry.SIZE));
    long first = tile * TilePath.FULL;
    return pool.preparedQuery("SELECT first_leaf, entries FROM landslide_log_entries($1, $2, $3)") // derived from the votes (V9)
      .execute(Tuple.of(poll, first, first + TilePath.FULL)).map(rows -> {
        Buffer all = Buffer.buffer(TilePath.FULL * VoteEntry.SIZE);
        for (Row r : rows) {
          if (r.getLong(0) != first + all.length() / VoteEntry.SIZE) break; // a gap cannot happen; never serve past one
          all.appendBuffer(r.getBuffer(1));
        }
        byte[] bytes = all.getBytes();
        keep(key, bytes);
        return slice(bytes, n * VoteEntry.SIZE);
      });
  }

  /**
   * @param poll  the poll
   * @param level the hash tile's level
   * @param tile  its index
   * @param n     the hashes wanted from its start, 1 to 256
   * @return those hashes (at height {@code 8 * level}), 32 bytes each; fewer when the log holds fewer
   */
  public Future<byte[]> hashes(int poll, int level, long tile, int n) {
    TileKey key = new TileKey(poll, level, tile);
    byte[] cached = tiles.get(key);
    if (cached != null && cached.length >= n * TreeHash.SIZE) return Future.succeededFuture(slice(cached, n * TreeHash.SIZE));
    Future<byte[]> read;
    if (level == 0) {
      read = entries(poll, tile, TilePath.FULL).map(entries -> {
        MessageDigest sha = TreeHash.sha256();
        int count = entries.length / VoteEntry.SIZE;
        byte[] out = new byte[count * TreeHash.SIZE];
        for (int i = 0; i < count; i++) System.arraycopy(TreeHash.leaf(sha, entries, i * VoteEntry.SIZE, VoteEntry.SIZE), 0, out, i * TreeHash.SIZE, TreeHash.SIZE);
        return out;
      });
    } else {
      long first = tile * TilePath.FULL;
      read = pool.preparedQuery("SELECT idx, hash FROM log_nodes WHERE poll_id = $1 AND height = $2 AND idx >= $3 AND idx < $4 ORDER BY idx")
        .execute(Tuple.of(poll, (short) (level * TilePath.HEIGHT), first, first + TilePath.FULL)).map(rows -> {
          Buffer all = Buffer.buffer(TilePath.FULL * TreeHash.SIZE);
          for (Row r : rows) {
            if (r.getLong(0) != first + all.length() / TreeHash.SIZE) break;
            all.appendBuffer(r.getBuffer(1));
          }
          return all.getBytes();
        });
    }
    return read.map(bytes -> {
      keep(key, bytes);
      return slice(bytes, n * TreeHash.SIZE);
    });
  }

  /**
   * @param poll  the poll
   * @param users the voter indexes a receipt may stand for
   * @return their counted votes in the poll with their leaves (votes counted before the poll had a log have none)
   */
  public Future<List<Located>> locate(int poll, long[] users) {
    Long[] boxed = new Long[users.length];
    for (int i = 0; i < users.length; i++) boxed[i] = users[i];
    return pool.preparedQuery("SELECT v.option_id, replace(v.receipt::text, '-', ''), r.first_leaf + (v.kafka_offset - r.first_offset)"
        + " FROM votes v JOIN LATERAL (SELECT first_leaf, first_offset, count FROM log_runs r WHERE r.poll_id = v.poll_id"
        + " AND r.kafka_partition = v.kafka_partition AND r.first_offset <= v.kafka_offset ORDER BY r.first_offset DESC LIMIT 1) r"
        + " ON v.kafka_offset < r.first_offset + r.count WHERE v.poll_id = $1 AND v.user_id = ANY($2)")
      .execute(Tuple.tuple().addInteger(poll).addArrayOfLong(boxed)).map(rows -> {
        List<Located> out = new java.util.ArrayList<>();
        for (Row r : rows) out.add(new Located(r.getInteger(0), r.getString(1), r.getLong(2)));
        return out;
      });
  }

  /** @return the pool (the export streams from it) */
  Pool pool() {
    return pool;
  }

  private record TileKey(int poll, int level, long tile) {
  }

  /** Keeps a tile's bytes unless a longer prefix of it is kept already (two reads can race: the longer wins). */
  private void keep(TileKey key, byte[] bytes) {
    if (bytes.length == 0) return;
    tiles.merge(key, bytes, (old, now) -> now.length > old.length ? now : old);
  }

  private static byte[] slice(byte[] bytes, int n) {
    return bytes.length <= n ? bytes : java.util.Arrays.copyOf(bytes, n);
  }
}
