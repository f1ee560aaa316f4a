package io.landslide.edge.http;

import io.landslide.runtime.Env;
import java.util.List;

/**
 * The public HTTP listener; read from the environment, validated at start.
 *
 * @param port              {@code VOTING_HTTP_PORT}, default {@value #DEFAULT_PORT} (0 = any free port)
 * @param instances         {@code VOTING_EDGE_INSTANCES}: HTTP event loops (verticle instances), default one per core
 * @param retryAfterSeconds {@code VOTING_RETRY_AFTER_SECONDS}: the {@code Retry-After} of a 503 or 429, default {@value #DEFAULT_RETRY_AFTER_SECONDS}
 * @param tlsCertPath       {@code VOTING_TLS_CERT}: a PEM certificate chain; with {@code VOTING_TLS_KEY} the edge serves
 *                          HTTPS only (and sends HSTS). Unset: plain HTTP, for TLS ending at the load balancer
 * @param tlsKeyPath        {@code VOTING_TLS_KEY}: its PEM private key
 * @param corsOrigins       {@code VOTING_CORS_ORIGINS}: origins (comma-separated) whose pages may call the API from a
 *                          browser; none by default (same origin only)
 * @param drainSeconds      {@code VOTING_SHUTDOWN_DRAIN_SECONDS}: on SIGTERM, how long requests in flight (votes waiting
 *                          for Kafka's ack) may take to be answered before connections are closed, default {@value #DEFAULT_DRAIN_SECONDS}
 * @param opsPort           {@code VOTING_OPS_PORT}: a listener of its own for {@code /health/*} and {@code /metrics}, which
 *                          the public one then no longer serves (production: the load balancer never exposes it);
 *                          unset ({@value #SAME_PORT}): served on the public port, as locally
 * @param proxyProtocol     {@code VOTING_HTTP_PROXY_PROTOCOL}: every connection to the public port starts with a PROXY
 *                          protocol header (v1 or v2) naming the client, as an AWS NLB sends it; default false (the
 *                          client is the TCP peer). Needs {@code trustedProxies}
 * @param trustedProxies    {@code VOTING_HTTP_TRUSTED_PROXIES}: the CIDR blocks (comma-separated, IPv4 and IPv6) the load
 *                          balancers connect from; with the PROXY protocol, a connection from any other peer is closed
 *                          before a request is read. None by default; unused without the PROXY protocol
 * @param headerTimeoutMs   {@code VOTING_HTTP_HEADER_TIMEOUT_MS}: a connection's first request's headers must be complete
 *                          this long after it opened, default {@value #DEFAULT_HEADER_TIMEOUT_MS} ({@link SlowClients}; the
 *                          next requests' within 75 s of the previous response)
 * @param bodyTimeoutMs     {@code VOTING_HTTP_BODY_TIMEOUT_MS}: a request with a body must be read and answered this long
 *                          after its headers, default {@value #DEFAULT_BODY_TIMEOUT_MS}: above the Kafka delivery timeout
 * @param h2c               {@code VOTING_HTTP_H2C}: accept HTTP/2 over cleartext (prior knowledge and {@code Upgrade: h2c}).
 *                          Off by default: the load balancer speaks HTTP/1.1 (or HTTP/2 over TLS) to the edge, and h2c
 *                          lets a client multiplex many requests past per-connection limits
 */
public record HttpConfig(int port, int instances, int retryAfterSeconds, String tlsCertPath, String tlsKeyPath, List<String> corsOrigins,
                         int drainSeconds, int opsPort, boolean proxyProtocol, CidrSet trustedProxies, long headerTimeoutMs,
                         long bodyTimeoutMs, boolean h2c) {
  /** Default time for a request's headers, and keep-alive idle limit. */
  public static final long DEFAULT_HEADER_TIMEOUT_MS = 15_000;
  /** Default time for a request with a body to be read and answered. */
  public static final long DEFAULT_BODY_TIMEOUT_MS = 20_000;
  /** Default HTTP port. */
  public static final int DEFAULT_PORT = 8080;
  /** Default {@code Retry-After}. */
  public static final int DEFAULT_RETRY_AFTER_SECONDS = 2;
  /** Default drain time: a vote waits for Kafka at most the delivery timeout (5 s), plus margin. */
  public static final int DEFAULT_DRAIN_SECONDS = 10;
  /** {@code opsPort} when health and metrics share the public listener. */
  public static final int SAME_PORT = -1;

  /** Validates. */
  public HttpConfig {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("VOTING_HTTP_PORT out of range: " + port);
    if (instances < 1) throw new IllegalArgumentException("VOTING_EDGE_INSTANCES must be at least 1");
    if (retryAfterSeconds < 1) throw new IllegalArgumentException("VOTING_RETRY_AFTER_SECONDS must be at least 1");
    if ((tlsCertPath == null) != (tlsKeyPath == null)) throw new IllegalArgumentException("VOTING_TLS_CERT and VOTING_TLS_KEY go together");
    corsOrigins = List.copyOf(corsOrigins);
    if (opsPort < SAME_PORT || opsPort > 65535) throw new IllegalArgumentException("VOTING_OPS_PORT out of range: " + opsPort);
    if (opsPort > 0 && opsPort == port) throw new IllegalArgumentException("VOTING_OPS_PORT must differ from VOTING_HTTP_PORT");
    if (drainSeconds < 0 || drainSeconds > 300) throw new IllegalArgumentException("VOTING_SHUTDOWN_DRAIN_SECONDS must be 0..300: " + drainSeconds);
    for (String o : corsOrigins) {
      if (!o.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?")) throw new IllegalArgumentException("VOTING_CORS_ORIGINS: not an origin: " + o);
    }
    if (trustedProxies == null) trustedProxies = CidrSet.NONE;
    if (headerTimeoutMs < 1000) throw new IllegalArgumentException("VOTING_HTTP_HEADER_TIMEOUT_MS must be at least 1000");
    if (bodyTimeoutMs < 1000) throw new IllegalArgumentException("VOTING_HTTP_BODY_TIMEOUT_MS must be at least 1000");
    // Trusting every peer would let any client write any address into the header: refused, not defaulted.
    if (proxyProtocol && trustedProxies.isEmpty()) {
      throw new IllegalArgumentException("VOTING_HTTP_PROXY_PROTOCOL=true needs VOTING_HTTP_TRUSTED_PROXIES, the CIDR blocks of the load "
        + "balancers (e.g. the VPC's): without them any client could claim any address");
    }
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static HttpConfig fromEnv(Env env) {
    return fromEnv(env, DEFAULT_BODY_TIMEOUT_MS);
  }

  /**
   * @param env         the environment
   * @param bodyDefault the body limit when {@code VOTING_HTTP_BODY_TIMEOUT_MS} is not set (it must outlast a vote's wait
   *                    for Kafka: the edge passes its delivery timeout's share)
   * @return the configuration, defaults for what is not set
   */
  public static HttpConfig fromEnv(Env env, long bodyDefault) {
    return new HttpConfig(env.intValue("VOTING_HTTP_PORT", DEFAULT_PORT),
      env.intValue("VOTING_EDGE_INSTANCES", Runtime.getRuntime().availableProcessors()),
      env.intValue("VOTING_RETRY_AFTER_SECONDS", DEFAULT_RETRY_AFTER_SECONDS),
      env.optional("VOTING_TLS_CERT"), env.optional("VOTING_TLS_KEY"), env.list("VOTING_CORS_ORIGINS"),
      env.intValue("VOTING_SHUTDOWN_DRAIN_SECONDS", DEFAULT_DRAIN_SECONDS), env.intValue("VOTING_OPS_PORT", SAME_PORT),
      bool(env, "VOTING_HTTP_PROXY_PROTOCOL"), trustedProxies(env), env.longValue("VOTING_HTTP_HEADER_TIMEOUT_MS", DEFAULT_HEADER_TIMEOUT_MS),
      env.longValue("VOTING_HTTP_BODY_TIMEOUT_MS", bodyDefault), bool(env, "VOTING_HTTP_H2C"));
  }

  private static boolean bool(Env env, String name) {
    String v = env.optional(name);
    if (v == null || v.strip().equalsIgnoreCase("false")) return false;
    if (v.strip().equalsIgnoreCase("true")) return true;
    throw new IllegalArgumentException(name + " must be true or false, not '" + v + "'");
  }

  private static CidrSet trustedProxies(Env env) {
    try {
      return CidrSet.parse(env.list("VOTING_HTTP_TRUSTED_PROXIES"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("VOTING_HTTP_TRUSTED_PROXIES: " + e.getMessage(), e);
    }
  }

  /** @return whether health and metrics have a listener of their own */
  public boolean separateOps() {
    return opsPort != SAME_PORT;
  }

  /** @return whether the edge serves HTTPS itself */
  public boolean tls() {
    return tlsCertPath != null;
  }
}
