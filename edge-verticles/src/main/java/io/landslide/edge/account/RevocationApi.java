package io.landslide.edge.account;

import io.landslide.codec.ErrorCode;
import io.landslide.codec.UserIds;
import io.landslide.edge.audit.AdminActions;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /admin/revocations {"user"}} (admin): every token of that user issued up to now is refused, on every edge. */
public final class RevocationApi {
  /** The largest body. */
  public static final int BODY_LIMIT = 256;

  private final Authenticator auth;
  private final AdminTokens tokens;
  private final Http http;

  /**
   * @param auth   admin tokens
   * @param tokens the deny-list
   * @param http   response writing
   */
  public RevocationApi(Authenticator auth, AdminTokens tokens, Http http) {
    this.auth = auth;
    this.tokens = tokens;
    this.http = http;
  }

  /** @param ctx the request */
  public void revoke(RoutingContext ctx) {
    auth.admin(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).compose(admin -> {
      JsonObject body = Http.jsonObject(ctx.body().asString());
      long user = body.getValue("user") instanceof Number n && !(n instanceof Double || n instanceof Float) ? n.longValue() : -1;
      if (user < UserIds.MIN || user > UserIds.MAX || body.size() != 1) {
        return Future.failedFuture(Rejection.of(ErrorCode.BAD_REQUEST, "Send {\"user\": <user index>}."));
      }
      return tokens.revoke(user, AdminActions.actor(admin.userId())).map(before -> new JsonObject().put("user", user).put("revokedBefore",
        java.time.Instant.ofEpochSecond(before).toString()));
    }).onSuccess(json -> Http.json(ctx, 200, json.encode())).onFailure(t -> http.fail(ctx, t));
  }
}
