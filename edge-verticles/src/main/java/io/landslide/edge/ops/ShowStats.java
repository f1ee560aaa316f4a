package io.landslide.edge.ops;

import io.landslide.codec.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this edge process tells the control room, per poll (the operator console's live panel): votes accepted,
 * refused by error code and flagged, and spectators watching; cumulative since the process started, so a lost message
 * loses nothing (the next one carries the totals). The metrics' counters are the fleet's, without a poll label (their
 * cardinality stays bounded for Prometheus); these are for the panel only, bounded by the polls that exist.
 *
 * <p>Thread-safe: every event loop counts into the same adders, and the control room reads them once a second.
 */
public final class ShowStats {
  private static final ErrorCode[] CODES = ErrorCode.values();
  /** More polls than this with votes since the process started: the rest are counted as no poll's (never unbounded). */
  private static final int MAX_POLLS = 10_000;
  /** A poll whose counts have not moved for this long (and no spectator) is left out of the message: it stays small. */
  private static final long ACTIVE_MS = 5 * 60_000;
  /** ... and forgotten after this long: its counters start again from zero if it comes back (the panel takes that as no votes). */
  private static final long FORGET_MS = 60 * 60_000;
  /** Commits remembered, to measure each one's vote-to-screen once per process (every event loop hears it). */
  private static final int COMMITS_REMEMBERED = 4096;

  /** One poll's counters. */
  public static final class PollCounters {
    private final LongAdder accepted = new LongAdder();
    private final LongAdder flagged = new LongAdder();
    private final LongAdder[] refused = new LongAdder[CODES.length];
    private final AtomicInteger spectators = new AtomicInteger();
    /** Read and written by the snapshot only (once a second, one thread at a time): when the counts last moved. */
    private long lastSum = -1;
    private long lastChange;
    /** Forgotten (idle for an hour): whoever kept it must ask {@link #poll} again. */
    private volatile boolean retired;

    /** @return whether this poll's counters were forgotten, and {@link ShowStats#poll} gives new ones */
    public boolean retired() {
      return retired;
    }

    PollCounters() {
      for (int i = 0; i < refused.length; i++) refused[i] = new LongAdder();
    }

    /** A vote answered 202. */
    public void accepted() {
      accepted.increment();
    }

    /** A vote accepted and flagged by its abuse score. */
    public void flagged() {
      flagged.increment();
    }

    /** @param code why a vote was refused */
    public void refused(ErrorCode code) {
      refused[code.ordinal()].increment();
    }

    /** @param delta +1 for a spectator come, -1 for one gone */
    public void spectators(int delta) {
      spectators.addAndGet(delta);
    }

    /** @return whether the counts moved within {@code activeMs} of {@code now}, or spectators watch (noting a move) */
    boolean active(long now, long activeMs) {
      long sum = accepted.sum() + flagged.sum();
      for (LongAdder r : refused) sum += r.sum();
      if (sum != lastSum) {
        lastSum = sum;
        lastChange = now;
      }
      return spectators.get() > 0 || now - lastChange <= activeMs;
    }

    JsonObject toJson(int poll) {
      JsonObject r = new JsonObject();
      for (int i = 0; i < refused.length; i++) {
        long n = refused[i].sum();
        if (n > 0) r.put(CODES[i].code(), n);
      }
      return new JsonObject().put("poll", poll).put("accepted", accepted.sum()).put("flagged", flagged.sum()).put("refused", r)
        .put("spectators", Math.max(0, spectators.get()));
    }
  }

  /** The upper bounds of the vote-to-screen buckets, ms: the metrics' ({@link io.landslide.runtime.Histograms}), then +Inf. */
  public static final long[] BUCKETS_MS = io.landslide.runtime.Histograms.BUCKETS_MS;

  private final ConcurrentHashMap<Integer, PollCounters> polls = new ConcurrentHashMap<>();
  /** Vote-to-screen observations per bucket (not cumulative), the last one +Inf. */
  private final LongAdder[] voteToScreen = new LongAdder[BUCKETS_MS.length + 1];

  /** Counters for every poll, created as votes for it arrive. */
  public ShowStats() {
    for (int i = 0; i < voteToScreen.length; i++) voteToScreen[i] = new LongAdder();
  }

  /** @param ms a commit's oldest vote, from its 202 to the first frame of this process that counts it */
  public void voteToScreen(long ms) {
    int i = 0;
    while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]) i++;
    voteToScreen[i].increment();
  }
  private final PollCounters noPoll = new PollCounters();
  private final Map<Long, Boolean> commits = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > COMMITS_REMEMBERED;
    }
  };

  /**
   * @param poll a poll that exists
   * @return its counters
   */
  public PollCounters poll(int poll) {
    PollCounters c = polls.get(poll);
    if (c != null) return c;
    if (polls.size() >= MAX_POLLS) return noPoll;
    return polls.computeIfAbsent(poll, p -> new PollCounters());
  }

  /** @return the counters of votes for no poll this edge knows (a made-up id, a body refused before its poll was read) */
  public PollCounters noPoll() {
    return noPoll;
  }

  /**
   * @param commitId a writer's commit, from its tally message
   * @param poll     a poll of it
   * @return true for the first event loop of this process to ask: the one that measures the commit's vote-to-screen
   */
  public boolean firstToScreen(long commitId, int poll) {
    long key = commitId * 31 + poll;
    synchronized (commits) {
      return commits.putIfAbsent(key, Boolean.TRUE) == null;
    }
  }

  /**
   * @param node this process's id in the cluster's control room
   * @return the message this edge publishes once a second
   */
  public JsonObject snapshot(String node) {
    return snapshot(node, System.currentTimeMillis());
  }

  /** @return the message as of {@code now}: polls whose counts moved in the last 5 minutes, or with spectators */
  synchronized JsonObject snapshot(String node, long now) {
    JsonArray p = new JsonArray();
    polls.forEach((id, c) -> {
      if (c.active(now, ACTIVE_MS)) p.add(c.toJson(id));
      else if (now - c.lastChange > FORGET_MS && polls.remove(id, c)) {
        c.retired = true;
        int joined = c.spectators.get(); // a spectator who came as it was forgotten: carried over
        if (joined != 0) poll(id).spectators(joined);
      }
    });
    p.add(noPoll.toJson(0));
    JsonArray v = new JsonArray();
    for (LongAdder n : voteToScreen) v.add(n.sum());
    return new JsonObject().put("node", node).put("at", now).put("polls", p).put("voteToScreen", v);
  }
}
