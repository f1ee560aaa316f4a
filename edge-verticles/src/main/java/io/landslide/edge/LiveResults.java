package io.landslide.edge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live results for the spectators connected to one event loop (WebSocket {@code …/live}, SSE {@code …/events}).
 * For each watched poll: one {@link TallyView}, refreshed every {@value #TICK_MS} ms while anyone watches,
 * and when it changed one frame, encoded once and offered to every spectator of the poll. A spectator that
 * cannot keep up keeps only the latest frame (never a queue). The first frame is the current results.
 * Frames go out at most every 100 ms, and less often when the edge's spectators would otherwise take more than
 * its frame budget ({@link FrameGate#intervalMs}).
 *
 * <p>Two feeds, merged the same way (by max per shard, so their order does not matter): the writers' absolute
 * shard counts on the clustered event bus after each commit ({@link #onTallies}), and a re-read of PostgreSQL's
 * tallies when a poll is first watched and every {@code resyncMs} after (the event bus delivers at most once).
 */
final class LiveResults {
  private static final Logger LOG = LoggerFactory.getLogger(LiveResults.class);
  static final long TICK_MS = 100;
  static final long PING_MS = 30_000;

  /**
   * One frame, encoded once (JSON and UTF-8) for every spectator of the poll.
   *
   * @param text the results JSON in UTF-8 (a WebSocket text message)
   * @param sse  the same as an SSE event, {@code data: …\n\n}
   */
  record Frame(byte[] text, Buffer sse) {
    static Frame of(String json) {
      byte[] text = json.getBytes(StandardCharsets.UTF_8);
      return new Frame(text, Buffer.buffer(text.length + 8).appendString("data: ").appendBytes(text).appendString("\n\n"));
    }
  }

  /** Somewhere a frame can go. */
  interface Spectator {
    /** @param frame the frame; the spectator keeps only the latest one it could not send yet */
    void offer(Frame frame);

    /** Keeps the connection alive through proxies and idle timeouts. */
    void ping();
  }

  private final Vertx vertx;
  private final PollStore store;
  private final Finality finality;
  private final AtomicInteger spectators;
  private final int maxSpectators;
  private final int frameBudget;
  private final long resyncMs;
  private final Map<Integer, Watch> watches = new HashMap<>();

  private final class Watch {
    final Poll poll;
    final TallyView view;
    final FrameGate gate = new FrameGate();
    final Set<Spectator> spectators = new LinkedHashSet<>();
    final long timer;
    Frame frame;
    long sentVersion = -1;
    long resyncedAt = Long.MIN_VALUE / 2;
    boolean refreshing;

    Watch(Poll poll) {
      this.poll = poll;
      this.view = new TallyView(poll);
      this.timer = vertx.setPeriodic(1, TICK_MS, t -> tick(this));
    }
  }

  /**
   * @param vertx         the Vert.x instance
   * @param store         PostgreSQL (the feed)
   * @param finality      results finality
   * @param spectators    the process-wide count of spectators
   * @param maxSpectators the process-wide cap
   * @param frameBudget   frames per second the whole process may send, all spectators together
   * @param resyncMs      how often to re-read PostgreSQL
   */
  LiveResults(Vertx vertx, PollStore store, Finality finality, AtomicInteger spectators, int maxSpectators, int frameBudget, long resyncMs) {
    this.vertx = vertx;
    this.store = store;
    this.finality = finality;
    this.spectators = spectators;
    this.maxSpectators = maxSpectators;
    this.frameBudget = frameBudget;
    this.resyncMs = resyncMs;
    vertx.setPeriodic(PING_MS, t -> watches.values().forEach(w -> w.spectators.forEach(Spectator::ping)));
  }

  /** @return whether one more spectator may connect (and if so, it is counted) */
  boolean admit() {
    if (spectators.incrementAndGet() <= maxSpectators) return true;
    spectators.decrementAndGet();
    return false;
  }

  /** Gives back an admission that did not become a spectator (the upgrade failed). */
  void unadmit() {
    spectators.decrementAndGet();
  }

  /**
   * @param poll the poll
   * @param s    the spectator, admitted
   */
  void attach(Poll poll, Spectator s) {
    Watch w = watches.computeIfAbsent(poll.id(), id -> new Watch(poll));
    w.spectators.add(s);
    if (w.frame != null) s.offer(w.frame); // the current results first
  }

  /**
   * @param pollId the poll
   * @param s      a spectator that left
   */
  void detach(int pollId, Spectator s) {
    Watch w = watches.get(pollId);
    if (w == null || !w.spectators.remove(s)) return;
    spectators.decrementAndGet();
    if (w.spectators.isEmpty()) {
      vertx.cancelTimer(w.timer);
      watches.remove(pollId);
    }
  }

  /**
   * Shard counts a writer just committed, from the event bus.
   *
   * @param updates the updates
   */
  void onTallies(java.util.List<io.landslide.codec.TallyUpdate> updates) {
    for (io.landslide.codec.TallyUpdate u : updates) {
      Watch w = watches.get(u.poll());
      if (w != null && w.view.merge(u.option(), u.shard(), u.count())) publish(w);
    }
  }

  private void tick(Watch w) {
    long now = System.currentTimeMillis();
    if (w.frame == null || now - w.resyncedAt >= resyncMs) refresh(w);
    else publish(w); // changes the gate held back
  }

  private void refresh(Watch w) {
    if (w.refreshing) return;
    w.refreshing = true;
    w.resyncedAt = System.currentTimeMillis();
    store.shardCounts(w.poll).compose(rows -> {
      for (long[] r : rows) w.view.merge((int) r[0], (int) r[1], r[2]);
      return finality.isFinal(w.poll);
    }).onComplete(ar -> {
      w.refreshing = false;
      if (ar.failed()) {
        LOG.warn("poll={} live refresh failed: {}", w.poll.id(), ar.cause().toString(), ar.cause());
        return;
      }
      w.view.markFinal(ar.result());
      publish(w);
    });
  }

  private void publish(Watch w) {
    if (w.view.version() == w.sentVersion && w.frame != null) return;
    long interval = FrameGate.intervalMs(spectators.get(), frameBudget);
    if (!w.gate.tryPass(System.currentTimeMillis(), interval)) return; // coalesced into a later tick's frame
    w.frame = Frame.of(w.view.toJson().encode()); // once per frame, whatever the number of spectators
    w.sentVersion = w.view.version();
    for (Spectator s : w.spectators) s.offer(w.frame);
  }
}
