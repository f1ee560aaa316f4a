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
import java.util.List;

/**
 * One user's bit: claim (batched), release and check. The hot path.
 *
 * <p>Batching: at most one batch of claims in flight on the connection; claims that arrive meanwhile, or
 * within the batch window after the first, leave together in one write. A write, a read and a deadline per
 * batch instead of per claim: Redis and the kernel see a fraction of the syscalls, for at most the window in
 * added latency. Off the home context, a plain send with its own deadline.
 */
final class Claims {
  private static final int RELEASE_ATTEMPTS = 3;

  private final Vertx vertx;
  private final BitmapOptions options;
  private final RedisLink link;
  /** The context claims are batched on: the one that created this instance (its verticle's event loop). */
  private final Context home;
  /** Its thread: HTTP requests run on duplicates of the verticle's context, so compare threads, not contexts. */
  private final Thread homeThread;
  /** Claims gathering for the next write, and the batch written but not answered yet (home thread only). */
  private Batch open;
  private Batch flying;
  private boolean flushScheduled;

  /**
   * Call on the event loop the claims will come from: it becomes their home.
   *
   * @param vertx   the Vert.x instance
   * @param options the layout, the timeout and the batch window
   * @param link    the connection
   */
  Claims(Vertx vertx, BitmapOptions options, RedisLink link) {
    this.vertx = vertx;
    this.options = options;
    this.link = link;
    this.home = vertx.getOrCreateContext();
    this.homeThread = Context.isOnEventLoopThread() ? Thread.currentThread() : null;
  }

  /** See {@link io.landslide.dedup.VoterBitmap#claim}. */
  Future<Claim> claim(int poll, long user) {
    return sendBatched(setbit(poll, user, 1)).transform(ar -> Future.succeededFuture(
      ar.failed() ? Claim.UNKNOWN : ar.result().toInteger() == 0 ? Claim.CLAIMED : Claim.ALREADY_CLAIMED));
  }

  /** See {@link io.landslide.dedup.VoterBitmap#release}. */
  Future<Boolean> release(int poll, long user) {
    return release(poll, user, RELEASE_ATTEMPTS);
  }

  private Future<Boolean> release(int poll, long user, int attemptsLeft) {
    return link.withTimeout(link.send(setbit(poll, user, 0))).map(r -> r.toInteger() == 1)
      .recover(t -> attemptsLeft > 1 ? release(poll, user, attemptsLeft - 1) : Future.failedFuture(t));
  }

  /** See {@link io.landslide.dedup.VoterBitmap#isClaimed}. */
  Future<Boolean> isClaimed(int poll, long user) {
    return link.withTimeout(link.send(Request.cmd(Command.GETBIT).arg(options.key(poll, user)).arg(options.offset(user))))
      .map(r -> r.toInteger() == 1);
  }

  private Request setbit(int poll, long user, int value) {
    return Request.cmd(Command.SETBIT).arg(options.key(poll, user)).arg(options.offset(user)).arg(value);
  }

  /** Claims that leave in one write, and share one deadline (from the first claim's arrival). */
  private static final class Batch {
    final List<Request> requests = new ArrayList<>();
    final List<Promise<Response>> promises = new ArrayList<>();
    long timer;
    boolean done;

    void complete(List<Response> responses, Throwable failure) {
      if (done) return;
      done = true;
      for (int i = 0; i < promises.size(); i++) {
        if (failure == null) promises.get(i).complete(responses.get(i));
        else promises.get(i).fail(failure);
      }
    }
  }

  private Future<Response> sendBatched(Request request) {
    if (Thread.currentThread() != homeThread) return link.withTimeout(link.send(request));
    Batch b = open;
    if (b == null) {
      Batch nb = new Batch();
      nb.timer = vertx.setTimer(options.timeoutMs(), t -> expire(nb));
      open = b = nb;
    }
    Promise<Response> p = Promise.promise();
    b.requests.add(request);
    b.promises.add(p);
    if (flying == null && !flushScheduled) {
      flushScheduled = true;
      if (options.batchWindowMs() > 0) vertx.setTimer(options.batchWindowMs(), t -> flush());
      else home.runOnContext(v -> flush()); // after this event-loop iteration: gather what it read
    }
    return p.future();
  }

  private void flush() {
    flushScheduled = false;
    Batch b = open;
    if (b == null || flying != null) return;
    open = null;
    flying = b;
    Future<RedisConnection> c = link.connection();
    Future<List<Response>> sent = b.requests.size() == 1
      ? (c.succeeded() ? c.result().send(b.requests.get(0)) : c.compose(rc -> rc.send(b.requests.get(0)))).map(List::of)
      : (c.succeeded() ? c.result().batch(b.requests) : c.compose(rc -> rc.batch(b.requests)));
    sent.onComplete(ar -> {
      vertx.cancelTimer(b.timer);
      b.complete(ar.result(), ar.cause());
      if (flying == b) {
        flying = null;
        if (open != null && !flushScheduled) flush();
      }
    });
  }

  /**
   * A batch missed its deadline: its claims answer UNKNOWN. If it was on the wire, Redis (or the connection)
   * is stuck: drop the connection, so the claims queued behind it are not held hostage.
   */
  private void expire(Batch b) {
    if (b.done) return;
    b.complete(null, new IllegalStateException("redis timeout after " + options.timeoutMs() + " ms"));
    if (open == b) {
      open = null;
    } else if (flying == b) {
      flying = null;
      link.dropCurrent();
      if (open != null && !flushScheduled) flush();
    }
  }
}
