package io.landslide.edge.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Headers every routed response carries: pages may not be framed or sniffed, and run only the edge's own scripts;
 * with TLS on the edge itself, HSTS too.
 */
public final class SecurityHeaders implements Handler<RoutingContext> {
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    + "connect-src 'self'; worker-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  private final boolean hsts;

  /** @param hsts whether to send {@code Strict-Transport-Security} (the edge serves HTTPS itself) */
  public SecurityHeaders(boolean hsts) {
    this.hsts = hsts;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.response().headers()
      .set("X-Content-Type-Options", "nosniff")
      .set("Referrer-Policy", "no-referrer")
      .set("X-Frame-Options", "DENY")
      .set("Content-Security-Policy", CSP);
    if (hsts) ctx.response().putHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    ctx.next();
  }
}
