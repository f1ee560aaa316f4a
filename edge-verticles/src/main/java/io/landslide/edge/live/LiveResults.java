package io.landslide.edge.live;

import io.landslide.codec.TallyUpdate;
import io.landslide.edge.audit.LogStore;
import io.landslide.edge.poll.Finality;
import io.landslide.edge.poll.Poll;
import io.landslide.edge.poll.PollCache;
import io.landslide.edge.poll.PollStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merged results of the polls one event loop serves: {@code GET …/results}, and the spectators connected to
 * it (WebSocket {@code …/live}, SSE {@code …/events}). One {@link TallyView} per poll, fed two ways, merged the same
 * way (by max per shard, so their order does not matter): the writers' absolute shard counts on the clustered event
 * bus after each commit ({@link #onTallies}), and a re-read of PostgreSQL's tallies to warm a cold view and at most
 * every {@code resyncMs} after (the event bus delivers at most once). A request never reads PostgreSQL itself:
 * however many ask, a poll costs one query per re-read period per event loop.
 *
 * <p>For each watched poll, every {@value #TICK_MS} ms, when its view changed: one frame, encoded once and offered
 * to every spectator of the poll. A spectator that cannot keep up keeps only the latest frame (never a queue).
 * The first frame is the current results. Frames go out at most every 100 ms, and less often when the edge's
 * spectators would otherwise take more than its frame budget ({@link FrameGate#intervalMs}).
 */
public final class LiveResults {
  private static final Logger LOG = LoggerFactory.getLogger(LiveResults.class);
  static final long TICK_MS = 100;
  static final long PING_MS = 30_000;
  /** A closed poll's view checks this often whether its results became final. */
  static final long FINAL_CHECK_MS = 1000;
  /** A view nobody watched or asked for this long is dropped (a later request warms it again). */
  static final long IDLE_VIEW_MS = 10 * 60_000;

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
  public interface Spectator {
    /** @param frame the frame; the spectator keeps only the latest one it could not send yet */
    void offer(Frame frame);

    /** Keeps the connection alive through proxies and idle timeouts. */
    void ping();

    /** Ends the stream with a hint to reconnect (this edge is going away; another one will serve). */
    void closeForRestart();
  }

  private final Vertx vertx;
  private final PollCache polls;
  private Runnable onFrame;
  private final PollStore store;
  private final Finality finality;
  private final LogStore log;
  private final AtomicInteger spectators;
  private final int maxSpectators;
  private final int frameBudget;
  private final long resyncMs;
  private final Map<Integer, View> views = new HashMap<>();
  private final Map<Integer, Watch> watches = new HashMap<>();

  /** A poll's merged view, and when PostgreSQL was last read into it. */
  private static final class View {
    final Poll poll;
    final TallyView tallies;
    long resyncedAt = Long.MIN_VALUE / 2;
    long usedAt;
    Future<Void> refreshing; // the re-read in flight, shared by everyone who needs it
    boolean warm;

    View(Poll poll) {
      this.poll = poll;
      this.tallies = new TallyView(poll);
    }
  }

  /** The views' PostgreSQL re-reads failing (PostgreSQL down): logged once per change of state, not per view and tick. */
  private static final io.landslide.runtime.log.StateLog REREAD = io.landslide.runtime.log.StateLog.of(LOG, "results re-read from PostgreSQL");

  /** The spectators of one poll on this event loop. */
  private final class Watch {
    final View view;
    final FrameGate gate = new FrameGate();
    final Set<Spectator> spectators = new LinkedHashSet<>();
    final long timer;
    Frame frame;
    long sentVersion = -1;
    boolean sentHidden;
    /** The accepted time of the oldest vote a commit brought that no frame has counted yet (epoch ms), 0: none. */
    long unscreenedSince;

    Watch(View view) {
      this.view = view;
      this.timer = vertx.setPeriodic(1, TICK_MS, t -> tick(this));
    }
  }

  /**
   * @param vertx         the Vert.x instance
   * @param polls         the poll cache (a poll's latest state: closing it changes when it is final)
   * @param store         PostgreSQL (to warm and re-read views)
   * @param finality      results finality
   * @param log           the vote logs (results and frames carry the latest signed checkpoint's size and root)
   * @param spectators    the process-wide count of spectators
   * @param config        the process-wide spectator cap, the frame budget (frames per second the whole process may
   *                      send, all spectators together) and how often, at most, to re-read PostgreSQL into a view
   */
  public LiveResults(Vertx vertx, PollCache polls, PollStore store, Finality finality, LogStore log, AtomicInteger spectators, LiveConfig config) {
    this.vertx = vertx;
    this.polls = polls;
    this.store = store;
    this.finality = finality;
    this.log = log;
    this.spectators = spectators;
    this.maxSpectators = config.maxSpectators();
    this.frameBudget = config.frameBudget();
    this.resyncMs = config.resyncMs();
    vertx.setPeriodic(PING_MS, t -> watches.values().forEach(w -> w.spectators.forEach(Spectator::ping)));
    vertx.setPeriodic(IDLE_VIEW_MS, t -> dropIdleViews());
  }

  /**
   * The results of a poll from this event loop's merged view: at once when the view is warm and was re-read
   * within the period, else once the (shared) re-read completed.
   *
   * @param poll the poll
   * @return the contract's results JSON
   */
  public Future<JsonObject> results(Poll poll) {
    View v = view(poll);
    v.usedAt = System.currentTimeMillis();
    if (v.warm && !due(v, v.usedAt)) {
      checkpoint(v);
      return Future.succeededFuture(v.tallies.toJson());
    }
    return refresh(v).map(x -> v.tallies.toJson());
  }

  /**
   * @param poll a poll whose results are hidden
   * @return whether its results are final (what a hidden results document still says)
   */
  Future<Boolean> finalOf(Poll poll) {
    return results(poll).map(json -> json.getBoolean("final", false));
  }

  /** @param onFrame told of each frame published (the frames metric) */
  public void onFrame(Runnable onFrame) {
    this.onFrame = onFrame;
  }

  private io.landslide.edge.ops.ShowStats show;
  private java.util.function.LongConsumer screened;

  /**
   * @param show     the control room's counters: spectators per poll, and which event loop measures a commit
   * @param screened told of each vote-to-screen measured, ms: a commit's oldest vote, from its 202 to the first frame
   *                 of this process that counts it
   */
  public void showing(io.landslide.edge.ops.ShowStats show, java.util.function.LongConsumer screened) {
    this.show = show;
    this.screened = screened;
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
    Watch w = watches.computeIfAbsent(poll.id(), id -> new Watch(view(poll)));
    if (w.spectators.add(s) && show != null) show.poll(poll.id()).spectators(1);
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
    if (show != null) show.poll(pollId).spectators(-1);
    if (w.spectators.isEmpty()) {
      vertx.cancelTimer(w.timer);
      watches.remove(pollId);
      w.view.usedAt = System.currentTimeMillis();
    }
  }

  /**
   * A writer's commit, from the event bus: its shard counts merged into the warm views (a cold view would show these
   * shards and zero for the others until warmed), then one frame per poll that changed. With the commit's timing, the
   * first event loop of the process with spectators of a poll it changed marks the commit's oldest vote as not yet on
   * screen; the frame that next goes out measures vote-to-screen.
   *
   * @param commit the commit's message
   */
  public void onTallies(io.landslide.codec.TallyUpdateDescriptor.Message commit) {
    int[] changed = new int[4];
    int n = 0;
    for (TallyUpdate u : commit.updates()) {
      View v = views.get(u.poll());
      if (v == null || !v.warm || !v.tallies.merge(u.option(), u.shard(), u.count())) continue;
      boolean seen = false;
      for (int i = 0; i < n && !seen; i++) seen = changed[i] == u.poll();
      if (seen) continue;
      if (n == changed.length) changed = java.util.Arrays.copyOf(changed, n * 2);
      changed[n++] = u.poll();
    }
    for (int i = 0; i < n; i++) {
      Watch w = watches.get(changed[i]);
      if (w == null) continue;
      if (show != null) {
        for (int t = 0; t < commit.polls().length; t++) {
          if (commit.polls()[t] != changed[i] || !show.firstToScreen(commit.commitId(), changed[i])) continue;
          long oldest = commit.oldest()[t];
          if (w.unscreenedSince == 0 || oldest < w.unscreenedSince) w.unscreenedSince = oldest;
        }
      }
      publish(w);
    }
  }

  private View view(Poll poll) {
    return views.computeIfAbsent(poll.id(), id -> new View(poll));
  }

  private void tick(Watch w) {
    if (due(w.view, System.currentTimeMillis())) {
      refresh(w.view);
    } else {
      checkpoint(w.view); // the signed state moves on its own, every half second: not only with PostgreSQL re-reads
      publish(w); // changes the gate held back
    }
  }

  /** Takes the process's latest verified checkpoint into the view (from memory; a stale one is re-read behind). */
  private void checkpoint(View v) {
    LogStore.Head head = log.cached(v.poll.id());
    if (head != null) v.tallies.checkpoint(head.size(), head.rootBase64());
  }

  /**
   * @return whether the view should be re-read now: never once final (its counts can no longer change); at once
   *         when its poll closed after the last re-read, then every {@value #FINAL_CHECK_MS} ms until final; else
   *         every {@code resyncMs}
   */
  private boolean due(View v, long now) {
    // Final counts no longer change; their signed checkpoint follows within a second, and then nothing does.
    if (v.tallies.isFinal()) return !v.tallies.checkpointCurrent() && now - v.resyncedAt >= FINAL_CHECK_MS;
    Poll p = latest(v);
    if (p.status(now) != Poll.Status.CLOSED) return now - v.resyncedAt >= resyncMs;
    return v.resyncedAt < p.closesAt().toEpochMilli() || now - v.resyncedAt >= Math.min(resyncMs, FINAL_CHECK_MS);
  }

  /** @return the poll as the cache knows it now (closing a poll replaces it there) */
  private Poll latest(View v) {
    Poll p = polls.get(v.poll.id());
    return p != null ? p : v.poll;
  }

  /** Re-reads PostgreSQL into the view (one read in flight per view), then publishes to its spectators. */
  private Future<Void> refresh(View v) {
    if (v.refreshing != null) return v.refreshing;
    v.resyncedAt = System.currentTimeMillis();
    Poll latest = latest(v);
    Future<Void> read = store.shardCounts(v.poll).compose(rows -> {
      for (long[] r : rows) v.tallies.merge((int) r[0], (int) r[1], r[2]);
      return log.head(v.poll.id()).otherwise((LogStore.Head) null);
    }).compose(head -> {
      if (head != null) v.tallies.checkpoint(head.size(), head.rootBase64());
      return finality.isFinal(latest);
    }).map(fin -> {
      v.tallies.markFinal(fin);
      v.warm = true;
      return (Void) null;
    });
    v.refreshing = read;
    read.onComplete(ar -> {
      v.refreshing = null;
      if (ar.failed()) {
        v.resyncedAt = Long.MIN_VALUE / 2; // the next request or tick tries again
        REREAD.failed(ar.cause().toString(), "poll", v.poll.id()); // once per change of state: every view of every loop re-reads
        return;
      }
      REREAD.ok();
      Watch w = watches.get(v.poll.id());
      if (w != null) publish(w);
    });
    return read;
  }

  private void publish(Watch w) {
    // The embargo from the poll as it is now (a reveal reaches every edge as a poll change): a hidden frame has no count.
    Poll now = polls.get(w.view.poll.id());
    boolean hidden = now != null && now.hidden();
    if (!w.view.warm || (w.view.tallies.version() == w.sentVersion && w.frame != null && hidden == w.sentHidden)) return;
    long interval = FrameGate.intervalMs(spectators.get(), frameBudget);
    // A reveal goes out at once, past the gate: every spectator gets the counts the moment they are public.
    if (hidden == w.sentHidden && !w.gate.tryPass(System.currentTimeMillis(), interval)) return; // coalesced into a later tick's frame
    JsonObject json = w.view.tallies.toJson();
    if (hidden) json = now.hiddenResults(json.getBoolean("final", false));
    w.frame = Frame.of(json.encode()); // once per frame, whatever the number of spectators
    w.sentVersion = w.view.tallies.version();
    w.sentHidden = hidden;
    if (onFrame != null) onFrame.run();
    // Vote-to-screen ends at the first frame built from the commit's counts. A hidden poll's frame carries none, but it
    // is that same frame, sent the same way: measured too, or an embargoed show (the usual kind) would run blind.
    if (w.unscreenedSince != 0) {
      if (screened != null) screened.accept(Math.max(0, System.currentTimeMillis() - w.unscreenedSince));
      w.unscreenedSince = 0;
    }
    for (Spectator s : w.spectators) s.offer(w.frame);
  }

  private void dropIdleViews() {
    long now = System.currentTimeMillis();
    views.values().removeIf(v -> v.refreshing == null && !watches.containsKey(v.poll.id()) && now - v.usedAt >= IDLE_VIEW_MS);
  }

  /**
   * Closes every spectator of this event loop with a reconnect hint (the edge is shutting down): a WebSocket with
   * 1012 "service restart", server-sent events with a {@code retry:} delay; their clients reconnect to another edge.
   *
   * @return how many were closed
   */
  public int closeAllForRestart() {
    int n = 0;
    for (Watch w : List.copyOf(watches.values())) {
      for (Spectator s : List.copyOf(w.spectators)) {
        s.closeForRestart();
        n++;
      }
    }
    return n;
  }
}
