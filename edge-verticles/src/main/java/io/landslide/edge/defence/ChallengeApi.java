package io.landslide.edge.defence;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.account.Authenticator;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.landslide.edge.poll.PollCache;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /polls/{id}/challenge} (authenticated): a proof-of-work challenge bound to the caller and the poll. */
public final class ChallengeApi {
  private final Authenticator auth;
  private final PollCache polls;
  private final ProofOfWork pow;
  private final Defences defences;
  private final RateLimiter userLimit;
  private final Http http;

  /**
   * @param auth   tokens to voters
   * @param polls  the poll cache
   * @param pow    this event loop's challenges
   * @param defences difficulties per poll and client
   * @param userLimit a user's requests (shared with votes)
   * @param http   response writing
   */
  public ChallengeApi(Authenticator auth, PollCache polls, ProofOfWork pow, Defences defences, RateLimiter userLimit, Http http) {
    this.auth = auth;
    this.polls = polls;
    this.pow = pow;
    this.defences = defences;
    this.userLimit = userLimit;
    this.http = http;
  }

  public void challenge(RoutingContext ctx) {
    auth.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(voter -> userLimit.tryAcquire(voter.userId()) ? Future.succeededFuture(voter)
        : Future.<Authenticator.Voter>failedFuture(Rejection.of(ErrorCode.RATE_LIMITED)))
      .compose(voter -> polls.require(ctx.pathParam("id")).map(p -> pow.challenge(p.id(), voter.userId(), defences.difficulty(p, ctx.request()))))
      .onSuccess(json -> Http.json(ctx, 200, json.encode()))
      .onFailure(t -> http.fail(ctx, t));
  }
}
