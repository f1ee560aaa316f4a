package io.landslide.dedup.impl;

import io.landslide.dedup.BitmapOptions;
import io.landslide.dedup.VoterBitmap.Claim;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One user's bit: claim (batched), confirm, release and check. The hot path. A claim sets the bit and records the
 * user as pending in one function call ({@link ClaimFunctions}); once the vote is durable the edge confirms it (the
 * pending entry goes, in the next batch); a release clears both. What stays pending is reconciled
 * ({@link Reconciler}).
 *
 * <p>Batching: claims are sorted into one lane per server (standalone: one lane; cluster: one per master, by the
 * slot of the user's key). Per lane, at most one batch of claims in flight on its connection; claims that arrive
 * meanwhile, or within the batch window after the first, leave together in one write. A write, a read and a
 * deadline per batch and server instead of per claim: Redis and the kernel see a fraction of the syscalls, for at
 * most the window in added latency; a slow master holds up only the claims on its slots. Off the home context, a
 * plain send with its own deadline.
 *
 * <p>Cluster: a command of a batch redirected ({@code MOVED}/{@code ASK}: its slot moved) was not executed, so it is
 * sent again alone where the error says, and answers from there. Vert.x fails the whole batch then, so the answers
 * of its batch-mates, which did run, are lost: they answer UNKNOWN (the caller lets the vote through and PostgreSQL
 * guards), never a made-up CLAIMED or ALREADY_CLAIMED. The slot map is reloaded for the batches after.
 */
final class Claims {
  private static final int RELEASE_ATTEMPTS = 3;

  private final Vertx vertx;
  private final BitmapOptions options;
  private final RedisNodes nodes;
  /** The context claims are batched on: the one that created this instance (its verticle's event loop). */
  private final Context home;
  /** Its thread: HTTP requests run on duplicates of the verticle's context, so compare threads, not contexts. */
  private final Thread homeThread;
  /** One lane per link, by {@link RedisLink#index} (home thread only). */
  private Lane[] lanes = new Lane[4];

  /**
   * Call on the event loop the claims will come from: it becomes their home.
   *
   * @param vertx   the Vert.x instance
   * @param options the layout, the timeout and the batch window
   * @param nodes   the servers
   */
  Claims(Vertx vertx, BitmapOptions options, RedisNodes nodes) {
    this.vertx = vertx;
    this.options = options;
    this.nodes = nodes;
    this.home = vertx.getOrCreateContext();
    this.homeThread = Context.isOnEventLoopThread() ? Thread.currentThread() : null;
  }

  /** See {@link io.landslide.dedup.VoterBitmap#claim}. */
  Future<Claim> claim(int poll, long user) {
    String key = options.key(poll, user);
    Request fcall = ClaimFunctions.call(ClaimFunctions.CLAIM, key, options.pendingKey(key), options.offset(user), user);
    return sendBatched(key, fcall).transform(ar -> Future.succeededFuture(ar.failed() ? Claim.UNKNOWN : switch (ar.result().toInteger()) {
      case 0 -> Claim.CLAIMED;
      case 2 -> Claim.IN_DOUBT;
      default -> Claim.ALREADY_CLAIMED;
    }));
  }

  /** See {@link io.landslide.dedup.VoterBitmap#confirm}: one more command in the next batch, its answer not awaited. */
  void confirm(int poll, long user) {
    String key = options.key(poll, user);
    sendBatched(key, Request.cmd(Command.ZREM).arg(options.pendingKey(key)).arg(user));
  }

  /** See {@link io.landslide.dedup.VoterBitmap#doubt}. */
  Future<Void> doubt(int poll, long user) {
    String key = options.key(poll, user);
    return sendAlone(key, ClaimFunctions.call(ClaimFunctions.DOUBT, key, options.pendingKey(key), options.offset(user), user)).mapEmpty();
  }

  /** See {@link io.landslide.dedup.VoterBitmap#release}. */
  Future<Boolean> release(int poll, long user) {
    String key = options.key(poll, user);
    return release(key, ClaimFunctions.call(ClaimFunctions.RELEASE, key, options.pendingKey(key), options.offset(user), user),
      RELEASE_ATTEMPTS);
  }

  private Future<Boolean> release(String key, Request fcall, int attemptsLeft) {
    return sendAlone(key, fcall).map(r -> r.toInteger() == 1)
      .recover(t -> attemptsLeft > 1 ? release(key, fcall, attemptsLeft - 1) : Future.failedFuture(t));
  }

  /** See {@link io.landslide.dedup.VoterBitmap#isClaimed}. */
  Future<Boolean> isClaimed(int poll, long user) {
    String key = options.key(poll, user);
    return nodes.withTimeout(nodes.send(key, Request.cmd(Command.GETBIT).arg(key).arg(options.offset(user))))
      .map(r -> r.toInteger() == 1);
  }

  /** Claims that leave in one write to one server, and share one deadline (from the first claim's arrival). */
  private static final class Batch {
    final List<Request> requests = new ArrayList<>();
    final List<Promise<Response>> promises = new ArrayList<>();
    long timer;
    boolean done;

    void complete(List<Response> responses, Throwable failure) {
      if (done) return;
      done = true;
      for (int i = 0; i < promises.size(); i++) {
        if (failure == null) promises.get(i).tryComplete(responses.get(i));
        else promises.get(i).tryFail(failure);
      }
    }
  }

  /** The claims bound for one server: those gathering for its next write, and its batch on the wire. */
  private static final class Lane {
    final RedisLink link;
    Batch open;
    Batch flying;
    boolean flushScheduled;

    Lane(RedisLink link) {
      this.link = link;
    }
  }

  private Lane lane(RedisLink link) {
    int i = link.index();
    if (i >= lanes.length) lanes = Arrays.copyOf(lanes, Math.max(i + 1, lanes.length * 2));
    Lane l = lanes[i];
    if (l == null) lanes[i] = l = new Lane(link);
    return l;
  }

  /** One command on its own, with its deadline; the functions are loaded again where they were found missing. */
  private Future<Response> sendAlone(String key, Request request) {
    return nodes.withTimeout(nodes.send(key, request)).onFailure(t -> {
      RedisLink l = nodes.linkFor(key);
      if (l != null && ClaimFunctions.notLoaded(t.getMessage())) l.reloadFunctions();
    });
  }

  private Future<Response> sendBatched(String key, Request request) {
    if (Thread.currentThread() != homeThread) return sendAlone(key, request);
    RedisLink link = nodes.linkFor(key);
    if (link == null) return sendAlone(key, request); // cluster, slot map not known yet
    Lane lane = lane(link);
    Batch b = lane.open;
    if (b == null) {
      Batch nb = new Batch();
      nb.timer = vertx.setTimer(options.timeoutMs(), t -> expire(lane, nb));
      lane.open = b = nb;
    }
    Promise<Response> p = Promise.promise();
    b.requests.add(request);
    b.promises.add(p);
    if (lane.flying == null && !lane.flushScheduled) {
      lane.flushScheduled = true;
      if (options.batchWindowMs() > 0) vertx.setTimer(options.batchWindowMs(), t -> flush(lane));
      else home.runOnContext(v -> flush(lane)); // after this event-loop iteration: gather what it read
    }
    return p.future();
  }

  private void flush(Lane lane) {
    lane.flushScheduled = false;
    Batch b = lane.open;
    if (b == null || lane.flying != null) return;
    lane.open = null;
    lane.flying = b;
    Future<RedisConnection> c = lane.link.connection();
    Future<List<Response>> sent = b.requests.size() == 1
      ? (c.succeeded() ? c.result().send(b.requests.get(0)) : c.compose(rc -> rc.send(b.requests.get(0)))).map(List::of)
      : (c.succeeded() ? c.result().batch(b.requests) : c.compose(rc -> rc.batch(b.requests)));
    sent.onComplete(ar -> {
      vertx.cancelTimer(b.timer);
      if (ar.failed() && ClaimFunctions.notLoaded(ar.cause().getMessage())) lane.link.reloadFunctions();
      if (ar.failed() && nodes.cluster()) failedInCluster(b, ar.cause());
      else b.complete(ar.result(), ar.cause());
      if (lane.flying == b) {
        lane.flying = null;
        if (lane.open != null && !lane.flushScheduled) flush(lane);
      }
    });
  }

  /**
   * Cluster: a failed batch. Commands redirected were not executed: they go again, alone, where the error says.
   * The others ran or failed for themselves; answers that ran are lost: UNKNOWN.
   */
  private void failedInCluster(Batch b, Throwable cause) {
    if (b.done) return;
    b.done = true;
    String message = cause.getMessage();
    Map<Integer, String> errors = errorsByIndex(message, b.requests.size());
    if (errors.isEmpty()) {
      nodes.refreshSoon(); // the connection failed, not a command: perhaps a failover
      if (b.requests.size() == 1 && RedisNodes.Redirect.of(message) != null) errors.put(0, message); // a lone send
      else {
        for (Promise<Response> p : b.promises) p.tryFail(cause);
        return;
      }
    }
    for (int i = 0; i < b.promises.size(); i++) {
      Promise<Response> p = b.promises.get(i);
      String error = errors.get(i);
      if (error == null) {
        p.tryFail("answer lost: another command of its batch was redirected");
      } else if (RedisNodes.Redirect.of(error) != null) {
        nodes.withTimeout(nodes.redirect(b.requests.get(i), error)).onComplete(p);
      } else {
        p.tryFail(error);
      }
    }
  }

  /** @return the per-command errors of a failed batch ({@code ERR [i] <error>} lines), by index */
  private static Map<Integer, String> errorsByIndex(String message, int size) {
    Map<Integer, String> out = new HashMap<>();
    if (message == null) return out;
    for (String line : message.split("\\R")) {
      if (!line.startsWith("ERR [")) continue;
      int close = line.indexOf("] ");
      if (close < 0) continue;
      try {
        int i = Integer.parseInt(line.substring(5, close));
        if (i >= 0 && i < size) out.put(i, line.substring(close + 2));
      } catch (NumberFormatException ignored) {
        // not the batch format: leave it
      }
    }
    return out;
  }

  /**
   * A batch missed its deadline: its claims answer UNKNOWN. If it was on the wire, the server (or the connection)
   * is stuck: drop the connection, so the claims queued behind it are not held hostage.
   */
  private void expire(Lane lane, Batch b) {
    if (b.done) return;
    b.complete(null, new IllegalStateException("redis timeout after " + options.timeoutMs() + " ms"));
    if (lane.open == b) {
      lane.open = null;
    } else if (lane.flying == b) {
      lane.flying = null;
      lane.link.dropCurrent();
      nodes.refreshSoon();
      if (lane.open != null && !lane.flushScheduled) flush(lane);
    }
  }
}
