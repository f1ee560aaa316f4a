package io.landslide.dedup.impl;

import io.landslide.dedup.BitmapOptions;
import io.landslide.dedup.VoteRecords;
import io.landslide.dedup.VoterBitmap.Reconciled;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settles claims left pending (see {@link io.landslide.dedup.VoterBitmap#reconcile}). On every master: its clock
 * ({@code TIME}) gives the cut-off, a {@code SCAN} finds the pending-claim keys, a {@code ZRANGEBYSCORE} each the users
 * pending since before the cut-off. Only then are the records asked to catch up, so every vote that could be behind
 * such a claim has reached the log before. Then, per poll, one question for who has a vote written: those are
 * confirmed ({@code ZREM}), the others expired (bit cleared, only if still pending since no later than the cut-off).
 *
 * <p>The common case costs a {@code TIME} and a {@code SCAN} per master: nothing pending, nothing else asked.
 */
final class Reconciler {
  private final BitmapOptions options;
  private final RedisNodes nodes;

  /**
   * @param options the key layout
   * @param nodes   the servers
   */
  Reconciler(BitmapOptions options, RedisNodes nodes) {
    this.options = options;
    this.nodes = nodes;
  }

  /** A user pending in a chunk since no later than {@code cutoff} (ms, by its master's clock). */
  private record Pending(String pendingKey, String chunkKey, int poll, long user, long cutoff) {
  }

  /** See {@link io.landslide.dedup.VoterBitmap#reconcile}. */
  Future<Reconciled> reconcile(VoteRecords records, long graceMs, int limit) {
    return nodes.masters().compose(masters -> {
      List<Future<List<Pending>>> found = new ArrayList<>(masters.size());
      for (RedisLink m : masters) found.add(pendingOn(m, graceMs, limit));
      return Future.all(found).compose(cf -> {
        List<Pending> all = new ArrayList<>();
        for (Future<List<Pending>> f : found) all.addAll(f.result());
        if (all.isEmpty()) return Future.succeededFuture(Reconciled.NONE);
        List<Pending> some = all.size() > limit ? all.subList(0, limit) : all;
        return records.caughtUp().compose(v -> settle(records, some));
      });
    });
  }

  private Future<List<Pending>> pendingOn(RedisLink link, long graceMs, int limit) {
    return link.withTimeout(link.send(Request.cmd(Command.TIME))).compose(time -> {
      long cutoff = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000 - graceMs;
      return link.scan(options.pendingPattern()).compose(keys -> {
        if (keys.isEmpty()) return Future.succeededFuture(List.<Pending>of());
        List<Request> ranges = new ArrayList<>(keys.size());
        for (String k : keys) {
          ranges.add(Request.cmd(Command.ZRANGEBYSCORE).arg(k).arg("-inf").arg(cutoff).arg("LIMIT").arg(0).arg(limit));
        }
        return link.withTimeout(link.batch(ranges)).map(rs -> {
          List<Pending> out = new ArrayList<>();
          for (int i = 0; i < keys.size() && out.size() < limit; i++) {
            String chunk = options.chunkOfPending(keys.get(i));
            int poll = options.pollOfChunk(chunk);
            for (Response member : rs.get(i)) {
              String m = member.toString();
              if (m.startsWith(ClaimFunctions.DOUBT_MARK)) continue; // settled with its user
              out.add(new Pending(keys.get(i), chunk, poll, Long.parseLong(m), cutoff));
            }
          }
          return out;
        });
      });
    });
  }

  private Future<Reconciled> settle(VoteRecords records, List<Pending> pending) {
    Map<Integer, List<Pending>> byPoll = new LinkedHashMap<>();
    for (Pending p : pending) byPoll.computeIfAbsent(p.poll(), k -> new ArrayList<>()).add(p);
    List<Future<long[]>> polls = new ArrayList<>(byPoll.size());
    for (Map.Entry<Integer, List<Pending>> e : byPoll.entrySet()) {
      List<Pending> ps = e.getValue();
      long[] users = new long[ps.size()];
      for (int i = 0; i < users.length; i++) users[i] = ps.get(i).user();
      polls.add(records.written(e.getKey(), users).compose(written -> settlePoll(ps, written)));
    }
    return Future.all(polls).map(cf -> {
      long confirmed = 0;
      long released = 0;
      for (Future<long[]> f : polls) {
        confirmed += f.result()[0];
        released += f.result()[1];
      }
      return new Reconciled(pending.size(), confirmed, released);
    });
  }

  /** @return {confirmed, released} */
  private Future<long[]> settlePoll(List<Pending> ps, Set<Long> written) {
    List<Future<Response>> sent = new ArrayList<>(ps.size());
    boolean[] isWritten = new boolean[ps.size()];
    for (int i = 0; i < ps.size(); i++) {
      Pending p = ps.get(i);
      isWritten[i] = written.contains(p.user());
      Request r = isWritten[i] ? Request.cmd(Command.ZREM).arg(p.pendingKey()).arg(p.user()).arg(ClaimFunctions.DOUBT_MARK + p.user())
        : ClaimFunctions.call(ClaimFunctions.EXPIRE, p.chunkKey(), p.pendingKey(), options.offset(p.user()), p.user()).arg(p.cutoff());
      sent.add(nodes.withTimeout(nodes.send(p.pendingKey(), r)).onFailure(t -> {
        RedisLink l = nodes.linkFor(p.pendingKey());
        if (ClaimFunctions.notLoaded(t.getMessage()) && l != null) l.reloadFunctions();
      }));
    }
    return Future.all(sent).map(cf -> {
      long[] out = new long[2];
      for (int i = 0; i < ps.size(); i++) {
        if (isWritten[i]) out[0]++;
        else if (sent.get(i).result().toInteger() == 1) out[1]++;
      }
      return out;
    });
  }
}
