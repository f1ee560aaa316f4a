package io.landslide.edge.account;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.audit.AdminActions;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;

/**
 * What makes a token with a privileged role (admin, scrutineer) acceptable beyond its signature:
 * <ul>
 *   <li><b>short-lived:</b> it must carry {@code iat}, and live at most {@code VOTING_ADMIN_TOKEN_MAX_SECONDS} (15 min by
 *       default): a leaked admin token is worth minutes, not a show;</li>
 *   <li><b>revocable:</b> {@code POST /api/v1/admin/revocations {"user"}} refuses every token of that user issued up to
 *       now, on every edge: the deny-list is the {@code admin_revocations} table, which every edge reloads every
 *       {@value #RELOAD_EVERY_MS} ms (the revoking edge at once).</li>
 * </ul>
 * The deny-list holds for every token (an erased account's too); the lifetime bound for privileged ones only: a voter's
 * token can do one thing, once per poll. Thread-safe.
 */
public final class AdminTokens {
  /** How often an edge reloads the deny-list. */
  public static final long RELOAD_EVERY_MS = 2000;

  private final Pool pool;
  private final long maxSeconds;
  private volatile Map<Long, Long> revokedBefore = Map.of(); // user -> epoch second: tokens issued at or before are refused

  /**
   * @param pool       PostgreSQL, or null (no deny-list: tests of the token checks alone)
   * @param maxSeconds the longest lifetime of a privileged token
   */
  public AdminTokens(Pool pool, long maxSeconds) {
    this.pool = pool;
    this.maxSeconds = maxSeconds;
  }

  /** @return the longest lifetime of a privileged token, in seconds */
  public long maxSeconds() {
    return maxSeconds;
  }

  /**
   * @param v a caller with a privileged role
   * @return the caller; fails 401 {@code unauthorized} when its token lives too long, has no {@code iat}, or was revoked
   */
  Future<Authenticator.Voter> check(Authenticator.Voter v) {
    if (v.issuedAt() <= 0) return refuse("An admin token must say when it was issued (iat).");
    if (v.expiresAt() - v.issuedAt() > maxSeconds) return refuse("Admin tokens live at most " + maxSeconds + " s: log in again.");
    Long before = revokedBefore.get(v.userId());
    if (before != null && v.issuedAt() <= before) return refuse("This token was revoked: log in again.");
    return Future.succeededFuture(v);
  }

  /**
   * @param v any caller
   * @return whether its token was revoked (an erased account's, a revoked admin's): a map lookup, none while nothing
   *     was ever revoked
   */
  boolean revoked(Authenticator.Voter v) {
    Map<Long, Long> r = revokedBefore;
    if (r.isEmpty()) return false;
    Long before = r.get(v.userId());
    return before != null && v.issuedAt() <= before;
  }

  private static Future<Authenticator.Voter> refuse(String why) {
    return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED, why));
  }

  /** @return the deny-list reloaded from PostgreSQL */
  public Future<Void> reload() {
    if (pool == null) return Future.succeededFuture();
    return pool.query("SELECT user_id, floor(extract(epoch FROM revoked_before))::bigint FROM admin_revocations").execute().map(rows -> {
      Map<Long, Long> next = new HashMap<>();
      for (Row r : rows) next.put(r.getLong(0), r.getLong(1));
      revokedBefore = Map.copyOf(next);
      return null;
    });
  }

  /**
   * Revokes every token of a user issued up to now, recorded with who did it in the same transaction.
   *
   * @param user  the user whose tokens go
   * @param actor the admin revoking ({@link AdminActions#actor})
   * @return the epoch second up to which the user's tokens are refused
   */
  public Future<Long> revoke(long user, String actor) {
    return pool.withTransaction(c -> c.preparedQuery("INSERT INTO admin_revocations (user_id, revoked_before) VALUES ($1, now())"
        + " ON CONFLICT (user_id) DO UPDATE SET revoked_before = now(), updated_at = now()"
        + " RETURNING floor(extract(epoch FROM revoked_before))::bigint").execute(Tuple.of(user))
      .compose(rows -> {
        long before = rows.iterator().next().getLong(0);
        return AdminActions.record(c, actor, "revoke_tokens", null, new JsonObject().put("user", user).put("revokedBefore", before)).map(before);
      }))
      .onSuccess(before -> {
        Map<Long, Long> next = new HashMap<>(revokedBefore);
        next.merge(user, before, Math::max);
        revokedBefore = Map.copyOf(next);
      });
  }
}
