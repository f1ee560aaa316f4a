package io.landslide.edge.poll;

import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every poll in memory, shared by the HTTP verticles of one process, so the vote path never asks
 * PostgreSQL about the poll. Kept fresh by PostgreSQL {@code LISTEN/NOTIFY} (a trigger on {@code polls}
 * notifies every edge of every change), by a periodic full reload as a safety net, and by a load on a miss
 * (a poll created a moment ago on another edge), with misses remembered briefly so a flood of votes for
 * polls that do not exist does not reach the database.
 *
 * <p>The negative cache: ids are dense (a sequence), so once every poll is loaded an id beyond the highest known by
 * more than {@value #ID_SLACK} is not a poll, answered without a query and without remembering anything. Below that,
 * at most {@value #MAX_MISSES} misses are remembered (a flood of distinct unknown ids can neither fill memory nor
 * reach PostgreSQL more than once a second each).
 */
public final class PollCache {
  private static final Logger LOG = LoggerFactory.getLogger(PollCache.class);
  private static final long MISS_TTL_MS = 1000;
  /** Polls that may be created (on other edges) before their notification arrives here. */
  static final int ID_SLACK = 64;
  /** Misses remembered at most. */
  static final int MAX_MISSES = 10_000;
  /** How often {@link #reloadAll} should run, in case a notification was lost. */
  public static final long RELOAD_EVERY_MS = 30_000;

  private final PollStore store;
  private final ConcurrentHashMap<Integer, Poll> polls = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, Long> misses = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger maxId = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean loaded;

  /** @param store where polls live */
  public PollCache(PollStore store) {
    this.store = store;
  }

  /**
   * Loads every poll and subscribes to changes.
   *
   * @param subscriber a PostgreSQL subscriber (not yet connected)
   * @return succeeds once loaded and listening
   */
  public Future<Void> start(PgSubscriber subscriber) {
    // (Re)subscribed, at start or after a reconnect: notifications may have been missed meanwhile, reload everything.
    subscriber.channel("landslide_polls").handler(id -> refresh(Integer.parseInt(id))).subscribeHandler(v -> reloadAll());
    subscriber.reconnectPolicy(attempts -> 500L);
    return reloadAll().compose(v -> subscriber.connect());
  }

  /**
   * @param id a poll id
   * @return the poll, or null when this process does not know it (yet)
   */
  public Poll get(int id) {
    return polls.get(id);
  }

  /**
   * @param pathId a poll id as it stands in a path
   * @return the poll; fails with 404 {@code poll_not_found} when there is none
   */
  public Future<Poll> require(String pathId) {
    int id = Http.id(pathId);
    if (id < 0) return Future.failedFuture(Rejection.of(io.landslide.codec.ErrorCode.POLL_NOT_FOUND));
    return lookup(id).compose(p -> p == null ? Future.failedFuture(Rejection.of(io.landslide.codec.ErrorCode.POLL_NOT_FOUND)) : Future.succeededFuture(p));
  }

  /**
   * The poll, from memory or else from PostgreSQL (a miss is remembered for a second).
   *
   * @param id a poll id
   * @return the poll, or null when there is none
   */
  public Future<Poll> lookup(int id) {
    Poll p = polls.get(id);
    if (p != null) return Future.succeededFuture(p);
    if (loaded && (id <= 0 || id > maxId.get() + ID_SLACK)) return Future.succeededFuture(); // not a poll: no query
    long now = System.currentTimeMillis();
    Long missedAt = misses.get(id);
    if (missedAt != null && now - missedAt < MISS_TTL_MS) return Future.succeededFuture();
    return store.get(id).map(found -> {
      if (found == null) remember(id, now);
      else put(found);
      return found;
    });
  }

  private void remember(int id, long now) {
    if (misses.size() >= MAX_MISSES) misses.entrySet().removeIf(e -> now - e.getValue() >= MISS_TTL_MS);
    if (misses.size() < MAX_MISSES) misses.put(id, now);
  }

  /** @return every known poll, by id */
  public List<Poll> all() {
    return polls.values().stream().sorted((a, b) -> Integer.compare(a.id(), b.id())).toList();
  }

  /**
   * Puts a poll this process changed itself (visible before the notification arrives).
   *
   * @param p the poll
   */
  public void put(Poll p) {
    polls.put(p.id(), p);
    misses.remove(p.id());
    maxId.accumulateAndGet(p.id(), Math::max);
  }

  private void refresh(int id) {
    store.get(id).onSuccess(p -> {
      if (p != null) put(p);
    }).onFailure(t -> LOG.warn("poll={} refresh failed: {}", id, t.getMessage()));
  }

  /** @return reloads every poll from PostgreSQL */
  public Future<Void> reloadAll() {
    return store.all().onSuccess(list -> {
      list.forEach(this::put);
      loaded = true;
    })
      .onFailure(t -> LOG.warn("poll reload failed: {}", t.getMessage())).mapEmpty();
  }
}
