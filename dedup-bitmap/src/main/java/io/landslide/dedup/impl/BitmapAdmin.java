package io.landslide.dedup.impl;

import io.landslide.dedup.BitmapOptions;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/** Whole-poll operations: find a poll's keys (SCAN), count and clear its bits, its completeness sentinel. */
final class BitmapAdmin {
  private final BitmapOptions options;
  private final RedisLink link;

  /**
   * @param options the key layout
   * @param link    the connection
   */
  BitmapAdmin(BitmapOptions options, RedisLink link) {
    this.options = options;
    this.link = link;
  }

  /** See {@link io.landslide.dedup.VoterBitmap#count}. */
  Future<Long> count(int poll) {
    return keysOf(poll, "0", new ArrayList<>()).compose(keys -> {
      if (keys.isEmpty()) return Future.succeededFuture(0L);
      List<Request> counts = new ArrayList<>(keys.size());
      for (String k : keys) counts.add(Request.cmd(Command.BITCOUNT).arg(k));
      return link.batch(counts).map(rs -> {
        long sum = 0;
        for (Response r : rs) sum += r.toLong();
        return sum;
      });
    });
  }

  /** See {@link io.landslide.dedup.VoterBitmap#clear}. */
  Future<Long> clear(int poll) {
    return keysOf(poll, "0", new ArrayList<>()).compose(keys -> {
      if (keys.isEmpty()) return Future.succeededFuture(0L);
      Request del = Request.cmd(Command.DEL);
      keys.forEach(del::arg);
      return link.withTimeout(link.send(del)).map(Response::toLong);
    });
  }

  private Future<List<String>> keysOf(int poll, String cursor, List<String> acc) {
    return link.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(options.pollPattern(poll)).arg("COUNT").arg(1000))
      .compose(r -> {
        for (Response k : r.get(1)) acc.add(k.toString());
        String next = r.get(0).toString();
        return "0".equals(next) ? Future.succeededFuture(acc) : keysOf(poll, next, acc);
      });
  }

  /** See {@link io.landslide.dedup.VoterBitmap#markComplete}. */
  Future<Void> markComplete(int poll) {
    return link.withTimeout(link.send(Request.cmd(Command.SET).arg(options.sentinelKey(poll)).arg("1"))).mapEmpty();
  }

  /**
   * @param poll the poll id
   * @return whether the poll's sentinel is there (its bitmap was not lost since it was marked complete)
   */
  Future<Boolean> isComplete(int poll) {
    return link.withTimeout(link.send(Request.cmd(Command.EXISTS).arg(options.sentinelKey(poll)))).map(r -> r.toInteger() == 1);
  }
}
