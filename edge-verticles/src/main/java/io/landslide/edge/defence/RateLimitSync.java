package io.landslide.edge.defence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the process's {@link RateLimiter}s hold across edges through Redis: every {@code syncMs}, one pipelined
 * batch pushes what each limiter let through ({@code INCRBY} on {@code <prefix><limit>:<window>:<key>}, which expires
 * after two windows) and reads back the counts across all edges; a key over its allowance is published on
 * {@code <prefix>blocks}, and every edge (this one included) blocks it until its window ends. When Redis is
 * unreachable, pushes are kept for the next sync and each edge's own buckets still limit.
 */
public final class RateLimitSync {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitSync.class);

  private final Vertx vertx;
  private final Redis redis;
  private final String prefix;
  private final String channel;
  private final Map<String, RateLimiter> limiters = new HashMap<>();
  private final long syncMs;
  private final long windowMs;
  private boolean syncing;
  private long evictedAt;

  /**
   * @param vertx    the Vert.x instance
   * @param redis    a Redis client (its own pool: a subscriber connection and the sync batches)
   * @param prefix   key prefix, e.g. {@code rl:<database>:}
   * @param limiters the limits
   * @param syncMs   how often to push and read counts
   * @param windowMs the limiters' window
   */
  public RateLimitSync(Vertx vertx, Redis redis, String prefix, List<RateLimiter> limiters, long syncMs, long windowMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.prefix = prefix;
    this.channel = prefix + "blocks";
    for (RateLimiter l : limiters) this.limiters.put(l.limit().name(), l);
    this.syncMs = syncMs;
    this.windowMs = windowMs;
  }

  /**
   * Subscribes to the blocks other edges publish; its owner runs {@link #sync} every {@link #syncMs()}.
   *
   * @return succeeds at once (without Redis, limits hold per edge until it is back)
   */
  public Future<Void> start() {
    subscribe();
    return Future.succeededFuture();
  }

  /** @return how often {@link #sync} should run */
  public long syncMs() {
    return syncMs;
  }

  private void subscribe() {
    redis.connect().compose(conn -> {
      conn.handler(this::onMessage);
      conn.exceptionHandler(t -> LOG.warn("rate-limit subscription: {}", t.toString()));
      conn.endHandler(v -> vertx.setTimer(1000, t -> subscribe()));
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).map(conn);
    }).onFailure(t -> vertx.setTimer(1000, x -> subscribe()));
  }

  private void onMessage(Response r) {
    if (r == null || r.size() != 3 || !"message".equals(r.get(0).toString())) return;
    String[] m = r.get(2).toString().split("\n", 3); // limit, until, key (the key last: it may hold anything)
    if (m.length != 3) return;
    RateLimiter l = limiters.get(m[0]);
    try {
      if (l != null) l.block(m[2], Long.parseLong(m[1]));
    } catch (NumberFormatException e) {
      LOG.warn("ignoring a malformed rate-limit block: {}", r);
    }
  }

  /** Pushes this edge's busy counts and reads the blocks: one pipelined batch. */
  public void sync() {
    long now = System.currentTimeMillis();
    if (now - evictedAt > windowMs) {
      evictedAt = now;
      limiters.values().forEach(RateLimiter::evictIdle);
    }
    if (syncing) return;
    List<RateLimiter> owners = new ArrayList<>();
    List<RateLimiter.Pending> pushed = new ArrayList<>();
    List<Request> batch = new ArrayList<>();
    for (RateLimiter l : limiters.values()) {
      for (RateLimiter.Pending p : l.drain()) {
        String key = prefix + l.limit().name() + ":" + p.window() + ":" + p.key();
        batch.add(Request.cmd(Command.INCRBY).arg(key).arg(p.count()));
        batch.add(Request.cmd(Command.PEXPIRE).arg(key).arg(2 * windowMs));
        owners.add(l);
        pushed.add(p);
      }
    }
    if (batch.isEmpty()) return;
    syncing = true;
    redis.batch(batch).onComplete(ar -> {
      syncing = false;
      if (ar.failed()) LOG.debug("rate-limit sync failed, kept for the next: {}", ar.cause().toString());
      for (int i = 0; i < pushed.size(); i++) {
        long count = ar.succeeded() && ar.result().get(2 * i) != null ? ar.result().get(2 * i).toLong() : -1;
        RateLimiter l = owners.get(i);
        long until = l.applyGlobal(pushed.get(i), count);
        if (until > 0) {
          redis.send(Request.cmd(Command.PUBLISH).arg(channel).arg(l.limit().name() + "\n" + until + "\n" + pushed.get(i).key()))
            .onFailure(t -> LOG.debug("rate-limit block not published: {}", t.toString()));
        }
      }
    });
  }
}
