package io.landslide.edge.audit;

import io.landslide.codec.ErrorCode;
import io.landslide.codec.Receipt;
import io.landslide.codec.UserIds;
import io.landslide.codec.tlog.Proofs;
import io.landslide.codec.tlog.TilePath;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.landslide.edge.poll.Poll;
import io.landslide.edge.poll.PollCache;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The public, read-only audit API ({@code docs/audit.md}): the log key, each poll's latest checkpoint, its signed result,
 * its tiles (C2SP tlog-tiles), consistency proofs, and a receipt's inclusion proof. Everything served is covered by a
 * checkpoint whose signature this edge verified; full tiles never change and are cacheable for ever.
 */
public final class LogApi {
  static final String TEXT = "text/plain; charset=utf-8";
  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  static final String FRESH = "public, max-age=1";
  private static final byte[] ZERO = new byte[TreeHash.SIZE];

  private final PollCache polls;
  private final LogStore store;
  private final ReceiptCipher receipts;
  private final Http http;

  /**
   * @param polls    the poll cache
   * @param store    the logs
   * @param receipts opens receipts to their voters
   * @param http     response writing
   */
  public LogApi(PollCache polls, LogStore store, ReceiptCipher receipts, Http http) {
    this.polls = polls;
    this.store = store;
    this.receipts = receipts;
    this.http = http;
  }

  /** {@code GET /audit/key}: the log's verifier key, one line. */
  public void key(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT).putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=300")
      .end(store.key().text() + "\n");
  }

  /** {@code GET /polls/{id}/log/checkpoint}: the latest signed checkpoint. */
  public void checkpoint(RoutingContext ctx) {
    head(ctx).onSuccess(h -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT).putHeader(HttpHeaders.CACHE_CONTROL, FRESH).end(h.note()))
      .onFailure(t -> http.fail(ctx, t));
  }

  /** {@code GET /polls/{id}/log/result}: the signed final result, once the poll is sealed. */
  public void result(RoutingContext ctx) {
    published(ctx).compose(p -> store.result(p.id()))
      .compose(note -> note == null ? Future.failedFuture(Rejection.of(ErrorCode.NOT_FOUND, "No signed result yet: the poll is open, or its last votes are being counted."))
        : Future.succeededFuture(note))
      .onSuccess(note -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT).putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=60").end(note))
      .onFailure(t -> http.fail(ctx, t));
  }

  /** {@code GET /polls/{id}/log/tile/...}: a hash tile or an entry bundle, within the latest checkpoint. */
  public void tile(RoutingContext ctx) {
    String path = ctx.request().path();
    int at = path.indexOf("/log/");
    TilePath tile;
    try {
      tile = TilePath.parse(path.substring(at + 5));
    } catch (IllegalArgumentException e) {
      http.error(ctx, ErrorCode.NOT_FOUND, "Not a tile path (C2SP tlog-tiles: tile/<L>/<N>[.p/<W>], tile/entries/<N>[.p/<W>]).");
      return;
    }
    head(ctx).compose(h -> {
      int height = tile.level() == TilePath.ENTRIES ? 0 : tile.level() * TilePath.HEIGHT;
      // The tile's last hash (or entry) must be a complete subtree of the signed tree.
      long end = tile.index() * TilePath.FULL + tile.width();
      if (height >= 63 || end > (h.size() >>> height)) {
        return Future.failedFuture(Rejection.of(ErrorCode.NOT_FOUND, "Beyond the latest checkpoint (size " + h.size() + ")."));
      }
      int poll = Http.id(ctx.pathParam("id"));
      if (tile.level() != TilePath.ENTRIES) return store.hashes(poll, tile.level(), tile.index(), tile.width()).map(b -> expect(b, tile.width() * TreeHash.SIZE));
      return store.entries(poll, tile.index(), tile.width()).map(b -> bundle(expect(b, tile.width() * VoteEntry.SIZE)));
    }).onSuccess(bytes -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
        .putHeader(HttpHeaders.CACHE_CONTROL, tile.full() ? IMMUTABLE : FRESH).end(Buffer.buffer(bytes)))
      .onFailure(t -> http.fail(ctx, t));
  }

  /** {@code GET /polls/{id}/log/consistency?from=&to=}: RFC 9162 PROOF(from, to), both within the latest checkpoint. */
  public void consistency(RoutingContext ctx) {
    long from = number(ctx.request().getParam("from"));
    long to = number(ctx.request().getParam("to"));
    head(ctx).compose(h -> {
      if (from < 1 || to < from || to > h.size()) {
        return Future.failedFuture(Rejection.of(ErrorCode.BAD_REQUEST, "from and to must be sizes with 1 <= from <= to <= " + h.size() + " (the latest checkpoint)."));
      }
      int poll = Http.id(ctx.pathParam("id"));
      return proof(poll, reader -> Proofs.consistency(reader, TreeHash.sha256(), from, to));
    }).onSuccess(proof -> Http.json(ctx, 200, new JsonObject().put("from", from).put("to", to).put("proof", base64(proof)).encode()))
      .onFailure(t -> http.fail(ctx, t));
  }

  /**
   * {@code GET /polls/{id}/receipts/{receipt}}: the counted vote's leaf index, the latest checkpoint and the inclusion
   * proof of its entry in that checkpoint's tree. 404 {@code receipt_not_found} for a receipt of no counted vote of
   * this poll, or one counted but not yet in a signed checkpoint (it will be within a second).
   */
  public void receipt(RoutingContext ctx) {
    Receipt receipt;
    try {
      receipt = Receipt.parse(ctx.pathParam("receipt"));
    } catch (IllegalArgumentException e) {
      http.error(ctx, ErrorCode.BAD_REQUEST, "A receipt is 32 hexadecimal characters.");
      return;
    }
    String text = receipt.toString();
    published(ctx).compose(p -> {
      long[] voters = receipts.voters(receipt);
      List<Long> valid = new ArrayList<>();
      for (long v : voters) if (v >= UserIds.MIN && v <= UserIds.MAX) valid.add(v);
      if (valid.isEmpty()) return Future.failedFuture(Rejection.of(ErrorCode.RECEIPT_NOT_FOUND));
      return store.locate(p.id(), valid.stream().mapToLong(Long::longValue).toArray()).compose(found -> {
        LogStore.Located vote = null;
        for (LogStore.Located l : found) if (l.receipt().equals(text)) vote = l;
        if (vote == null) return Future.failedFuture(Rejection.of(ErrorCode.RECEIPT_NOT_FOUND));
        LogStore.Located v = vote;
        return store.head(p.id()).compose(h -> {
          if (h == null || h.size() <= v.leaf()) {
            return Future.failedFuture(Rejection.of(ErrorCode.RECEIPT_NOT_FOUND, "Counted, and not yet in a signed checkpoint: retry in a second."));
          }
          return proof(p.id(), reader -> Proofs.inclusion(reader, TreeHash.sha256(), v.leaf(), h.size()))
            .map(proof -> new JsonObject().put("index", v.leaf()).put("option", v.option()).put("checkpoint", h.note())
              .put("size", h.size()).put("root", Base64.getEncoder().encodeToString(h.root())).put("proof", base64(proof)));
        });
      });
    }).onSuccess(json -> {
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "private, no-store");
      Http.json(ctx, 200, json.encode());
    }).onFailure(t -> http.fail(ctx, t));
  }

  /**
   * @return the poll, when its log is public: not while its results are hidden (the embargo), since the entries name
   *     each vote's option and a checkpoint's size is the total; fails 403 {@code results_hidden} then
   */
  private Future<Poll> published(RoutingContext ctx) {
    return polls.require(ctx.pathParam("id")).compose(p -> p.hidden() ? Future.failedFuture(Rejection.of(ErrorCode.RESULTS_HIDDEN)) : Future.succeededFuture(p));
  }

  /** @return the poll's latest verified checkpoint; fails 404 when the poll has none yet */
  private Future<LogStore.Head> head(RoutingContext ctx) {
    return published(ctx).compose(p -> store.head(p.id())).compose(h -> h == null
      ? Future.failedFuture(Rejection.of(ErrorCode.NOT_FOUND, "No signed checkpoint yet: the poll's log is empty."))
      : Future.succeededFuture(h));
  }

  /**
   * Makes a proof from tiles: a first pass with a reader that only records which tiles the proof reads, those tiles
   * fetched (from the cache, else PostgreSQL), then the real pass.
   */
  private Future<List<byte[]>> proof(int poll, Function<Proofs.HashReader, List<byte[]>> make) {
    Set<Long> needed = new LinkedHashSet<>();
    make.apply((height, index) -> {
      needed.add(tileOf(height, index));
      return ZERO;
    });
    Map<Long, byte[]> fetched = new HashMap<>();
    List<Future<?>> reads = new ArrayList<>();
    for (long t : needed) {
      int level = (int) (t >>> 58);
      long index = t & ((1L << 58) - 1);
      reads.add(store.hashes(poll, level, index, TilePath.FULL).onSuccess(b -> fetched.put(t, b)));
    }
    return Future.all(reads).map(x -> {
      MessageDigest sha = TreeHash.sha256();
      return make.apply((height, index) -> {
        byte[] tile = fetched.get(tileOf(height, index));
        int r = height % TilePath.HEIGHT;
        int first = (int) ((index << r) & (TilePath.FULL - 1));
        int n = 1 << r;
        if ((first + n) * TreeHash.SIZE > tile.length) throw new IllegalStateException("a tile lacks a hash the proof needs");
        byte[][] level = new byte[n][];
        for (int i = 0; i < n; i++) level[i] = java.util.Arrays.copyOfRange(tile, (first + i) * TreeHash.SIZE, (first + i + 1) * TreeHash.SIZE);
        for (; n > 1; n >>= 1) for (int i = 0; i < n / 2; i++) level[i] = TreeHash.node(sha, level[2 * i], level[2 * i + 1]);
        return level[0];
      });
    });
  }

  /** @return the hash tile holding the subtree {@code (height, index)}: its level in the top 6 bits, its index below */
  private static long tileOf(int height, long index) {
    int level = height / TilePath.HEIGHT;
    long first = index << (height % TilePath.HEIGHT);
    return ((long) level << 58) | (first >>> TilePath.HEIGHT);
  }

  /** @return the entries as a C2SP entry bundle: each preceded by its length, a big-endian uint16 */
  static byte[] bundle(byte[] entries) {
    int n = entries.length / VoteEntry.SIZE;
    byte[] out = new byte[n * (2 + VoteEntry.SIZE)];
    for (int i = 0; i < n; i++) {
      out[i * (2 + VoteEntry.SIZE) + 1] = VoteEntry.SIZE;
      System.arraycopy(entries, i * VoteEntry.SIZE, out, i * (2 + VoteEntry.SIZE) + 2, VoteEntry.SIZE);
    }
    return out;
  }

  private static byte[] expect(byte[] bytes, int length) {
    if (bytes.length != length) throw new IllegalStateException("the log holds " + bytes.length + " bytes of a tile of " + length);
    return bytes;
  }

  private static JsonArray base64(List<byte[]> hashes) {
    JsonArray out = new JsonArray();
    for (byte[] h : hashes) out.add(Base64.getEncoder().encodeToString(h));
    return out;
  }

  private static long number(String s) {
    if (s == null || s.isEmpty() || s.length() > 18) return -1;
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
    return Long.parseLong(s);
  }
}
