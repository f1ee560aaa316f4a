package io.landslide.edge.vote;

import io.landslide.codec.ErrorCode;
import io.landslide.codec.Receipt;
import io.landslide.codec.VoteEvent;
import io.landslide.dedup.VoterBitmap;
import io.landslide.dedup.VoterBitmap.Claim;
import io.landslide.edge.account.Authenticator;
import io.landslide.edge.audit.ReceiptCipher;
import io.landslide.edge.account.Authenticator.Voter;
import io.landslide.edge.defence.AbuseSignals;
import io.landslide.edge.defence.Defences;
import io.landslide.edge.defence.ProofOfWork;
import io.landslide.edge.defence.RateLimits;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.landslide.edge.ops.EdgeMetrics;
import io.landslide.edge.poll.Poll;
import io.landslide.edge.poll.PollCache;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/polls/{id}/votes}, the hot path, handled straight off the HTTP server (no router, no
 * body handler): read at most 1 KiB, parse, authenticate, check poll and option (from memory), claim the
 * user's bit, produce to Kafka, and answer 202 only once Kafka acknowledged. A produce refused before it left
 * releases the bit and answers 503 with {@code Retry-After}: nothing recorded, the user may retry. One that failed
 * after it left may be in the log: 503 too, but the claim stays pending, marked in doubt, and the user's retries answer
 * 503 until the reconciliation has settled it (409 if it was counted, else the bit is cleared and the next retry is taken). When Redis
 * does not answer, the vote goes through unclaimed and PostgreSQL's primary key is the guard. A claim stays pending
 * until the vote is durable (then confirmed) or released; one left pending (this process died, a release failed)
 * is settled by {@link Reconciliation}.
 *
 * <p>One instance per event loop: its state (the address cache) is confined to that thread.
 */
public final class VoteHandler implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(VoteHandler.class);
  /** Votes are tiny: a body over 1 KiB is refused before it is read. */
  static final int BODY_LIMIT = 1024;
  private static final String PREFIX = "/api/v1/polls/";
  private static final String SUFFIX = "/votes";
  private static final byte[] NO_ADDRESS = new byte[0];
  private static final int ADDRESS_CACHE_MAX = 65_536;
  /**
   * A 503 for a vote whose fate is not known yet: this one's produce failed after it went out, or the user's earlier
   * claim is in doubt until the reconciliation settles it.
   */
  static final Rejection IN_DOUBT = Rejection.of(ErrorCode.UNAVAILABLE, "Your vote may have been recorded; that is being "
    + "settled. Retry after the delay given: 409 if it was counted, 202 if it was not.");
  /** Kafka refusing votes: logged once per change of state (the process's, whichever event loop). */
  private static final io.landslide.runtime.log.StateLog PRODUCE = io.landslide.runtime.log.StateLog.of(LOG, "Kafka produce");
  /** Redis not releasing the bits of votes Kafka refused. */
  private static final io.landslide.runtime.log.StateLog RELEASE = io.landslide.runtime.log.StateLog.of(LOG, "Redis bit release");
  /** The bot score of a vote let through in shadow mode without a valid proof of work. */
  public static final int SHADOW_POW_SCORE = 50;

  private final Authenticator auth;
  private final PollCache polls;
  private final VoterBitmap bitmap;
  private final VoteProducer producer;
  private final ProofOfWork pow;
  private final Defences defences;
  private final RateLimits rates;
  private final java.util.Set<String> corsOrigins;
  private final EdgeMetrics metrics;
  private final Http http;
  private final ReceiptCipher receipts;
  private final Map<SocketAddress, byte[]> addresses = new IdentityHashMap<>();
  private final io.landslide.edge.ops.ShowStats show;
  /** The last poll counted for the control room, and its counters: a show's votes are nearly all one poll's. */
  private int shownPoll = -1;
  private io.landslide.edge.ops.ShowStats.PollCounters shown;

  /**
   * @param auth     tokens to voters
   * @param polls    the poll cache
   * @param bitmap   this event loop's bitmap connection
   * @param producer the Kafka producer
   * @param pow       this event loop's proof-of-work checker
   * @param defences difficulties, proof-of-work mode, abuse scoring
   * @param rates    the process's rate limits (per address, per user)
   * @param corsOrigins origins whose pages may vote from a browser (the router answers their preflights)
   * @param metrics  the meters
   * @param http     response writing
   * @param receipts issues the votes' receipts
   * @param show     the control room's counters, per poll
   */
  public VoteHandler(Authenticator auth, PollCache polls, VoterBitmap bitmap, VoteProducer producer, ProofOfWork pow, Defences defences,
                     RateLimits rates, java.util.List<String> corsOrigins, EdgeMetrics metrics, Http http, ReceiptCipher receipts,
                     io.landslide.edge.ops.ShowStats show) {
    this.show = show;
    this.auth = auth;
    this.polls = polls;
    this.bitmap = bitmap;
    this.producer = producer;
    this.pow = pow;
    this.defences = defences;
    this.rates = rates;
    this.corsOrigins = java.util.Set.copyOf(corsOrigins);
    this.metrics = metrics;
    this.http = http;
    this.receipts = receipts;
  }

  /**
   * @param path a request path
   * @return whether it is {@code /api/v1/polls/<something>/votes}
   */
  public static boolean matches(String path) {
    return path.length() > PREFIX.length() + SUFFIX.length() && path.startsWith(PREFIX) && path.endsWith(SUFFIX)
      && path.indexOf('/', PREFIX.length()) == path.length() - SUFFIX.length();
  }

  @Override
  public void handle(HttpServerRequest req) {
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && (length.length() > 6 || Http.id(length) > BODY_LIMIT)) {
      tooLarge(req); // Netty already refused a Content-Length that is not a number
      return;
    }
    Buffer body = Buffer.buffer(64);
    boolean[] over = {false};
    req.handler(chunk -> {
      if (over[0]) return;
      if (body.length() + chunk.length() > BODY_LIMIT) {
        over[0] = true;
        tooLarge(req);
      } else {
        body.appendBuffer(chunk);
      }
    });
    req.endHandler(v -> {
      if (over[0]) return;
      try {
        vote(req, body);
      } catch (RuntimeException e) { // off the router, nothing else would answer: a bug must not leave a voter hanging
        reject(req.response(), e);
      }
    });
  }

  private void tooLarge(HttpServerRequest req) {
    // The connection is closed rather than the rest of an oversized body read: say so, or a keep-alive client
    // sends its next request on a connection about to close.
    req.response().putHeader(HttpHeaders.CONNECTION, "close");
    reject(req.response(), Rejection.of(ErrorCode.PAYLOAD_TOO_LARGE, "The body is over the limit (1 KiB for a vote)."));
    req.connection().close();
  }

  private void vote(HttpServerRequest req, Buffer body) {
    long t0 = System.nanoTime();
    HttpServerResponse res = req.response();
    if (!corsOrigins.isEmpty()) allowOrigin(req, res);
    String path = req.path();
    int pollId = Http.id(path, PREFIX.length(), path.length() - SUFFIX.length());
    if (!rates.ip().tryAcquire(Http.address(req))) { // first: a flood from one address counts, whatever it sends
      reject(res, pollId, Rejection.of(ErrorCode.RATE_LIMITED), t0);
      return;
    }
    long fast = VoteBody.fastOption(body);
    JsonObject parsed = fast == VoteBody.INVALID ? VoteBody.parse(body) : null; // parsed once, pow and all
    long option = fast != VoteBody.INVALID ? fast : VoteBody.option(parsed);
    if (option == VoteBody.INVALID) {
      reject(res, pollId, Rejection.of(ErrorCode.BAD_REQUEST, "Send {\"option\": <option id>}."), t0);
      return;
    }
    auth.authenticate(req.getHeader(HttpHeaders.AUTHORIZATION))
      .compose(voter -> !rates.user().tryAcquire(voter.userId()) ? Future.failedFuture(Rejection.of(ErrorCode.RATE_LIMITED))
        : openPoll(pollId, option).compose(poll -> {
        // Before the claim: a refused vote leaves no bit behind.
        if (poll.eligibility().restricted()) { // from the token's signed claims: no lookup
          String why = poll.ineligible(voter);
          if (why != null) return Future.failedFuture(Rejection.of(ErrorCode.NOT_ELIGIBLE, why));
        }
        int botScore = Math.min(AbuseSignals.MAX, proofOfWork(req, poll, voter, parsed) + defences.score(req, poll));
        return claim(poll, voter).compose(claim -> produce(req, pollId, option, voter, claim, botScore));
      }))
      .onComplete(ar -> {
        if (ar.succeeded()) accepted(res, pollId, option, ar.result(), t0);
        else reject(res, pollId, ar.cause(), t0);
      });
  }

  /** The vote path is off the router and its CORS handler: an allowed origin is echoed here. */
  private void allowOrigin(HttpServerRequest req, HttpServerResponse res) {
    String origin = req.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && corsOrigins.contains(origin)) {
      res.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin).putHeader(HttpHeaders.VARY, HttpHeaders.ORIGIN)
        .putHeader(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, "Retry-After");
    }
  }

  private Future<Poll> openPoll(int pollId, long option) {
    if (pollId < 0) return Future.failedFuture(Rejection.of(ErrorCode.POLL_NOT_FOUND));
    Poll cached = polls.get(pollId);
    Future<Poll> poll = cached != null ? Future.succeededFuture(cached) : polls.lookup(pollId);
    return poll.compose(p -> {
      if (p == null) return Future.failedFuture(Rejection.of(ErrorCode.POLL_NOT_FOUND));
      return switch (p.status(System.currentTimeMillis())) {
        case SCHEDULED -> Future.failedFuture(Rejection.of(ErrorCode.POLL_NOT_OPEN));
        case CLOSED -> Future.failedFuture(Rejection.of(ErrorCode.POLL_CLOSED));
        case OPEN -> p.hasOption(option) ? Future.succeededFuture(p) : Future.failedFuture(Rejection.of(ErrorCode.INVALID_OPTION));
      };
    });
  }

  /**
   * @return the vote's bot score from its proof of work: 0 when valid or not asked; in shadow mode, a missing or
   *         wrong proof scores {@link #SHADOW_POW_SCORE} and is counted; else it is refused with 403
   */
  private int proofOfWork(HttpServerRequest req, Poll poll, Voter voter, JsonObject parsed) {
    int difficulty = defences.difficulty(poll, req);
    // A body the scanner took has no pow; a parsed one had its pow checked to be an object (VoteBody.option).
    if (difficulty == 0 || pow.verify(parsed == null ? null : parsed.getJsonObject("pow"), poll.id(), voter.userId(), difficulty)) return 0;
    if (!defences.pow().shadow()) {
      throw Rejection.of(ErrorCode.CHALLENGE_REQUIRED, "A proof of work is required: GET /api/v1/polls/" + poll.id()
        + "/challenge, solve it, and send it as \"pow\" with your vote.");
    }
    metrics.powShadowFailed();
    return SHADOW_POW_SCORE;
  }

  private Future<Claim> claim(Poll poll, Voter voter) {
    long c0 = System.nanoTime();
    return bitmap.claim(poll.id(), voter.userId()).onSuccess(c -> metrics.claimed(System.nanoTime() - c0)).compose(c -> switch (c) {
      case ALREADY_CLAIMED -> Future.failedFuture(Rejection.of(ErrorCode.ALREADY_VOTED));
      case IN_DOUBT -> Future.failedFuture(IN_DOUBT);
      case UNKNOWN -> {
        metrics.redisUnknown();
        yield Future.succeededFuture(c);
      }
      case CLAIMED -> Future.succeededFuture(c);
    });
  }

  private Future<Receipt> produce(HttpServerRequest req, int pollId, long option, Voter voter, Claim claim, int botScore) {
    Receipt receipt = receipts.issue(voter.userId());
    VoteEvent event = new VoteEvent(pollId, voter.userId(), (int) option, System.currentTimeMillis(), receipt, clientAddress(req), botScore);
    long start = System.nanoTime();
    return producer.send(event).transform(ar -> {
      if (ar.succeeded()) {
        metrics.produced(System.nanoTime() - start);
        PRODUCE.ok();
        if (botScore >= defences.abuse().flagThreshold()) { // flagged once accepted: a refused vote is no vote to review
          metrics.flagged();
          shown(pollId).flagged();
        }
        // Durable: the claim is no longer pending (an UNKNOWN claim may have set the bit: confirm that too).
        if (claim != Claim.ALREADY_CLAIMED) bitmap.confirm(pollId, voter.userId());
        return Future.succeededFuture(receipt);
      }
      boolean inDoubt = VoteProducer.mayHaveBeenWritten(ar.cause());
      // Once per change of state, not once per vote: in an outage every vote fails (no user id: personal data). Each
      // 503 carries its request id; the episode's first line names its own.
      String requestId = Http.requestId(req.response(), req.getHeader(Http.REQUEST_ID));
      PRODUCE.failed(ar.cause().toString() + (inDoubt ? " (in doubt: the claims stay pending)" : " (the claims released)"), "poll", pollId,
        "requestId", requestId);
      // In doubt (the batch went out: it may be in the log, and would be counted): the claim stays pending, marked in
      // doubt, so no second vote of the user is taken before the reconciliation knows; retries answer 503 until then.
      if (inDoubt) {
        Future<Receipt> doubtful = Future.failedFuture(IN_DOUBT);
        if (claim == Claim.UNKNOWN) return doubtful;
        return bitmap.doubt(pollId, voter.userId()).transform(marked -> doubtful);
      }
      Future<Receipt> unavailable = Future.failedFuture(Rejection.of(ErrorCode.UNAVAILABLE));
      // An UNKNOWN claim is not released: its bit may be an earlier, durable vote's. If this claim set it, it stays
      // pending and the reconciliation frees the voter.
      if (claim != Claim.CLAIMED) return unavailable;
      // Answer only after the bit is clear, so the user's retry is not refused as a duplicate.
      return bitmap.release(pollId, voter.userId()).transform(rel -> {
        if (rel.failed()) {
          metrics.releaseFailed();
          RELEASE.failed(rel.cause().toString() + "; the reconciliation frees the voters once the grace has passed", "poll", pollId,
            "requestId", requestId);
        } else {
          RELEASE.ok();
        }
        return unavailable;
      });
    });
  }

  private void accepted(HttpServerResponse res, int pollId, long option, Receipt receipt, long t0) {
    metrics.accepted();
    shown(pollId).accepted();
    Http.json(res, 202, "{\"receipt\":\"" + receipt + "\",\"poll\":" + pollId + ",\"option\":" + option + "}");
    metrics.voteAnswered(System.nanoTime() - t0);
  }

  private void reject(HttpServerResponse res, int pollId, Throwable t, long t0) {
    if (t instanceof Rejection r) shown(pollId).refused(r.code());
    reject(res, t);
    metrics.voteAnswered(System.nanoTime() - t0);
  }

  /** @return the control room's counters of the poll: its own when it exists, else those of no poll (a made-up id) */
  private io.landslide.edge.ops.ShowStats.PollCounters shown(int pollId) {
    if (pollId == shownPoll && !shown.retired()) return shown;
    if (pollId <= 0 || polls.get(pollId) == null) return show.noPoll();
    shownPoll = pollId;
    return shown = show.poll(pollId);
  }

  private void reject(HttpServerResponse res, Throwable t) {
    if (t instanceof Rejection r) metrics.rejected(r.code());
    http.fail(res, t, "vote");
  }

  /** The client's address as 4 or 16 bytes, parsed once per connection (the SocketAddress is per connection). */
  /**
   * What is kept of a voter's address, in the vote on Kafka and in PostgreSQL: its network, an IPv4 /24 or an IPv6 /48,
   * never the address itself. Enough to review a flood from one network; the abuse signals score the whole address
   * in memory before. Done once per connection (the bytes are cached with it), so no vote pays for it.
   */
  static void truncate(byte[] address) {
    int keep = address.length == 4 ? 3 : 6;
    java.util.Arrays.fill(address, keep, address.length, (byte) 0);
  }

  private byte[] clientAddress(HttpServerRequest req) {
    SocketAddress a = req.remoteAddress();
    if (a == null) return NO_ADDRESS;
    byte[] bytes = addresses.get(a);
    if (bytes == null) {
      String host = a.hostAddress();
      bytes = host == null ? null : NetUtil.createByteArrayFromIpAddressString(host);
      if (bytes == null || (bytes.length != 4 && bytes.length != 16)) bytes = NO_ADDRESS;
      else truncate(bytes);
      if (addresses.size() >= ADDRESS_CACHE_MAX) addresses.clear();
      addresses.put(a, bytes);
    }
    return bytes;
  }
}
