package io.landslide.dedup.impl;

import io.landslide.dedup.BitmapOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * One Redis connection of a bitmap instance, to one server: in standalone mode the only one, shared by its claims,
 * admin operations and rebuilds; in cluster mode one per master ({@link RedisNodes}). Commands from concurrent
 * requests are pipelined on it. Opened on first use; after a failed connect, callers get that failure at once until
 * the reconnect backoff has passed; dropped when it breaks or a batch stalls. Every new connection loads the claim
 * functions ({@link ClaimFunctions}) first.
 */
final class RedisLink {
  private final Vertx vertx;
  private final BitmapOptions options;
  private final String uri;
  private final int index;
  private final Redis client;
  private volatile Future<RedisConnection> connection;
  private volatile long connectFailedAt = Long.MIN_VALUE;

  /**
   * @param vertx   the Vert.x instance
   * @param uri     the server
   * @param options the command timeout and the reconnect backoff
   * @param index   a number unique among the links of one bitmap instance, from 0 (claims keep a lane per link)
   */
  RedisLink(Vertx vertx, String uri, BitmapOptions options, int index) {
    this.vertx = vertx;
    this.options = options;
    this.uri = uri;
    this.index = index;
    // One connection, many commands in flight on it: pipelining across concurrent requests. TLS settings
    // (VOTING_REDIS_CA) come with the options, for this server as for every other.
    this.client = Redis.createClient(vertx, options.serverOptions(uri)
      .setMaxWaitingHandlers(65_536));
  }

  /** @return the server's URI */
  String uri() {
    return uri;
  }

  /** @return this link's number among its instance's links */
  int index() {
    return index;
  }

  /** @return the connection, opening it if there is none (or none since the backoff) */
  Future<RedisConnection> connection() {
    Future<RedisConnection> c = connection;
    if (c != null && !c.failed()) return c;
    synchronized (this) {
      c = connection;
      if (c != null && !c.failed()) return c;
      long now = System.nanoTime() / 1_000_000;
      if (c != null && now - connectFailedAt < options.reconnectBackoffMs()) return c; // still failed: answer at once
      c = client.connect().compose(this::withFunctions).onFailure(t -> connectFailedAt = System.nanoTime() / 1_000_000);
      c.onSuccess(rc -> rc.exceptionHandler(t -> drop(rc)).endHandler(v -> drop(rc)));
      connection = c;
      return c;
    }
  }

  /**
   * Loads the claim functions on a new connection, before any claim can use it. A node that refuses (a replica
   * reached as a seed: read-only) still gives its connection: it is asked for the slot map, never for a claim.
   */
  private Future<RedisConnection> withFunctions(RedisConnection rc) {
    return rc.send(ClaimFunctions.load()).transform(ar -> Future.succeededFuture(rc));
  }

  /** @return loads the claim functions again on the open connection (a claim found them missing) */
  Future<Void> reloadFunctions() {
    return connection().compose(rc -> rc.send(ClaimFunctions.load())).mapEmpty();
  }

  /**
   * @param request a command
   * @return its answer, without a deadline
   */
  Future<Response> send(Request request) {
    Future<RedisConnection> c = connection();
    // Fast path: an open connection, no composition.
    return c.succeeded() ? c.result().send(request) : c.compose(rc -> rc.send(request));
  }

  /**
   * @param requests commands to pipeline in one write
   * @return their answers, in order, without a deadline
   */
  Future<List<Response>> batch(List<Request> requests) {
    return connection().compose(c -> c.batch(requests));
  }

  /**
   * Every key of this server matching a pattern, by {@code SCAN} (COUNT 1000), each call with the command timeout.
   *
   * @param pattern a {@code MATCH} pattern
   * @return the keys
   */
  Future<List<String>> scan(String pattern) {
    return scan(pattern, "0", new ArrayList<>());
  }

  private Future<List<String>> scan(String pattern, String cursor, List<String> acc) {
    return withTimeout(send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000)))
      .compose(r -> {
        for (Response k : r.get(1)) acc.add(k.toString());
        String next = r.get(0).toString();
        return "0".equals(next) ? Future.succeededFuture(acc) : scan(pattern, next, acc);
      });
  }

  /**
   * @param f   a pending answer
   * @param <T> its type
   * @return the same answer, or a failure once the command timeout has passed
   */
  <T> Future<T> withTimeout(Future<T> f) {
    return f.timeout(options.timeoutMs(), TimeUnit.MILLISECONDS);
  }

  /** Closes the open connection, if any (Redis or the wire is stuck): the next command opens another. */
  void dropCurrent() {
    Future<RedisConnection> c = connection;
    if (c != null && c.succeeded()) drop(c.result());
  }

  private synchronized void drop(RedisConnection rc) {
    Future<RedisConnection> c = connection;
    if (c != null && c.succeeded() && c.result() == rc) connection = null;
    rc.close();
  }

  /** @return closes the client and its connection */
  Future<Void> close() {
    return client.close();
  }
}
