package io.landslide.edge.http;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate of a listener that speaks the PROXY protocol: a connection is served only when its TCP peer (the socket's
 * own peer, not the address its PROXY header claims) is inside {@code VOTING_HTTP_TRUSTED_PROXIES}. Anyone else
 * could write any client address into the header, and the per-address rate limits and abuse signals would believe it.
 *
 * <p>Vert.x reads the PROXY header before it hands over the connection, so the connection handler is the first
 * place the edge sees it, and requests are read only after that handler returned. A refused connection is taken out
 * of service ({@link HttpConnection#shutdown}) rather than just closed: a request that came in the same packet as the
 * header is then dropped, where after a plain {@code close()} it would still reach the request handler.
 *
 * <p>One per HTTP event loop: the refusal log is throttled without locks.
 */
public final class TrustedProxies {
  private static final Logger LOG = LoggerFactory.getLogger(TrustedProxies.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final CidrSet trusted;
  private long lastLog = System.nanoTime() - LOG_EVERY_NANOS;
  private long refusedSinceLog;

  /**
   * @param trusted the load balancers' CIDR blocks
   * @throws IllegalStateException when netty-codec-haproxy is missing: Vert.x would then serve without the PROXY
   *                               protocol (only a warning), and every client would look like the load balancer
   */
  public TrustedProxies(CidrSet trusted) {
    if (trusted.isEmpty()) throw new IllegalArgumentException("no trusted proxies: every peer could claim any address");
    try {
      Class.forName("io.netty.handler.codec.haproxy.HAProxyMessageDecoder", false, TrustedProxies.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("VOTING_HTTP_PROXY_PROTOCOL needs io.netty:netty-codec-haproxy on the class path");
    }
    this.trusted = trusted;
  }

  /**
   * Call first thing in the server's connection handler.
   *
   * @param connection a new connection
   * @return whether to serve it; if not, it is already out of service and closing, and no request of it is handled
   */
  public boolean admit(HttpConnection connection) {
    SocketAddress peer = connection.remoteAddress(true);
    if (peer != null && trusted.contains(peer.hostAddress())) return true;
    // Graceful shutdown of a connection with nothing in flight closes it at once, and it takes no request after.
    connection.shutdown(1, TimeUnit.SECONDS);
    refused(peer);
    return false;
  }

  /** A line per 10 s at most: a misconfigured CIDR refuses every connection, and that must show, not flood. */
  private void refused(SocketAddress peer) {
    long now = System.nanoTime();
    if (now - lastLog < LOG_EVERY_NANOS) {
      refusedSinceLog++;
      return;
    }
    LOG.warn("refused a connection from {}: not a trusted proxy (VOTING_HTTP_TRUSTED_PROXIES={}); {} more refused since the last report",
      peer == null ? "an unknown peer" : peer.hostAddress(), trusted, refusedSinceLog);
    lastLog = now;
    refusedSinceLog = 0;
  }
}
