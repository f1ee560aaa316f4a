package io.landslide.edge.poll;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.account.Authenticator;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;

/**
 * A scheduled poll is the broadcaster's secret until it opens: its title and options are shown to admins only. To
 * everyone else it does not exist yet ({@code poll_not_found}) on every read (the poll, the list, results, frames).
 * A vote for it still answers the contract's 409 {@code poll_not_open}, which names nothing of it.
 */
public final class Visibility {
  private final Authenticator auth;

  /** @param auth checks an admin token */
  public Visibility(Authenticator auth) {
    this.auth = auth;
  }

  /**
   * @param poll          the poll
   * @param authorization the request's {@code Authorization} header, or null
   * @return the poll, when it has opened or the caller is an admin; else fails with 404 {@code poll_not_found}
   */
  public Future<Poll> check(Poll poll, String authorization) {
    if (poll.status(System.currentTimeMillis()) != Poll.Status.SCHEDULED) return Future.succeededFuture(poll);
    return isAdmin(authorization).compose(admin -> admin ? Future.succeededFuture(poll) : Future.failedFuture(Rejection.of(ErrorCode.POLL_NOT_FOUND)));
  }

  /**
   * @param authorization the request's {@code Authorization} header, or null
   * @return whether it is a valid admin token (never fails: anything else is not an admin)
   */
  public Future<Boolean> isAdmin(String authorization) {
    if (authorization == null) return Future.succeededFuture(false);
    return auth.authenticate(authorization).map(Authenticator.Voter::admin).otherwise(false);
  }
}
