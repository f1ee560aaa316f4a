package io.landslide.dedup.impl;

import io.landslide.dedup.BitmapOptions;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole-poll operations: find a poll's keys (SCAN), count and clear its bits (clearing takes its pending claims
 * too), its completeness sentinel.
 *
 * <p>A poll's chunks are spread over slots, so in cluster mode every master is visited: each one SCANs its own keys,
 * then counts them ({@code BITCOUNT} per key) or deletes them ({@code DEL} per key), pipelined on that master's
 * connection; never a multi-key command across slots. Standalone: one server, one {@code DEL} of all the keys, as
 * before. The sentinel is one key, on its slot's master.
 */
final class BitmapAdmin {
  private final BitmapOptions options;
  private final RedisNodes nodes;

  /**
   * @param options the key layout
   * @param nodes   the servers
   */
  BitmapAdmin(BitmapOptions options, RedisNodes nodes) {
    this.options = options;
    this.nodes = nodes;
  }

  /** See {@link io.landslide.dedup.VoterBitmap#count}. */
  Future<Long> count(int poll) {
    return eachMaster(link -> link.scan(options.pollPattern(poll)).compose(keys -> {
      if (keys.isEmpty()) return Future.succeededFuture(0L);
      List<Request> counts = new ArrayList<>(keys.size());
      for (String k : keys) counts.add(Request.cmd(Command.BITCOUNT).arg(k));
      return link.batch(counts).map(BitmapAdmin::sum);
    }));
  }

  /** See {@link io.landslide.dedup.VoterBitmap#clear}: the chunks, then the poll's pending claims (not counted). */
  Future<Long> clear(int poll) {
    return eachMaster(link -> delete(link, options.pollPattern(poll)))
      .compose(chunks -> eachMaster(link -> delete(link, options.pendingPattern(poll))).map(chunks));
  }

  /** @return how many keys matching the pattern the master deleted */
  private Future<Long> delete(RedisLink link, String pattern) {
    return link.scan(pattern).compose(keys -> {
      if (keys.isEmpty()) return Future.succeededFuture(0L);
      if (!nodes.cluster()) {
        Request del = Request.cmd(Command.DEL);
        keys.forEach(del::arg);
        return link.withTimeout(link.send(del)).map(Response::toLong);
      }
      List<Request> dels = new ArrayList<>(keys.size());
      for (String k : keys) dels.add(Request.cmd(Command.DEL).arg(k));
      return link.batch(dels).map(BitmapAdmin::sum);
    });
  }

  /** Runs the operation on every master (in parallel) and sums what they answer. */
  private Future<Long> eachMaster(java.util.function.Function<RedisLink, Future<Long>> op) {
    return nodes.masters().compose(masters -> {
      if (masters.size() == 1) return op.apply(masters.get(0));
      List<Future<Long>> all = new ArrayList<>(masters.size());
      for (RedisLink m : masters) all.add(op.apply(m));
      return Future.all(all).map(cf -> {
        long sum = 0;
        for (Future<Long> f : all) sum += f.result();
        return sum;
      });
    });
  }

  private static long sum(List<Response> answers) {
    long sum = 0;
    for (Response r : answers) sum += r.toLong();
    return sum;
  }

  /** See {@link io.landslide.dedup.VoterBitmap#markComplete}. */
  Future<Void> markComplete(int poll) {
    String key = options.sentinelKey(poll);
    return nodes.withTimeout(nodes.send(key, Request.cmd(Command.SET).arg(key).arg("1"))).mapEmpty();
  }

  /**
   * @param poll the poll id
   * @return whether the poll's sentinel is there (its bitmap was not lost since it was marked complete)
   */
  Future<Boolean> isComplete(int poll) {
    String key = options.sentinelKey(poll);
    return nodes.withTimeout(nodes.send(key, Request.cmd(Command.EXISTS).arg(key))).map(r -> r.toInteger() == 1);
  }

  /** @return succeeds when every server answers a PING within the timeout */
  Future<Void> ping() {
    return nodes.masters().compose(masters -> {
      List<Future<Response>> all = new ArrayList<>(masters.size());
      for (RedisLink m : masters) all.add(m.withTimeout(m.send(Request.cmd(Command.PING))));
      return Future.all(all).mapEmpty();
    });
  }
}
