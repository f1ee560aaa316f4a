package io.landslide.edge.ops;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.defence.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;

/** The edge's own meters, registered once so the vote path only increments. */
public final class EdgeMetrics {
  private final MeterRegistry registry;
  private final Counter accepted;
  private final Counter redisUnknown;
  private final Counter releaseFailed;
  private final Counter powShadowFailed;
  private final Counter flagged;
  private final Map<ErrorCode, Counter> rejected = new EnumMap<>(ErrorCode.class);
  private final Timer produce;
  private final Timer vote;
  private final Timer claim;
  private final Counter frames;
  private final Timer voteToScreen;
  private final Counter talliesTaken;
  private final Counter talliesRefused;
  private final java.util.concurrent.atomic.AtomicLong connections = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger spectators = new java.util.concurrent.atomic.AtomicInteger();

  /** @param registry where the meters live */
  public EdgeMetrics(MeterRegistry registry) {
    this.registry = registry;
    accepted = Counter.builder("landslide.votes").tag("outcome", "accepted").description("votes answered 202").register(registry);
    for (ErrorCode c : ErrorCode.values()) {
      rejected.put(c, Counter.builder("landslide.votes").tag("outcome", c.code()).description("votes rejected, by error code").register(registry));
    }
    redisUnknown = Counter.builder("landslide.bitmap.unknown").description("claims Redis did not answer in time; PostgreSQL guards them").register(registry);
    flagged = Counter.builder("landslide.votes.flagged").description("votes accepted and flagged for review by their abuse score").register(registry);
    powShadowFailed = Counter.builder("landslide.pow.shadow.failed").description("votes let through in shadow mode without a valid proof of work").register(registry);
    releaseFailed = Counter.builder("landslide.bitmap.release.failed").description("bits that could not be released after a failed produce").register(registry);
    io.micrometer.core.instrument.Gauge.builder("landslide.http.connections", connections, java.util.concurrent.atomic.AtomicLong::get)
      .description("open HTTP connections").register(registry);
    io.micrometer.core.instrument.Gauge.builder("landslide.live.spectators", spectators, java.util.concurrent.atomic.AtomicInteger::get)
      .description("WebSocket and SSE spectators connected").register(registry);
    talliesTaken = Counter.builder("landslide.tally.updates").tag("outcome", "accepted").description("tally updates heard on the event bus and merged").register(registry);
    talliesRefused = Counter.builder("landslide.tally.updates").tag("outcome", "refused")
      .description("tally updates dropped: not authenticated by the cluster key (forged, another cluster's) or malformed").register(registry);
    // Histograms with fixed buckets, not per-process quantiles: Prometheus sums the buckets of every edge and computes
    // the fleet's percentiles (histogram_quantile); a dozen buckets a timer keep the cardinality bounded.
    produce = histogram("landslide.kafka.produce", "time from send to acks=all").register(registry);
    vote = histogram("landslide.vote.duration", "a vote request, from its body read to its answer, whatever the answer").register(registry);
    claim = histogram("landslide.bitmap.claim", "a vote's Redis claim, from the call to its answer").register(registry);
    voteToScreen = histogram("landslide.vote.to.screen", "a commit's oldest vote, from its 202 to the first frame of this edge that counts it"
      + " (measured where spectators watch the poll; the worst vote of each commit, so an upper bound of its votes')").register(registry);
    frames = Counter.builder("landslide.live.frames").description("result frames published to a poll's spectators (once per frame, whatever their number)")
      .register(registry);
  }

  /** A connection opened; the caller calls {@link #connectionClosed} from the connection's one close handler. */
  public void connectionOpened() {
    connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }

  public java.util.concurrent.atomic.AtomicInteger spectators() {
    return spectators;
  }

  /** A tally update from the bus, authenticated and merged. */
  public void tallyTaken() {
    talliesTaken.increment();
  }

  /** @return how many tally updates were refused so far, counting this one */
  public long tallyRefused() {
    talliesRefused.increment();
    return (long) talliesRefused.count();
  }

  public void accepted() {
    accepted.increment();
  }

  public void rejected(ErrorCode code) {
    rejected.get(code).increment();
  }

  public void redisUnknown() {
    redisUnknown.increment();
  }

  public void releaseFailed() {
    releaseFailed.increment();
  }

  /** @param limiters the rate limits: a gauge of the keys each blocks now */
  public void rateLimits(java.util.List<RateLimiter> limiters) {
    for (RateLimiter l : limiters) {
      io.micrometer.core.instrument.Gauge.builder("landslide.ratelimit.blocked", l, RateLimiter::blocked).tag("limit", l.limit().name())
        .description("keys a rate limit refuses until their window ends").register(registry);
    }
  }

  public void flagged() {
    flagged.increment();
  }

  public void powShadowFailed() {
    powShadowFailed.increment();
  }

  public void produced(long nanos) {
    produce.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** @param nanos a vote request's time, body read to answer */
  public void voteAnswered(long nanos) {
    vote.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** @param nanos a Redis claim's time */
  public void claimed(long nanos) {
    claim.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** @param ms a commit's oldest vote, from its 202 to the first frame that counts it */
  public void voteToScreen(long ms) {
    voteToScreen.record(ms, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** A frame went out to a poll's spectators. */
  public void framePublished() {
    frames.increment();
  }

  /** @return a timer exported as a Prometheus histogram with the project's buckets ({@link io.landslide.runtime.Histograms}) */
  public static Timer.Builder histogram(String name, String description) {
    return io.landslide.runtime.Histograms.timer(name, description);
  }
}
