package io.landslide.edge.http;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a failure of a dependency that is down or saturated (PostgreSQL unreachable, restarting, out of connections;
 * the edge's own pool busy past {@code VOTING_PG_WAIT_MS} or {@code VOTING_PG_WAIT_QUEUE}) from a bug. The first is
 * answered 503 {@code unavailable} with {@code Retry-After}: the client's retry will do, and nothing was recorded (a
 * read changes nothing; a vote that failed here never reached its claim). A bug stays 500. In a storm every request
 * fails the same way, so the log gets one line per 10 s with the count, not one per request.
 */
final class Overload {
  private static final Logger LOG = LoggerFactory.getLogger(Overload.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** The message of the SQL client pool's "no connection within the connection timeout" (one shared instance). */
  private static final String POOL_TIMEOUT = "Timeout waiting for connection";

  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private final AtomicLong sinceLog = new AtomicLong();

  /**
   * @param t a failure
   * @return whether it says a dependency is down or saturated (then the answer is 503)
   */
  static boolean isOverload(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConnectionPoolTooBusyException || c instanceof ClosedConnectionException || c instanceof java.net.ConnectException) {
        return true;
      }
      if (c instanceof VertxException && POOL_TIMEOUT.equals(c.getMessage())) return true;
      if (c instanceof PgException pg && pg.getSqlState() != null) {
        String state = pg.getSqlState();
        // 08: connection exceptions; 57P01-03: shutting down, crashed, not yet accepting; 53300: too many connections.
        if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) return true;
      }
    }
    return false;
  }

  /**
   * Logs the failure, at most once per 10 s with the number since.
   *
   * @param what the request
   * @param t    the failure
   */
  void log(String what, Throwable t) {
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last < LOG_EVERY_NANOS || !lastLog.compareAndSet(last, now)) {
      sinceLog.incrementAndGet();
      return;
    }
    LOG.warn("request {} answered 503: a dependency is down or saturated ({}); {} more since the last report", what, t.toString(),
      sinceLog.getAndSet(0));
  }
}
