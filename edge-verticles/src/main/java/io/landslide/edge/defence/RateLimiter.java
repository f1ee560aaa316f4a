package io.landslide.edge.defence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One rate limit (say, votes per user) for the whole edge process, holding across edges.
 *
 * <p>Two layers, each cheap. Locally, a token bucket per key (rate and burst): the first check, no I/O. Across
 * edges, a count per key and fixed window in Redis: this process's acquisitions are pushed every sync
 * ({@link #drain}, {@link #applyGlobal}: pipelined {@code INCRBY}, never a round trip per request), and a key whose
 * count across all edges reached the window's allowance (burst + rate × window, what one token bucket could give in
 * that window) is blocked on every edge until the window ends ({@link #block}, spread by Redis pub/sub). Between
 * syncs an edge may let a key through a little past the shared allowance: at most what it receives for that key
 * in one sync interval.
 *
 * <p>Only keys that did something are visited at a sync, and a key is pushed only once this edge has let it through
 * {@code pushAfter} times in the window: a viewer who votes once costs Redis nothing, while a key spread over E
 * edges can pass the shared allowance by at most {@code (pushAfter - 1) × E} before every edge knows.
 *
 * <p>Thread-safe: the event loops of the process share one limiter; each key's state is guarded by its own lock.
 */
public final class RateLimiter {
  /**
   * @param name      the limit's name (in Redis keys and metrics)
   * @param perSecond tokens refilled per second; 0 turns the limit off
   * @param burst     the bucket's size
   */
  public record Limit(String name, double perSecond, int burst) {
    boolean off() {
      return perSecond <= 0;
    }
  }

  /**
   * What this process acquired for a key in a window and has not pushed yet.
   *
   * @param key    the key
   * @param window the window number
   * @param count  how many
   */
  record Pending(String key, long window, long count) {
  }

  private static final class Entry {
    double tokens;
    long refilledAt;
    long window = -1;
    long unsynced;
    long inFlight;
    long global;
    long blockedUntil;
    long usedAt;
    long windowCount; // let through in this window, on this edge
    boolean queued; // waiting in the dirty queue
  }

  private final Limit limit;
  private final long windowMs;
  private final long allowance;
  private final LongSupplier clockMillis;
  private final int pushAfter;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final java.util.Queue<String> dirty = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /**
   * @param limit       the limit
   * @param windowMs    the shared count's window
   * @param pushAfter   a key is pushed once this edge let it through this often in the window (1: always)
   * @param clockMillis the clock
   */
  public RateLimiter(Limit limit, long windowMs, int pushAfter, LongSupplier clockMillis) {
    this.limit = limit;
    this.pushAfter = pushAfter;
    this.windowMs = windowMs;
    this.allowance = limit.burst() + (long) Math.floor(limit.perSecond() * windowMs / 1000.0);
    this.clockMillis = clockMillis;
  }

  /** @return the limit */
  public Limit limit() {
    return limit;
  }

  /** @return what all edges together may let through for one key in one window */
  public long allowance() {
    return allowance;
  }

  /**
   * @param key who is asking, by number (a user): no key string is made when the limit is off
   * @return whether the request may go on (and if so, it is counted)
   */
  public boolean tryAcquire(long key) {
    return limit.off() || tryAcquire(Long.toString(key));
  }

  /**
   * @param key who is asking (an address, a user)
   * @return whether the request may go on (and if so, it is counted)
   */
  public boolean tryAcquire(String key) {
    if (limit.off()) return true;
    long now = clockMillis.getAsLong();
    Entry e = entries.computeIfAbsent(key, k -> {
      Entry n = new Entry();
      n.tokens = limit.burst();
      n.refilledAt = now;
      return n;
    });
    synchronized (e) {
      e.usedAt = now;
      if (now < e.blockedUntil) return false;
      long w = now / windowMs;
      if (w != e.window) {
        e.window = w;
        e.unsynced = 0;
        e.inFlight = 0;
        e.global = 0;
        e.windowCount = 0;
      }
      e.tokens = Math.min(limit.burst(), e.tokens + (now - e.refilledAt) * limit.perSecond() / 1000.0);
      e.refilledAt = now;
      if (e.tokens < 1 || e.global + e.inFlight + e.unsynced >= allowance) return false;
      e.tokens -= 1;
      e.unsynced++;
      if (++e.windowCount >= pushAfter && !e.queued) {
        e.queued = true;
        dirty.add(key);
      }
      return true;
    }
  }

  /** @return what was acquired since the last drain by keys due a push, to push to the shared counts (now in flight) */
  List<Pending> drain() {
    List<Pending> out = new ArrayList<>();
    for (String key; (key = dirty.poll()) != null; ) {
      Entry e = entries.get(key);
      if (e == null) continue;
      synchronized (e) {
        e.queued = false;
        if (e.unsynced == 0) continue;
        out.add(new Pending(key, e.window, e.unsynced));
        e.inFlight += e.unsynced;
        e.unsynced = 0;
      }
    }
    return out;
  }

  /**
   * @param pushed what was pushed
   * @param count  the key's count across all edges in that window, after the push; -1 when the push failed
   * @return the end of the window (epoch ms) when the key is now over its allowance and should be blocked everywhere, else 0
   */
  long applyGlobal(Pending pushed, long count) {
    Entry e = entries.get(pushed.key());
    if (e == null) return 0;
    synchronized (e) {
      if (e.window != pushed.window()) return 0; // a new window began meanwhile: the old count no longer matters
      e.inFlight -= pushed.count();
      if (count < 0) {
        e.unsynced += pushed.count(); // push it again next time
        if (!e.queued) {
          e.queued = true;
          dirty.add(pushed.key());
        }
        return 0;
      }
      e.global = Math.max(e.global, count);
      if (count < allowance) return 0;
      e.blockedUntil = (e.window + 1) * windowMs;
      return e.blockedUntil;
    }
  }

  /**
   * Another edge found the key over its allowance.
   *
   * @param key   the key
   * @param until epoch ms
   */
  void block(String key, long until) {
    if (limit.off() || until <= clockMillis.getAsLong()) return;
    Entry e = entries.computeIfAbsent(key, k -> new Entry());
    synchronized (e) {
      e.blockedUntil = Math.max(e.blockedUntil, until);
      e.usedAt = clockMillis.getAsLong();
    }
  }

  /** @return keys blocked now (for metrics) */
  public int blocked() {
    long now = clockMillis.getAsLong();
    int n = 0;
    for (Entry e : entries.values()) {
      synchronized (e) {
        if (now < e.blockedUntil) n++;
      }
    }
    return n;
  }

  /** Forgets keys idle for two windows with nothing left to push (memory stays bounded by the active keys). */
  void evictIdle() {
    long now = clockMillis.getAsLong();
    entries.values().removeIf(e -> {
      synchronized (e) {
        return e.unsynced == 0 && e.inFlight == 0 && now - e.usedAt > 2 * windowMs && now >= e.blockedUntil;
      }
    });
  }

  /** @return keys remembered now */
  int size() {
    return entries.size();
  }
}
