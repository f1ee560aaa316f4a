package io.landslide.dedup.impl;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * The Redis functions (a Lua library, {@code FUNCTION LOAD}) that keep a chunk's bits and its pending claims in step,
 * each one atomic on one slot: a claim sets the user's bit and, when it was clear, records the user in the chunk's
 * pending-claim sorted set with the server's clock as score (answering 0; 1 when the bit was set, 2 when it was set
 * by a claim in doubt); a doubt marks a pending claim whose produce failed after it went out (a member {@code ?<user>}
 * beside the user's, same score); a release clears bit, claim and mark; an expiry clears the bit only
 * if the user is still pending since no later than the given time. The pending entry of a vote that became durable
 * is removed with a plain {@code ZREM}.
 *
 * <p>Functions, not {@code EVALSHA}: a library loaded on a master is replicated to its replicas and kept in their
 * data, so a replica promoted by a failover has it. Every new connection loads it again ({@code REPLACE}), which
 * covers a server that restarted empty.
 */
final class ClaimFunctions {
  /** The library's name: a new version of the code replaces the old under the same name. */
  static final String LIBRARY = "landslide_vb";
  static final String CLAIM = "landslide_vb_claim";
  static final String RELEASE = "landslide_vb_release";
  static final String EXPIRE = "landslide_vb_expire";
  static final String DOUBT = "landslide_vb_doubt";
  /** Beside a pending user, this marker and the user's id say the claim's vote is in doubt (same score). */
  static final String DOUBT_MARK = "?";

  /** KEYS: chunk, pending. ARGV: bit offset, user id. */
  static final String SOURCE = """
    #!lua name=landslide_vb
    local function claim(keys, args)
      local old = redis.call('SETBIT', keys[1], args[1], 1)
      if old == 0 then
        local t = redis.call('TIME')
        redis.call('ZADD', keys[2], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), args[2])
        return 0
      end
      if redis.call('ZSCORE', keys[2], '?' .. args[2]) then return 2 end
      return 1
    end
    local function release(keys, args)
      local old = redis.call('SETBIT', keys[1], args[1], 0)
      redis.call('ZREM', keys[2], args[2], '?' .. args[2])
      return old
    end
    local function doubt(keys, args)
      local since = redis.call('ZSCORE', keys[2], args[2])
      if since then redis.call('ZADD', keys[2], since, '?' .. args[2]) return 1 end
      return 0
    end
    local function expire(keys, args)
      local since = redis.call('ZSCORE', keys[2], args[2])
      if since and tonumber(since) <= tonumber(args[3]) then
        redis.call('SETBIT', keys[1], args[1], 0)
        redis.call('ZREM', keys[2], args[2], '?' .. args[2])
        return 1
      end
      return 0
    end
    redis.register_function('landslide_vb_claim', claim)
    redis.register_function('landslide_vb_release', release)
    redis.register_function('landslide_vb_doubt', doubt)
    redis.register_function('landslide_vb_expire', expire)
    """;

  private ClaimFunctions() {
  }

  /** @return {@code FUNCTION LOAD REPLACE <library>} */
  static Request load() {
    return Request.cmd(Command.FUNCTION).arg("LOAD").arg("REPLACE").arg(SOURCE);
  }

  /**
   * @param function   {@link #CLAIM}, {@link #RELEASE} or {@link #EXPIRE}
   * @param chunkKey   the chunk holding the user's bit
   * @param pendingKey the chunk's pending claims
   * @param offset     the user's bit in the chunk
   * @param user       the user id
   * @return the {@code FCALL}, its extra arguments still to add
   */
  static Request call(String function, String chunkKey, String pendingKey, long offset, long user) {
    return Request.cmd(Command.FCALL).arg(function).arg(2).arg(chunkKey).arg(pendingKey).arg(offset).arg(user);
  }

  /**
   * @param message an error's message
   * @return whether it says the library is not loaded where the command ran
   */
  static boolean notLoaded(String message) {
    return message != null && message.contains("Function not found");
  }
}
