package io.landslide.edge.defence;

import io.landslide.edge.http.Http;
import io.landslide.edge.poll.Poll;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * The bot defences a vote and a challenge share, so both ask the same difficulty of the same client.
 *
 * @param pow      proof of work
 * @param abuse    abuse signals
 * @param powBonus extra difficulty for a suspicious client, in polls that ask proof of work
 */
public record Defences(PowConfig pow, AbuseSignals abuse, int powBonus) {
  /**
   * @param poll the poll
   * @param req  the client's request
   * @return the proof-of-work difficulty asked of this client in this poll (0: none)
   */
  public int difficulty(Poll poll, HttpServerRequest req) {
    int d = pow.difficultyOf(poll);
    if (d == 0 || powBonus == 0 || !abuse.suspiciousClient(req.getHeader(HttpHeaders.USER_AGENT), req.getHeader(HttpHeaders.ACCEPT_LANGUAGE))) return d;
    return Math.min(ProofOfWork.MAX_DIFFICULTY, d + powBonus);
  }

  /**
   * @param req  the vote's request
   * @param poll its poll
   * @return its abuse score (and it is counted for its address)
   */
  public int score(HttpServerRequest req, Poll poll) {
    return abuse.score(req.getHeader(HttpHeaders.USER_AGENT), req.getHeader(HttpHeaders.ACCEPT_LANGUAGE), Http.address(req),
      poll.opensAt().toEpochMilli());
  }
}
