package io.landslide.edge.ops;

import io.landslide.codec.CorruptEventException;
import io.landslide.codec.TallySeal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control room's view of the whole fleet, on every edge (the operator console's live panel): once a second each
 * edge publishes its {@link ShowStats} and each writer its lag on the clustered event bus, sealed with the cluster key
 * like the tallies (an intruder's numbers are dropped); every edge keeps the last quarter of a minute of each, and
 * answers the panel from them: rates over the last ten seconds, summed across edges, with no Prometheus needed on the
 * night. Publish costs one small message a second per process; nothing here is on a vote's path.
 */
public final class ControlRoom {
  private static final Logger LOG = LoggerFactory.getLogger(ControlRoom.class);
  private static final String EDGES = io.landslide.codec.ControlRoomAddresses.EDGES;
  private static final String WRITERS = io.landslide.codec.ControlRoomAddresses.WRITERS;
  /** How often each process publishes. */
  public static final long PUBLISH_MS = 1000;
  /** The window rates and vote-to-screen are computed over. */
  static final long WINDOW_MS = 10_000;
  /** A process not heard for this long is left out (stopped, or cut off). */
  static final long STALE_MS = 5_000;
  private static final long KEEP_MS = WINDOW_MS + 5_000;

  private final String node = UUID.randomUUID().toString();
  private final ShowStats stats;
  private final TallySeal seal;
  private final Map<String, ArrayDeque<JsonObject>> edges = new HashMap<>();
  private final Map<String, JsonObject> writers = new HashMap<>();
  private long refused;

  /**
   * @param stats this edge's counters
   * @param seal  the cluster key
   */
  public ControlRoom(ShowStats stats, TallySeal seal) {
    this.stats = stats;
    this.seal = seal;
  }

  /**
   * Listens to the fleet and publishes this edge's counters once a second, on this Vert.x's (clustered) event bus.
   *
   * @param vertx the Vert.x instance (call once per process, from one verticle)
   * @return done once listening
   */
  public Future<Void> start(Vertx vertx) {
    Future<Void> e = vertx.eventBus().<Object>consumer(EDGES, m -> heard(m.body(), true)).completion();
    Future<Void> w = vertx.eventBus().<Object>consumer(WRITERS, m -> heard(m.body(), false)).completion();
    vertx.setPeriodic(PUBLISH_MS, t -> vertx.eventBus().publish(EDGES, Buffer.buffer(seal.seal(stats.snapshot(node).toBuffer().getBytes()))));
    return Future.all(e, w).mapEmpty();
  }

  private void heard(Object body, boolean edge) {
    JsonObject m;
    try {
      if (!(body instanceof Buffer b)) throw new CorruptEventException("not bytes");
      m = new JsonObject(Buffer.buffer(seal.open(b.getBytes())));
      if (m.getString("node") == null || m.getLong("at") == null) throw new CorruptEventException("no node or time");
    } catch (CorruptEventException | DecodeException | ClassCastException e) {
      long n;
      synchronized (this) {
        n = ++refused;
      }
      if (Long.bitCount(n) == 1) LOG.warn("control room message refused ({} so far): {}", n, e.getMessage());
      return;
    }
    if (edge) heardEdge(m);
    else heardWriter(m);
  }

  synchronized void heardEdge(JsonObject m) {
    long now = System.currentTimeMillis();
    ArrayDeque<JsonObject> samples = edges.computeIfAbsent(m.getString("node"), k -> new ArrayDeque<>());
    samples.addLast(m);
    while (samples.size() > 1 && samples.peekFirst().getLong("at") < now - KEEP_MS) samples.removeFirst();
    edges.values().removeIf(s -> s.peekLast().getLong("at") < now - KEEP_MS);
  }

  synchronized void heardWriter(JsonObject m) {
    long now = System.currentTimeMillis();
    writers.put(m.getString("node"), m);
    writers.values().removeIf(s -> s.getLong("at") < now - KEEP_MS);
  }

  /**
   * @param poll the poll
   * @return the fleet's numbers for it: edges and writers heard, votes/s accepted and refused by code, flagged, spectators,
   *     vote-to-screen percentiles, the writers' lag (the topic's, every poll's)
   */
  public synchronized JsonObject panel(int poll) {
    long now = System.currentTimeMillis();
    int liveEdges = 0;
    double accepted = 0;
    double flagged = 0;
    long acceptedTotal = 0;
    long flaggedTotal = 0;
    long spectators = 0;
    Map<String, Double> refusedRates = new HashMap<>();
    long[] v2s = new long[ShowStats.BUCKETS_MS.length + 1];
    for (ArrayDeque<JsonObject> samples : edges.values()) {
      JsonObject last = samples.peekLast();
      if (last.getLong("at") < now - STALE_MS) continue;
      liveEdges++;
      JsonObject first = last;
      for (JsonObject s : samples) {
        if (s.getLong("at") >= last.getLong("at") - WINDOW_MS) {
          first = s;
          break;
        }
      }
      JsonObject l = pollOf(last, poll);
      JsonObject f = pollOf(first, poll);
      acceptedTotal += l.getLong("accepted", 0L);
      flaggedTotal += l.getLong("flagged", 0L);
      spectators += l.getLong("spectators", 0L);
      double seconds = (last.getLong("at") - first.getLong("at")) / 1000.0;
      JsonArray lv = last.getJsonArray("voteToScreen", new JsonArray());
      JsonArray fv = first.getJsonArray("voteToScreen", new JsonArray());
      for (int i = 0; i < v2s.length && i < lv.size(); i++) v2s[i] += Math.max(0, lv.getLong(i) - (i < fv.size() ? fv.getLong(i) : 0));
      if (seconds <= 0) continue; // one sample yet: no rate
      accepted += Math.max(0, l.getLong("accepted", 0L) - f.getLong("accepted", 0L)) / seconds;
      flagged += Math.max(0, l.getLong("flagged", 0L) - f.getLong("flagged", 0L)) / seconds;
      JsonObject lr = l.getJsonObject("refused", new JsonObject());
      JsonObject fr = f.getJsonObject("refused", new JsonObject());
      for (String code : lr.fieldNames()) {
        refusedRates.merge(code, Math.max(0, lr.getLong(code) - fr.getLong(code, 0L)) / seconds, Double::sum);
      }
    }
    JsonObject refusedJson = new JsonObject();
    refusedRates.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
      .forEach(e -> refusedJson.put(e.getKey(), round(e.getValue())));
    long samples = 0;
    for (long n : v2s) samples += n;
    JsonObject screen = new JsonObject().put("windowSeconds", WINDOW_MS / 1000).put("commits", samples)
      .put("p50Seconds", samples == 0 ? null : quantile(v2s, 0.5) / 1000.0).put("p99Seconds", samples == 0 ? null : quantile(v2s, 0.99) / 1000.0);

    int liveWriters = 0;
    Map<String, long[]> lag = new HashMap<>(); // partition -> {records, at}
    double oldest = 0;
    for (JsonObject w : writers.values()) {
      long at = w.getLong("at");
      if (at < now - STALE_MS) continue;
      liveWriters++;
      oldest = Math.max(oldest, w.getDouble("oldestVoteAgeSeconds", 0.0));
      JsonObject partitions = w.getJsonObject("lag", new JsonObject());
      for (String p : partitions.fieldNames()) {
        long[] prev = lag.get(p);
        if (prev == null || prev[1] < at) lag.put(p, new long[] {partitions.getLong(p), at}); // a rebalance: the latest owner
      }
    }
    long lagTotal = 0;
    JsonObject lagJson = new JsonObject();
    for (var e : new java.util.TreeMap<>(lag).entrySet()) {
      lagJson.put(e.getKey(), e.getValue()[0]);
      lagTotal += e.getValue()[0];
    }
    return new JsonObject().put("edges", liveEdges).put("writers", liveWriters)
      .put("votesPerSecond", new JsonObject().put("accepted", round(accepted)).put("refused", refusedJson).put("flagged", round(flagged)))
      .put("sinceEdgesStarted", new JsonObject().put("accepted", acceptedTotal).put("flagged", flaggedTotal))
      .put("spectators", spectators).put("voteToScreen", screen)
      .put("writerLag", new JsonObject().put("records", lagTotal).put("partitions", lagJson).put("oldestVoteAgeSeconds", round(oldest)));
  }

  private static JsonObject pollOf(JsonObject sample, int poll) {
    for (Object o : sample.getJsonArray("polls", new JsonArray())) {
      if (o instanceof JsonObject p && p.getInteger("poll", -1) == poll) return p;
    }
    return new JsonObject();
  }

  /**
   * @param counts per bucket (not cumulative), {@link ShowStats#BUCKETS_MS} then +Inf
   * @param q      the quantile
   * @return its estimate, ms, interpolated within its bucket as Prometheus' {@code histogram_quantile} does (the +Inf
   *     bucket answers the highest finite bound)
   */
  static double quantile(long[] counts, double q) {
    long total = 0;
    for (long n : counts) total += n;
    double rank = q * total;
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      if (seen + counts[i] >= rank && counts[i] > 0) {
        if (i >= ShowStats.BUCKETS_MS.length) return ShowStats.BUCKETS_MS[ShowStats.BUCKETS_MS.length - 1];
        double lower = i == 0 ? 0 : ShowStats.BUCKETS_MS[i - 1];
        return lower + (ShowStats.BUCKETS_MS[i] - lower) * ((rank - seen) / counts[i]);
      }
      seen += counts[i];
    }
    return 0;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
