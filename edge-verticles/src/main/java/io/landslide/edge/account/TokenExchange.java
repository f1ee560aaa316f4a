package io.landslide.edge.account;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /auth/token} with the identity provider's token as bearer → 200 {@code {"token","expiresIn"}}: this
 * service's own token for the same voter (its {@code sub} the voter index, with the provider's {@code email_verified}
 * and the account's time), living no longer than the provider's token nor a login's. A page exchanges once and votes
 * with it: the votes of a show then cost no subject lookup and no call to the provider's keys.
 */
public final class TokenExchange {
  private final Authenticator auth;
  private final Authenticator.Issuer issuer;
  private final long ttlSeconds;
  private final Http http;

  /**
   * @param auth       checks the provider's token
   * @param issuer     signs ours, or null where this edge issues none
   * @param ttlSeconds the longest a token lives ({@code VOTING_TOKEN_TTL_SECONDS})
   * @param http       response writing
   */
  public TokenExchange(Authenticator auth, Authenticator.Issuer issuer, long ttlSeconds, Http http) {
    this.auth = auth;
    this.issuer = issuer;
    this.ttlSeconds = ttlSeconds;
    this.http = http;
  }

  /** @param ctx the request */
  public void exchange(RoutingContext ctx) {
    auth.fromProvider(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).compose(v -> {
      if (issuer == null) return Future.failedFuture(Rejection.of(ErrorCode.UNAVAILABLE, "This edge issues no tokens."));
      long ttl = Math.min(ttlSeconds, v.expiresAt() - System.currentTimeMillis() / 1000);
      if (ttl < 1) return Future.failedFuture(Rejection.of(ErrorCode.UNAUTHORIZED));
      JsonObject claims = new JsonObject().put("sub", Long.toString(v.userId())).put("created_at", v.createdAt());
      if (v.verified()) claims.put("email_verified", true);
      return Future.succeededFuture(new JsonObject().put("token", issuer.sign(claims, ttl)).put("expiresIn", ttl));
    }).onSuccess(json -> {
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
      Http.json(ctx, 200, json.encode());
    }).onFailure(t -> http.fail(ctx, t));
  }
}
