package io.landslide.edge.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Time limits a slow client cannot trickle past (the idle timeout alone is reset by every byte):
 * <ul>
 *   <li><b>headers:</b> a connection must complete its first request's headers within {@code headerMs} of opening, and
 *       each next request's within {@code keepAliveMs} of the previous response's end (longer than clients' own
 *       keep-alive, 60 s for most, so a client never sends on a connection the edge is closing);</li>
 *   <li><b>a request with a body</b> (a vote, a registration) must be read and answered within {@code bodyMs} of its
 *       headers: longer than the edge's Kafka delivery timeout, so a vote waiting for its ack is never cut;</li>
 *   <li>a request without a body (a read, a WebSocket or SSE spectator) has no limit once its headers are in.</li>
 * </ul>
 * One per HTTP event loop (not thread-safe): a deadline per connection, swept every second; a request costs a map
 * lookup and a handler on its response's end.
 */
public final class SlowClients {
  private static final long NONE = Long.MAX_VALUE;
  /** The keep-alive limit: above the 60 s most clients keep an idle connection (nginx's default is 75 s). */
  public static final long KEEP_ALIVE_MS = 75_000;
  private final Map<HttpConnection, long[]> deadlines = new HashMap<>();
  private final long headerMs;
  private final long keepAliveMs;
  private final long bodyMs;

  /**
   * @param vertx    the event loop's Vert.x (for the sweep timer, on the calling context)
   * @param headerMs    the time for a connection's first request's headers
   * @param keepAliveMs the time for each next request's headers, from the previous response's end
   * @param bodyMs      the time for a request with a body to be read and answered
   */
  public SlowClients(Vertx vertx, long headerMs, long keepAliveMs, long bodyMs) {
    this.headerMs = headerMs;
    this.keepAliveMs = keepAliveMs;
    this.bodyMs = bodyMs;
    vertx.setPeriodic(1000, t -> sweep(System.currentTimeMillis()));
  }

  /** @param c a connection just opened: its first request's headers are due ({@link #closed} when it closes) */
  public void opened(HttpConnection c) {
    deadlines.put(c, new long[] {System.currentTimeMillis() + headerMs});
  }

  /** @param c a connection that closed */
  public void closed(HttpConnection c) {
    deadlines.remove(c);
  }

  /** @param req a request whose headers are in */
  public void request(HttpServerRequest req) {
    HttpConnection c = req.connection();
    long[] d = c == null ? null : deadlines.get(c);
    if (d == null) return;
    HttpMethod m = req.method();
    boolean body = m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH || m == HttpMethod.DELETE;
    d[0] = body ? System.currentTimeMillis() + bodyMs : NONE;
    req.response().endHandler(v -> d[0] = System.currentTimeMillis() + keepAliveMs); // the next request's headers are due
  }

  void sweep(long now) {
    for (Iterator<Map.Entry<HttpConnection, long[]>> it = deadlines.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<HttpConnection, long[]> e = it.next();
      if (e.getValue()[0] <= now) {
        it.remove();
        e.getKey().close();
      }
    }
  }
}
