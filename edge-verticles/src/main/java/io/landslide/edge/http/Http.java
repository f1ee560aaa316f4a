package io.landslide.edge.http;

import io.landslide.codec.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writing responses: every error goes out here, in the contract's shape. */
public final class Http {
  private static final Logger LOG = LoggerFactory.getLogger(Http.class);
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json; charset=utf-8");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  private static final CharSequence BEARER = HttpHeaders.createOptimized("Bearer");

  /** The message of a 503 for a dependency down or saturated. */
  static final String BUSY = "The service is busy or a part of it is unreachable; nothing was recorded. Retry after the delay given.";

  private final CharSequence retryAfterSeconds;
  private final Overload overload = new Overload();

  /** @param retryAfterSeconds the {@code Retry-After} of retriable errors */
  public Http(int retryAfterSeconds) {
    this.retryAfterSeconds = HttpHeaders.createOptimized(Integer.toString(retryAfterSeconds));
  }

  /**
   * Answers with the error a failure stands for: a {@link Rejection}'s code; 503 {@code unavailable} (with
   * {@code Retry-After}) for a dependency down or saturated ({@link Overload}); or 500 (logged) for anything else.
   *
   * @param ctx the request
   * @param t   the failure
   */
  public void fail(RoutingContext ctx, Throwable t) {
    fail(ctx.response(), t, ctx.request().method() + " " + ctx.request().path(), ctx.request().getHeader(REQUEST_ID));
  }

  /** The request id header: a load balancer's, when it sends a sane one, else the edge's own for the request's 500. */
  public static final String REQUEST_ID = "X-Request-Id";
  private static final java.util.regex.Pattern SANE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  /** 500s (bugs): the first of an episode logged with its stack, then a summary every 10 s, never one per request. */
  private static final io.landslide.runtime.log.StateLog INTERNAL = io.landslide.runtime.log.StateLog.of(LOG, "requests answered 500");

  /**
   * The id of a failing request, for its log line and its answer: the load balancer's, when it sent a sane one, else a
   * new one; set on the response, so a user's report finds the line.
   *
   * @param res        the response
   * @param incomingId the request's {@value #REQUEST_ID} header, or null
   * @return the id
   */
  public static String requestId(HttpServerResponse res, String incomingId) {
    String id = incomingId != null && SANE_ID.matcher(incomingId).matches() ? incomingId
      : Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
    res.putHeader(REQUEST_ID, id);
    return id;
  }

  /**
   * @param res  the response
   * @param t    the failure
   * @param what the request, for the log
   */
  public void fail(HttpServerResponse res, Throwable t, String what) {
    fail(res, t, what, null);
  }

  private void fail(HttpServerResponse res, Throwable t, String what, String incomingId) {
    if (t instanceof Rejection r) {
      error(res, r.code(), r.detail());
    } else if (Overload.isOverload(t)) {
      overload.log(what, t);
      error(res, ErrorCode.UNAVAILABLE, BUSY);
    } else {
      // The answer carries the id its log line has, so a user's report finds the line.
      String id = requestId(res, incomingId);
      INTERNAL.failed(what + ": " + t, "requestId", id, t);
      error(res, ErrorCode.INTERNAL, null);
    }
  }

  /**
   * @param ctx    the request
   * @param code   the error
   * @param detail a specific message, or null for the default
   */
  public void error(RoutingContext ctx, ErrorCode code, String detail) {
    error(ctx.response(), code, detail);
  }

  /**
   * @param res    the response
   * @param code   the error
   * @param detail a specific message, or null for the default
   */
  public void error(HttpServerResponse res, ErrorCode code, String detail) {
    if (res.ended()) return;
    res.setStatusCode(code.status()).putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    if (code.retryAfter()) res.putHeader(RETRY_AFTER, retryAfterSeconds);
    if (code == ErrorCode.UNAUTHORIZED) res.putHeader(WWW_AUTHENTICATE, BEARER);
    res.end(detail == null ? Buffer.buffer(code.body()) : Buffer.buffer(code.body(detail)));
  }

  /**
   * @param ctx    the request
   * @param status the status
   * @param json   the encoded JSON body
   */
  public static void json(RoutingContext ctx, int status, String json) {
    json(ctx.response(), status, json);
  }

  /**
   * @param res    the response
   * @param status the status
   * @param json   the encoded JSON body
   */
  public static void json(HttpServerResponse res, int status, String json) {
    res.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(json);
  }

  /**
   * @param req a request
   * @return the client's address, as rate limits key it
   */
  public static String address(io.vertx.core.http.HttpServerRequest req) {
    io.vertx.core.net.SocketAddress a = req.remoteAddress();
    String host = a == null ? null : a.hostAddress();
    return host == null ? "unknown" : host;
  }

  /**
   * @param req a request
   * @return the key a per-network limit counts it under: an IPv4 address whole, an IPv6 address by its /64 (one
   *     subscriber's prefix: every address in it counts as one, so rotating through 2^64 addresses gains nothing)
   */
  public static String networkKey(io.vertx.core.http.HttpServerRequest req) {
    String host = address(req);
    if (host.indexOf(':') < 0) return host;
    try {
      byte[] a = java.net.InetAddress.getByName(host).getAddress();
      if (a.length != 16) return host;
      StringBuilder b = new StringBuilder(20);
      for (int i = 0; i < 8; i += 2) b.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
      return b.append(":/64").toString();
    } catch (java.net.UnknownHostException e) {
      return host;
    }
  }

  /**
   * @param body a request body, or null
   * @return it as a JSON object; fails with 400 {@code bad_request} when it is not JSON, has a key twice in an object,
   *     or is not an object
   */
  public static JsonObject jsonObject(String body) {
    Object json;
    if (body != null && !StrictJson.unambiguous(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
      throw Rejection.of(ErrorCode.BAD_REQUEST, "The body is not JSON, or has a key twice.");
    }
    try {
      json = body == null ? null : Json.decodeValue(body);
    } catch (DecodeException e) {
      throw Rejection.of(ErrorCode.BAD_REQUEST, "The body is not JSON.");
    }
    if (!(json instanceof JsonObject o)) throw Rejection.of(ErrorCode.BAD_REQUEST, "Send a JSON object.");
    return o;
  }

  /**
   * @param text a path segment
   * @return the positive int it spells, or -1
   */
  public static int id(CharSequence text) {
    return id(text, 0, text == null ? 0 : text.length());
  }

  /**
   * @param text  text holding a path segment
   * @param from  where the segment starts
   * @param until where it ends (exclusive)
   * @return the positive int it spells, or -1
   */
  public static int id(CharSequence text, int from, int until) {
    int n = until - from;
    if (text == null || n <= 0 || n > 10) return -1;
    long v = 0;
    for (int i = from; i < until; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v >= 1 && v <= Integer.MAX_VALUE ? (int) v : -1;
  }
}
