package io.landslide.dedup.impl;

import io.landslide.dedup.BitmapOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Redis servers a bitmap instance talks to, and which one holds a key.
 *
 * <p>Standalone: one {@link RedisLink}, every key on it, exactly as before cluster mode.
 *
 * <p>Cluster: a slot map read with {@code CLUSTER SLOTS} from a known master or a seed, and one {@link RedisLink}
 * (one pipelined connection) per master. A key goes to the master owning {@link KeySlot its slot}. A command
 * answered {@code MOVED} is sent again to the node named (and the map is reloaded); one answered {@code ASK} is sent
 * to the node named behind {@code ASKING}, on the same connection; at most {@value #REDIRECTS} redirects. The map
 * is also reloaded (at most once per reconnect backoff) when a master stops answering, so a failover's new master
 * is found. Vert.x's own cluster client is not used: its {@code batch()} refuses keys on different masters, and a
 * batch in which one command is redirected fails whole (the error reads {@code ERR [i] MOVED ...}, which it does
 * not follow), losing the answers of the commands that ran.
 */
final class RedisNodes {
  static final int REDIRECTS = 5;

  private final Vertx vertx;
  private final BitmapOptions options;
  private final boolean cluster;
  private final RedisLink single;
  private final List<String> seeds;
  private final String scheme;
  private final String userInfo;
  private final Map<String, RedisLink> links = new ConcurrentHashMap<>();
  private final AtomicInteger nextIndex = new AtomicInteger();
  private volatile Topology topology;
  private Future<Topology> loading;
  private volatile long loadedAt = Long.MIN_VALUE;

  /** Who serves each slot. */
  static final class Topology {
    final RedisLink[] bySlot = new RedisLink[KeySlot.SLOTS];
    final List<RedisLink> masters = new ArrayList<>();
  }

  /**
   * @param vertx   the Vert.x instance
   * @param options the mode, the URI (or seeds), the timeouts
   */
  RedisNodes(Vertx vertx, BitmapOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.cluster = options.mode() == BitmapOptions.Mode.CLUSTER;
    this.seeds = options.seeds();
    if (cluster) {
      URI first = URI.create(seeds.get(0));
      this.scheme = first.getScheme();
      this.userInfo = first.getRawUserInfo();
      this.single = null;
    } else {
      this.scheme = null;
      this.userInfo = null;
      this.single = new RedisLink(vertx, options.redisUri(), options, nextIndex.getAndIncrement());
    }
  }

  /** @return whether this is a cluster */
  boolean cluster() {
    return cluster;
  }

  /** @return connects to the server, or loads the slot map and connects to every master */
  Future<Void> connect() {
    if (!cluster) return single.connection().mapEmpty();
    return topology().compose(t -> {
      List<Future<?>> all = new ArrayList<>();
      for (RedisLink l : t.masters) all.add(l.connection());
      return Future.all(all).mapEmpty();
    });
  }

  /**
   * @param key a key
   * @return the link of its server as known now; null in cluster mode before the slot map is known or when no
   *         master serves the key's slot
   */
  RedisLink linkFor(String key) {
    if (!cluster) return single;
    Topology t = topology;
    return t == null ? null : t.bySlot[KeySlot.of(key)];
  }

  /**
   * @param key     the key the command works on (in cluster mode, where it goes)
   * @param request a single-key command (or one whose keys share the key's slot)
   * @return its answer, redirects followed, without a deadline
   */
  Future<Response> send(String key, Request request) {
    if (!cluster) return single.send(request);
    return route(key).compose(l -> follow(l.send(request), request, REDIRECTS));
  }

  /**
   * @param key      the key the commands work on: all of them must share its slot
   * @param requests commands that may be sent again whole, at the node a redirect names (idempotent as a group)
   * @return their answers, without a deadline
   */
  Future<List<Response>> batch(String key, List<Request> requests) {
    if (!cluster) return single.batch(requests);
    return route(key).compose(l -> followBatch(l, l.batch(requests), requests, REDIRECTS));
  }

  /**
   * The masters to visit for whole-poll operations. In cluster mode the slot map is reloaded first (at most once per
   * reconnect backoff), so a failover or resharding since the last load is seen.
   *
   * @return the standalone server, or every master
   */
  Future<List<RedisLink>> masters() {
    if (!cluster) return Future.succeededFuture(List.of(single));
    long now = System.nanoTime() / 1_000_000;
    Topology t = topology;
    Future<Topology> f = t != null && now - loadedAt < options.reconnectBackoffMs() ? Future.succeededFuture(t) : reload();
    return f.map(tt -> List.copyOf(tt.masters));
  }

  /**
   * The command was not executed where it was sent: send it where the error says.
   *
   * @param request the command
   * @param error   a {@code MOVED} or {@code ASK} error's message
   * @return its answer from there
   */
  Future<Response> redirect(Request request, String error) {
    return follow(Future.failedFuture(error), request, REDIRECTS);
  }

  /** A master stopped answering or a redirect was seen: reload the slot map, at most once per backoff. */
  void refreshSoon() {
    if (!cluster) return;
    long now = System.nanoTime() / 1_000_000;
    if (now - loadedAt >= options.reconnectBackoffMs()) reload();
  }

  /**
   * @param f   a pending answer
   * @param <T> its type
   * @return the same answer, or a failure once the command timeout has passed
   */
  <T> Future<T> withTimeout(Future<T> f) {
    return f.timeout(options.timeoutMs(), TimeUnit.MILLISECONDS);
  }

  /** @return closes every link */
  Future<Void> close() {
    if (!cluster) return single.close();
    List<Future<?>> all = new ArrayList<>();
    for (RedisLink l : links.values()) all.add(l.close());
    return Future.join(all).mapEmpty();
  }

  private Future<RedisLink> route(String key) {
    Topology t = topology;
    if (t == null) return topology().compose(tt -> at(tt, key));
    return at(t, key);
  }

  private Future<RedisLink> at(Topology t, String key) {
    RedisLink l = t.bySlot[KeySlot.of(key)];
    if (l != null) return Future.succeededFuture(l);
    refreshSoon();
    return Future.failedFuture("no master serves the slot of " + key + " (yet)");
  }

  private Future<Response> follow(Future<Response> sent, Request request, int left) {
    return sent.recover(err -> {
      Redirect r = Redirect.of(err.getMessage());
      if (r == null) {
        if (!isRedisError(err)) refreshSoon(); // the node did not answer: a failover may be under way
        return Future.failedFuture(err);
      }
      if (left <= 0) return Future.failedFuture(err);
      if (!r.ask) refreshSoon();
      RedisLink to = linkAt(r.hostPort);
      Future<Response> again = r.ask ? to.batch(List.of(Request.cmd(Command.ASKING), request)).map(rs -> rs.get(1)) : to.send(request);
      return follow(again, request, left - 1);
    });
  }

  private Future<List<Response>> followBatch(RedisLink link, Future<List<Response>> sent, List<Request> requests, int left) {
    return sent.recover(err -> {
      Redirect r = Redirect.of(err.getMessage());
      if (r == null) {
        if (!isRedisError(err)) refreshSoon();
        return Future.failedFuture(err);
      }
      if (left <= 0) return Future.failedFuture(err);
      if (!r.ask) refreshSoon();
      RedisLink to = linkAt(r.hostPort);
      if (!r.ask) return followBatch(to, to.batch(requests), requests, left - 1);
      List<Request> asking = new ArrayList<>(requests.size() * 2);
      for (Request q : requests) {
        asking.add(Request.cmd(Command.ASKING));
        asking.add(q);
      }
      return followBatch(to, to.batch(asking).map(rs -> {
        List<Response> out = new ArrayList<>(requests.size());
        for (int i = 1; i < rs.size(); i += 2) out.add(rs.get(i));
        return out;
      }), requests, left - 1);
    });
  }

  /** An error Redis answered (it has a code: WRONGTYPE, ERR, MOVED...), rather than a connection that failed. */
  private static boolean isRedisError(Throwable err) {
    return err instanceof Response;
  }

  /** @return the known slot map, or the one being loaded */
  private Future<Topology> topology() {
    Topology t = topology;
    return t != null ? Future.succeededFuture(t) : reload();
  }

  private synchronized Future<Topology> reload() {
    if (loading != null) return loading;
    loadedAt = System.nanoTime() / 1_000_000;
    Set<RedisLink> candidates = new LinkedHashSet<>();
    Topology t = topology;
    if (t != null) candidates.addAll(t.masters);
    for (String s : seeds) candidates.add(seedLink(s));
    Future<Topology> f = loadFrom(new ArrayList<>(candidates), 0, new ArrayList<>());
    loading = f;
    f.onComplete(ar -> {
      synchronized (this) {
        loading = null;
        if (ar.succeeded()) topology = ar.result();
      }
    });
    return f;
  }

  private Future<Topology> loadFrom(List<RedisLink> candidates, int i, List<String> failures) {
    if (i >= candidates.size()) {
      return Future.failedFuture("no Redis Cluster node answered CLUSTER SLOTS (VOTING_REDIS_URI="
        + BitmapOptions.withoutPassword(String.join(",", seeds)) + "): " + failures);
    }
    RedisLink l = candidates.get(i);
    return withTimeout(l.send(Request.cmd(Command.CLUSTER).arg("SLOTS"))).map(r -> parse(r, URI.create(l.uri()).getHost()))
      .recover(err -> {
        failures.add(BitmapOptions.withoutPassword(l.uri()) + ": " + err.getMessage());
        return loadFrom(candidates, i + 1, failures);
      });
  }

  private Topology parse(Response slots, String askedHost) {
    if (slots == null || slots.size() == 0) throw new IllegalStateException("CLUSTER SLOTS: no slots assigned");
    Topology t = new Topology();
    for (Response range : slots) {
      int from = range.get(0).toInteger();
      int to = range.get(1).toInteger();
      Response master = range.get(2);
      String host = master.get(0) == null ? "" : master.get(0).toString();
      if (host.isEmpty() || "?".equals(host)) host = askedHost;
      RedisLink l = linkAt(hostPort(host, master.get(1).toInteger()));
      if (!t.masters.contains(l)) t.masters.add(l);
      for (int s = from; s <= to; s++) t.bySlot[s] = l;
    }
    return t;
  }

  private static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** @return the link to {@code host:port}, with the first seed's scheme and credentials */
  private RedisLink linkAt(String hostPort) {
    String uri = scheme + "://" + (userInfo == null ? "" : userInfo + "@") + hostPort;
    return links.computeIfAbsent(uri, u -> new RedisLink(vertx, u, options, nextIndex.getAndIncrement()));
  }

  private RedisLink seedLink(String seed) {
    return links.computeIfAbsent(seed, u -> new RedisLink(vertx, u, options, nextIndex.getAndIncrement()));
  }

  /** @return every link made so far (tests, close) */
  List<RedisLink> links() {
    return cluster ? Collections.unmodifiableList(new ArrayList<>(links.values())) : List.of(single);
  }

  /** A {@code MOVED} or {@code ASK} error: where the slot is now. */
  static final class Redirect {
    final boolean ask;
    final String hostPort;

    private Redirect(boolean ask, String hostPort) {
      this.ask = ask;
      this.hostPort = hostPort;
    }

    /**
     * @param message an error's message: {@code MOVED 3999 127.0.0.1:6381}, {@code ASK ...}, or a batch's
     *                {@code ERR [i] MOVED ...} lines (the first redirect among them)
     * @return the redirect, or null when it is none
     */
    static Redirect of(String message) {
      if (message == null) return null;
      for (String line : message.split("\\R")) {
        String m = line;
        if (m.startsWith("ERR [")) {
          int close = m.indexOf("] ");
          if (close < 0) continue;
          m = m.substring(close + 2);
        }
        boolean moved = m.startsWith("MOVED ");
        boolean ask = m.startsWith("ASK ");
        if (!moved && !ask) continue;
        String[] f = m.trim().split(" ");
        if (f.length < 3) continue;
        return new Redirect(ask, f[2]);
      }
      return null;
    }
  }
}
