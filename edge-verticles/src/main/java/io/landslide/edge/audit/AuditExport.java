package io.landslide.edge.audit;

import io.landslide.codec.tlog.VoteEntry;
import io.landslide.edge.account.Authenticator;
import io.landslide.edge.http.Http;
import io.landslide.edge.poll.Poll;
import io.landslide.edge.poll.PollCache;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * An auditor's export of a poll ({@code docs/audit.md}), streamed as a tar archive of the bundle the offline verifier
 * reads: {@code key}, {@code entries}, {@code checkpoints/<N>}, {@code result} (once sealed), {@code admin-actions}
 * (one JSON object a line) and {@code manifest} (the SHA-256 of every other file, computed while streaming). The bundle
 * is one signed state: the entries up to the sealed result, or else the latest checkpoint. Read page by page and written
 * with backpressure, so a poll of 300 million votes (11 GB of entries) streams in bounded memory.
 *
 * <p>Separately, and only for the scrutineer role, the private reconciliation: {@code user_id,leaf} for every counted
 * vote, what ties the log to the accounts (that each entry is a distinct, eligible person).
 */
public final class AuditExport {
  static final String BUNDLE = "application/x-tar";
  private static final int PAGE = 500;
  private static final int VOTE_PAGE = 10_000;

  private final Authenticator auth;
  private final PollCache polls;
  private final LogStore store;
  private final Http http;

  /**
   * @param auth  admin and scrutineer tokens
   * @param polls the poll cache
   * @param store the logs
   * @param http  response writing
   */
  public AuditExport(Authenticator auth, PollCache polls, LogStore store, Http http) {
    this.auth = auth;
    this.polls = polls;
    this.store = store;
    this.http = http;
  }

  /** {@code GET /admin/polls/{id}/audit/bundle} (admin): the poll's audit bundle as a tar archive. */
  public void bundle(RoutingContext ctx) {
    auth.admin(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(admin -> polls.require(ctx.pathParam("id")).compose(p -> AdminActions.record(store.pool(), AdminActions.actor(admin.userId()),
        "export", p.id(), new JsonObject()).map(p)))
      .compose(p -> store.result(p.id()).compose(result -> store.head(p.id()).map(head -> new State(p, result, head))))
      .onSuccess(s -> stream(ctx.response(), s).onFailure(t -> ctx.response().reset()))
      .onFailure(t -> http.fail(ctx, t));
  }

  /** {@code GET /admin/polls/{id}/audit/reconciliation} (scrutineer): {@code user_id,leaf} of every counted vote, as CSV. */
  public void reconciliation(RoutingContext ctx) {
    auth.scrutineer(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(s -> polls.require(ctx.pathParam("id")).compose(p -> AdminActions.record(store.pool(), AdminActions.actor(s.userId()),
        "reconciliation", p.id(), new JsonObject()).map(p)))
      .onSuccess(p -> {
        HttpServerResponse res = ctx.response().setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "private, no-store")
          .putHeader("Content-Disposition", "attachment; filename=\"poll-" + p.id() + "-reconciliation.csv\"");
        res.write("user_id,leaf\n");
        votes(res, p.id(), 0).onSuccess(v -> res.end()).onFailure(t -> res.reset());
      })
      .onFailure(t -> http.fail(ctx, t));
  }

  private Future<Void> votes(HttpServerResponse res, int poll, long after) {
    return store.pool().preparedQuery("SELECT v.user_id, r.first_leaf + (v.kafka_offset - r.first_offset) FROM votes v"
        + " JOIN LATERAL (SELECT first_leaf, first_offset, count FROM log_runs r WHERE r.poll_id = v.poll_id"
        + " AND r.kafka_partition = v.kafka_partition AND r.first_offset <= v.kafka_offset ORDER BY r.first_offset DESC LIMIT 1) r"
        + " ON v.kafka_offset < r.first_offset + r.count WHERE v.poll_id = $1 AND v.user_id > $2 ORDER BY v.user_id LIMIT " + VOTE_PAGE)
      .execute(Tuple.of(poll, after)).compose(rows -> {
        if (rows.size() == 0) return Future.succeededFuture();
        StringBuilder b = new StringBuilder(rows.size() * 24);
        long last = after;
        for (Row r : rows) {
          last = r.getLong(0);
          b.append(last).append(',').append(r.getLong(1)).append('\n');
        }
        long next = last;
        return write(res, Buffer.buffer(b.toString())).compose(v -> rows.size() < VOTE_PAGE ? Future.succeededFuture() : votes(res, poll, next));
      });
  }

  private record State(Poll poll, String result, LogStore.Head head) {
  }

  private Future<Void> stream(HttpServerResponse res, State s) {
    long size = s.result != null ? resultSize(s.result) : s.head == null ? 0 : s.head.size();
    int poll = s.poll.id();
    res.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, BUNDLE).putHeader(HttpHeaders.CACHE_CONTROL, "private, no-store")
      .putHeader("Content-Disposition", "attachment; filename=\"poll-" + poll + "-audit.tar\"");
    Tar tar = new Tar(res);
    return tar.file("key", (store.key().text() + "\n").getBytes(StandardCharsets.UTF_8))
      .compose(v -> tar.begin("entries", size * VoteEntry.SIZE))
      .compose(v -> entries(tar, poll, 0, size))
      .compose(v -> tar.end())
      .compose(v -> checkpoints(tar, poll, -1, size))
      .compose(v -> s.result == null ? Future.succeededFuture() : tar.file("result", s.result.getBytes(StandardCharsets.UTF_8)))
      .compose(v -> actions(poll))
      .compose(actions -> tar.file("admin-actions", actions))
      .compose(v -> tar.manifest())
      .compose(v -> tar.close());
  }

  private Future<Void> entries(Tar tar, int poll, long from, long size) {
    if (from >= size) return Future.succeededFuture();
    // A page of PAGE tiles' worth of leaves; the entries derived from the votes (V9), in leaf order.
    long to = Math.min(size, from + (long) PAGE * io.landslide.codec.tlog.TilePath.FULL);
    return store.pool().preparedQuery("SELECT first_leaf, entries FROM landslide_log_entries($1, $2, $3)")
      .execute(Tuple.of(poll, from, to)).compose(rows -> {
        Buffer page = Buffer.buffer();
        long next = from;
        for (Row r : rows) {
          if (r.getLong(0) != next) return Future.failedFuture(new IllegalStateException("the log's entries have a gap at " + next));
          Buffer chunk = r.getBuffer(1);
          long take = Math.min(chunk.length() / VoteEntry.SIZE, size - next);
          page.appendBuffer(chunk, 0, (int) take * VoteEntry.SIZE);
          next += take;
        }
        if (next == from) return Future.failedFuture(new IllegalStateException("the log holds fewer entries than its checkpoint"));
        long after = next;
        return tar.data(page).compose(v -> entries(tar, poll, after, size));
      });
  }

  private Future<Void> checkpoints(Tar tar, int poll, long after, long size) {
    return store.pool().preparedQuery("SELECT size, note FROM log_checkpoints WHERE poll_id = $1 AND size > $2 AND size <= $3 ORDER BY size LIMIT " + PAGE)
      .execute(Tuple.of(poll, after, size)).compose(rows -> {
        Future<Void> f = Future.succeededFuture();
        long last = after;
        for (Row r : rows) {
          long n = r.getLong(0);
          byte[] note = r.getString(1).getBytes(StandardCharsets.UTF_8);
          f = f.compose(v -> tar.file("checkpoints/" + n, note));
          last = n;
        }
        long next = last;
        return f.compose(v -> rows.size() < PAGE ? Future.succeededFuture() : checkpoints(tar, poll, next, size));
      });
  }

  private Future<byte[]> actions(int poll) {
    return store.pool().preparedQuery("SELECT id, at, actor, action, details FROM admin_actions WHERE poll_id = $1 ORDER BY id")
      .execute(Tuple.of(poll)).map(rows -> {
        StringBuilder b = new StringBuilder();
        for (Row r : rows) {
          b.append(new JsonObject().put("id", r.getLong(0)).put("at", r.getOffsetDateTime(1).toInstant().toString()).put("actor", r.getString(2))
            .put("action", r.getString(3)).put("details", r.getJsonObject(4)).encode()).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
      });
  }

  private static long resultSize(String note) {
    return Long.parseLong(note.split("\n", 3)[1]);
  }

  private static Future<Void> write(HttpServerResponse res, Buffer b) {
    Future<Void> written = res.write(b);
    if (!res.writeQueueFull()) return written;
    Promise<Void> drained = Promise.promise();
    res.drainHandler(v -> drained.tryComplete());
    return drained.future();
  }

  /** A ustar archive written to a response, each file's SHA-256 kept for the manifest. */
  private static final class Tar {
    private final HttpServerResponse res;
    private final Map<String, String> hashes = new TreeMap<>();
    private final MessageDigest sha = io.landslide.codec.tlog.TreeHash.sha256();
    private String name;
    private long size;
    private long written;

    Tar(HttpServerResponse res) {
      this.res = res;
    }

    Future<Void> file(String path, byte[] content) {
      return begin(path, content.length).compose(v -> data(Buffer.buffer(content))).compose(v -> end());
    }

    Future<Void> begin(String path, long length) {
      name = path;
      size = length;
      written = 0;
      sha.reset();
      return write(res, Buffer.buffer(header(path, length)));
    }

    Future<Void> data(Buffer b) {
      written += b.length();
      if (written > size) return Future.failedFuture(new IllegalStateException(name + ": more than its " + size + " bytes"));
      sha.update(b.getBytes());
      return write(res, b);
    }

    Future<Void> end() {
      if (written != size) return Future.failedFuture(new IllegalStateException(name + ": " + written + " of its " + size + " bytes"));
      hashes.put(name, HexFormat.of().formatHex(sha.digest()));
      int pad = (int) ((512 - size % 512) % 512);
      return pad == 0 ? Future.succeededFuture() : write(res, Buffer.buffer(new byte[pad]));
    }

    /** The manifest of every file written so far (itself not listed). */
    Future<Void> manifest() {
      StringBuilder b = new StringBuilder();
      hashes.forEach((path, hash) -> b.append(hash).append("  ").append(path).append('\n'));
      return file("manifest", b.toString().getBytes(StandardCharsets.UTF_8));
    }

    Future<Void> close() {
      return write(res, Buffer.buffer(new byte[1024])).compose(v -> res.end());
    }

    private static byte[] header(String path, long length) {
      byte[] h = new byte[512];
      byte[] n = path.getBytes(StandardCharsets.UTF_8);
      if (n.length > 100) throw new IllegalArgumentException("tar name too long: " + path);
      System.arraycopy(n, 0, h, 0, n.length);
      octal(h, 100, 8, 0644);
      octal(h, 108, 8, 0);
      octal(h, 116, 8, 0);
      if (length <= 077777777777L) {
        octal(h, 124, 12, length);
      } else { // over 8 GiB (a poll of over 226 million votes): GNU tar's base-256 size, which tar readers take
        h[124] = (byte) 0x80;
        for (int i = 0; i < 8; i++) h[135 - i] = (byte) (length >>> (8 * i));
      }
      octal(h, 136, 12, System.currentTimeMillis() / 1000);
      for (int i = 148; i < 156; i++) h[i] = ' ';
      h[156] = '0';
      System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
      h[263] = '0';
      h[264] = '0';
      int sum = 0;
      for (byte b : h) sum += b & 0xFF;
      octal(h, 148, 7, sum);
      return h;
    }

    /** Writes {@code v} as zero-padded octal in {@code len - 1} digits and a NUL. */
    private static void octal(byte[] h, int at, int len, long v) {
      String s = Long.toOctalString(v);
      if (s.length() > len - 1) throw new IllegalArgumentException("too large for a tar field: " + v);
      s = "0".repeat(len - 1 - s.length()) + s;
      System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, at, len - 1);
      h[at + len - 1] = 0;
    }
  }
}
