package io.landslide.edge.account;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.audit.AdminActions;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.landslide.edge.poll.Poll;
import io.landslide.edge.poll.PollCache;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * A person's data (GDPR articles 15 and 17), for the account's own token:
 * <ul>
 *   <li>{@code GET /me}: the account (e-mail, creation, roles) and every vote it cast (poll, option, receipt, when, the
 *       network it came from);</li>
 *   <li>{@code DELETE /me} with {@code {"erase": true}}: the account's e-mail and password are erased (it can no longer
 *       log in) and the networks kept with its votes are dropped. Its votes stay: they were counted, and the signed log
 *       commits to them; they no longer lead to a person. Its tokens issued up to now are refused.</li>
 * </ul>
 * Both are recorded in {@code admin_actions}, the erasure with the voter index only.
 */
public final class PersonalData {
  /** The largest body of an erasure. */
  public static final int BODY_LIMIT = 256;

  private final Authenticator auth;
  private final PollCache polls;
  private final Pool pool;
  private final AdminTokens tokens;
  private final Http http;

  /**
   * @param auth   tokens to voters
   * @param polls  every poll (a voter's votes are read poll by poll, by primary key)
   * @param pool   PostgreSQL
   * @param tokens the deny-list (an erased account's tokens go on it)
   * @param http   response writing
   */
  public PersonalData(Authenticator auth, PollCache polls, Pool pool, AdminTokens tokens, Http http) {
    this.auth = auth;
    this.polls = polls;
    this.pool = pool;
    this.tokens = tokens;
    this.http = http;
  }

  /** @param ctx {@code GET /me} */
  public void export(RoutingContext ctx) {
    auth.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).compose(v -> {
      Integer[] ids = polls.all().stream().map(Poll::id).toArray(Integer[]::new);
      Future<JsonObject> account = pool.preparedQuery("SELECT email, created_at, roles, issuer, subject, email_verified_at IS NOT NULL FROM users WHERE id = $1").execute(Tuple.of(v.userId()))
        .map(rows -> {
          JsonObject a = new JsonObject().put("userId", v.userId());
          for (Row r : rows) {
            a.put("email", r.getString(0)).put("createdAt", r.getOffsetDateTime(1).toInstant().toString())
              .put("roles", new JsonArray(java.util.List.of(r.getArrayOfStrings(2)))).put("emailVerified", r.getBoolean(5));
            if (r.getString(3) != null) a.put("issuer", r.getString(3)).put("subject", r.getString(4));
          }
          return a;
        });
      // By primary key, poll by poll: (poll_id, user_id) with the poll ids known, never a scan of every partition.
      Future<JsonArray> votes = pool.preparedQuery("SELECT poll_id, option_id, replace(receipt::text, '-', ''), accepted_at, host(client_addr)"
          + " FROM votes WHERE poll_id = ANY($1) AND user_id = $2 ORDER BY accepted_at")
        .execute(Tuple.tuple().addArrayOfInteger(ids).addLong(v.userId())).map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("poll", r.getInteger(0)).put("option", r.getInteger(1)).put("receipt", r.getString(2))
              .put("acceptedAt", r.getOffsetDateTime(3).toInstant().toString()).put("network", r.getString(4)));
          }
          return out;
        });
      return Future.all(account, votes).map(x -> account.result().put("votes", votes.result()));
    }).onSuccess(json -> {
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "private, no-store");
      Http.json(ctx, 200, json.encode());
    }).onFailure(t -> http.fail(ctx, t));
  }

  /** @param ctx {@code DELETE /me {"erase": true}} */
  public void erase(RoutingContext ctx) {
    auth.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).compose(v -> {
      JsonObject body = Http.jsonObject(ctx.body().asString());
      if (!Boolean.TRUE.equals(body.getValue("erase")) || body.size() != 1) {
        return Future.failedFuture(Rejection.of(ErrorCode.BAD_REQUEST, "Send {\"erase\": true} to erase this account's personal data."));
      }
      Integer[] ids = polls.all().stream().map(Poll::id).toArray(Integer[]::new);
      long user = v.userId();
      return pool.withTransaction(c -> c.preparedQuery("UPDATE users SET email = CASE WHEN issuer IS NULL THEN 'erased' END,"
            + " email_key = CASE WHEN issuer IS NULL THEN 'erased:' || id END, password_hash = CASE WHEN issuer IS NULL THEN '!' END,"
            + " subject = CASE WHEN issuer IS NOT NULL THEN 'erased:' || id END, email_verified_at = NULL, roles = '{}' WHERE id = $1").execute(Tuple.of(user))
          .compose(x -> c.preparedQuery("UPDATE votes SET client_addr = NULL WHERE poll_id = ANY($1) AND user_id = $2 AND client_addr IS NOT NULL")
            .execute(Tuple.tuple().addArrayOfInteger(ids).addLong(user)))
          .compose(x -> c.preparedQuery("UPDATE vote_rejects SET client_addr = NULL WHERE poll_id = ANY($1) AND user_id = $2 AND client_addr IS NOT NULL")
            .execute(Tuple.tuple().addArrayOfInteger(ids).addLong(user)))
          .compose(x -> AdminActions.record(c, AdminActions.actor(user), "erase_personal_data", null, new JsonObject().put("user", user))))
        .compose(x -> tokens.revoke(user, AdminActions.actor(user)))
        .map(x -> new JsonObject().put("userId", user).put("erased", true));
    }).onSuccess(json -> Http.json(ctx, 200, json.encode())).onFailure(t -> http.fail(ctx, t));
  }
}
