package io.landslide.dedup.impl;

import io.landslide.dedup.BitmapOptions;
import io.landslide.dedup.VoterBitmap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@link VoterBitmap} on one pipelined Redis connection. */
public final class RedisVoterBitmap implements VoterBitmap {
  private static final int RELEASE_ATTEMPTS = 3;
  private static final int REBUILD_FETCH = 50_000;
  private static final long REBUILD_LOCK_MS = 120_000;

  private final Vertx vertx;
  private final BitmapOptions options;
  private final Redis client;
  private volatile Future<RedisConnection> connection;
  /** The context claims are batched on: the one that created this instance (its verticle's event loop). */
  private final Context home;
  /** Its thread: HTTP requests run on duplicates of the verticle's context, so compare threads, not contexts. */
  private final Thread homeThread;
  /** Claims gathering for the next write, and the batch written but not answered yet (home thread only). */
  private Batch open;
  private Batch flying;
  private boolean flushScheduled;
  private volatile long connectFailedAt = Long.MIN_VALUE;

  /**
   * @param vertx   the Vert.x instance
   * @param options the layout and where Redis is
   */
  public RedisVoterBitmap(Vertx vertx, BitmapOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.home = vertx.getOrCreateContext();
    this.homeThread = Context.isOnEventLoopThread() ? Thread.currentThread() : null;
    // One connection, many commands in flight on it: pipelining across concurrent requests.
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(options.redisUri())
      .setMaxWaitingHandlers(65_536));
  }

  @Override
  public Future<Void> connect() {
    return connection().mapEmpty();
  }

  @Override
  public Future<Claim> claim(int poll, long user) {
    return sendBatched(setbit(poll, user, 1)).transform(ar -> Future.succeededFuture(
      ar.failed() ? Claim.UNKNOWN : ar.result().toInteger() == 0 ? Claim.CLAIMED : Claim.ALREADY_CLAIMED));
  }

  @Override
  public Future<Boolean> release(int poll, long user) {
    return release(poll, user, RELEASE_ATTEMPTS);
  }

  private Future<Boolean> release(int poll, long user, int attemptsLeft) {
    return withTimeout(send(setbit(poll, user, 0))).map(r -> r.toInteger() == 1)
      .recover(t -> attemptsLeft > 1 ? release(poll, user, attemptsLeft - 1) : Future.failedFuture(t));
  }

  @Override
  public Future<Boolean> isClaimed(int poll, long user) {
    return withTimeout(send(Request.cmd(Command.GETBIT).arg(options.key(poll, user)).arg(options.offset(user))))
      .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Long> count(int poll) {
    return keysOf(poll, "0", new ArrayList<>()).compose(keys -> {
      if (keys.isEmpty()) return Future.succeededFuture(0L);
      List<Request> counts = new ArrayList<>(keys.size());
      for (String k : keys) counts.add(Request.cmd(Command.BITCOUNT).arg(k));
      return connection().compose(c -> c.batch(counts)).map(rs -> {
        long sum = 0;
        for (Response r : rs) sum += r.toLong();
        return sum;
      });
    });
  }

  @Override
  public Future<Long> clear(int poll) {
    return keysOf(poll, "0", new ArrayList<>()).compose(keys -> {
      if (keys.isEmpty()) return Future.succeededFuture(0L);
      Request del = Request.cmd(Command.DEL);
      keys.forEach(del::arg);
      return withTimeout(send(del)).map(Response::toLong);
    });
  }

  private Future<List<String>> keysOf(int poll, String cursor, List<String> acc) {
    return send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(options.pollPattern(poll)).arg("COUNT").arg(1000))
      .compose(r -> {
        for (Response k : r.get(1)) acc.add(k.toString());
        String next = r.get(0).toString();
        return "0".equals(next) ? Future.succeededFuture(acc) : keysOf(poll, next, acc);
      });
  }

  @Override
  public Future<Long> rebuild(int poll, Pool pg) {
    // Users in key order, one chunk in memory at a time: memory stays at one chunk whatever the poll's size.
    String tmp = options.prefix() + "rebuild:" + UUID.randomUUID();
    Rebuild state = new Rebuild(poll, tmp, 1 << (options.chunkBits() - 3));
    return pg.withTransaction(conn -> conn.prepare("SELECT user_id FROM votes WHERE poll_id = $1 ORDER BY user_id")
        .compose(ps -> readAll(ps.cursor(Tuple.of(poll)), state)))
      .compose(users -> state.flush().map(users));
  }

  private Future<Long> readAll(Cursor cursor, Rebuild state) {
    return cursor.read(REBUILD_FETCH).compose(rows -> {
      Future<Void> flushed = Future.succeededFuture();
      for (Row row : rows) {
        long user = row.getLong(0);
        long chunk = user >>> options.chunkBits();
        if (chunk != state.chunk) {
          Future<Void> prev = flushed;
          Future<Void> f = state.flush();
          flushed = prev.compose(v -> f);
          state.start(chunk);
        }
        long off = options.offset(user);
        state.bits[(int) (off >>> 3)] |= (byte) (0x80 >>> (off & 7)); // Redis bit 0 is the high bit of byte 0
        state.users++;
      }
      return flushed.compose(v -> cursor.hasMore() ? readAll(cursor, state) : cursor.close().map(state.users));
    });
  }

  /** The chunk being rebuilt; OR-ed into the live key, so bits set meanwhile by voters are kept. */
  private final class Rebuild {
    final int poll;
    final String tmp;
    final int chunkBytes;
    long chunk = -1;
    byte[] bits;
    long users;

    Rebuild(int poll, String tmp, int chunkBytes) {
      this.poll = poll;
      this.tmp = tmp;
      this.chunkBytes = chunkBytes;
    }

    void start(long c) {
      chunk = c;
      bits = new byte[chunkBytes];
    }

    Future<Void> flush() {
      if (bits == null) return Future.succeededFuture();
      String live = options.chunkKey(poll, chunk);
      List<Request> cmds = List.of(Request.cmd(Command.SET).arg(tmp).arg(Buffer.buffer(bits)),
        Request.cmd(Command.BITOP).arg("OR").arg(live).arg(live).arg(tmp),
        Request.cmd(Command.DEL).arg(tmp));
      bits = null;
      return connection().compose(c -> c.batch(cmds)).mapEmpty();
    }
  }

  @Override
  public Future<Void> markComplete(int poll) {
    return withTimeout(send(Request.cmd(Command.SET).arg(options.sentinelKey(poll)).arg("1"))).mapEmpty();
  }

  @Override
  public Future<Long> rebuildIfLost(int poll, Pool pg) {
    String lock = options.prefix() + "rebuilding:" + poll;
    return withTimeout(send(Request.cmd(Command.EXISTS).arg(options.sentinelKey(poll)))).compose(exists -> {
      if (exists.toInteger() == 1) return Future.succeededFuture(-1L);
      return withTimeout(send(Request.cmd(Command.SET).arg(lock).arg("1").arg("NX").arg("PX").arg(REBUILD_LOCK_MS)))
        .compose(locked -> {
          if (locked == null) return Future.succeededFuture(-1L); // another edge is on it
          return rebuild(poll, pg).compose(users -> markComplete(poll).map(users))
            .eventually(() -> send(Request.cmd(Command.DEL).arg(lock)));
        });
    });
  }

  @Override
  public Future<Void> ping() {
    return withTimeout(send(Request.cmd(Command.PING))).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return client.close();
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

  /**
   * Batching: at most one batch of claims in flight on the connection; claims that arrive meanwhile, or
   * within the batch window after the first, leave together in one write. A write, a read and a deadline per
   * batch instead of per claim: Redis and the kernel see a fraction of the syscalls, for at most the window in
   * added latency. Off the home context, a plain send with its own deadline.
   */
  private Future<Response> sendBatched(Request request) {
    if (Thread.currentThread() != homeThread) return withTimeout(send(request));
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
    Future<RedisConnection> c = connection();
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
      Future<RedisConnection> c = connection;
      if (c != null && c.succeeded()) drop(c.result());
      if (open != null && !flushScheduled) flush();
    }
  }

  private Future<Response> send(Request request) {
    Future<RedisConnection> c = connection();
    // Fast path: an open connection, no composition.
    return c.succeeded() ? c.result().send(request) : c.compose(rc -> rc.send(request));
  }

  private <T> Future<T> withTimeout(Future<T> f) {
    Promise<T> p = Promise.promise();
    long timer = vertx.setTimer(options.timeoutMs(), t -> p.tryFail("redis timeout after " + options.timeoutMs() + " ms"));
    f.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) p.tryComplete(ar.result());
      else p.tryFail(ar.cause());
    });
    return p.future();
  }

  private Future<RedisConnection> connection() {
    Future<RedisConnection> c = connection;
    if (c != null && !c.failed()) return c;
    synchronized (this) {
      c = connection;
      if (c != null && !c.failed()) return c;
      long now = System.nanoTime() / 1_000_000;
      if (c != null && now - connectFailedAt < options.reconnectBackoffMs()) return c; // still failed: answer at once
      c = client.connect().onFailure(t -> connectFailedAt = System.nanoTime() / 1_000_000);
      c.onSuccess(rc -> rc.exceptionHandler(t -> drop(rc)).endHandler(v -> drop(rc)));
      connection = c;
      return c;
    }
  }

  private synchronized void drop(RedisConnection rc) {
    Future<RedisConnection> c = connection;
    if (c != null && c.succeeded() && c.result() == rc) connection = null;
    rc.close();
  }
}
