package io.landslide.edge.live;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.http.Http;
import io.landslide.edge.poll.Poll;
import io.landslide.edge.poll.PollCache;
import io.landslide.edge.poll.Visibility;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.RoutingContext;

/**
 * A poll's results, all from this event loop's merged views: {@code GET …/results}, {@code GET …/live} (WebSocket)
 * and {@code GET …/events} (SSE). No authentication needed to watch.
 */
public final class ResultsApi {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ResultsApi.class);
  private static final Buffer SSE_PING = Buffer.buffer(": ping\n\n");
  /** The last SSE bytes of an edge going away: reconnect in a second (the browser's EventSource does it by itself). */
  private static final Buffer SSE_RECONNECT = Buffer.buffer("retry: 1000\n: edge restarting, reconnect\n\n");
  /** WebSocket close code 1012, "service restart": the client should reconnect. */
  private static final short RESTART = 1012;

  private final PollCache polls;
  private final LiveResults live;
  private final Http http;
  private final Visibility visibility;
  private final SpectatorCap cap;

  /**
   * @param polls      the poll cache
   * @param live       this event loop's results views
   * @param http       response writing
   * @param visibility hides scheduled polls from all but admins
   * @param cap        the process's live connections per client address
   */
  public ResultsApi(PollCache polls, LiveResults live, Http http, Visibility visibility, SpectatorCap cap) {
    this.polls = polls;
    this.live = live;
    this.http = http;
    this.visibility = visibility;
    this.cap = cap;
  }

  private static final String TOO_MANY = "Too many live connections from your address; retry after the delay given.";

  /**
   * {@code GET /polls/{id}/results}: committed counts, from the edge's merged view (PostgreSQL only warms it).
   *
   * @param ctx the request
   */
  public void results(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    polls.require(ctx.pathParam("id")).compose(p -> visibility.check(p, authorization)).compose(p -> {
        if (!p.hidden()) return live.results(p);
        // The embargo: the counts are the admins' until revealed, and theirs are never cached on the way.
        return visibility.isAdmin(authorization).compose(admin -> {
          if (!admin) return live.finalOf(p).map(p::hiddenResults);
          ctx.response().putHeader("Cache-Control", "private, no-store");
          return live.results(p);
        });
      })
      .onSuccess(json -> Http.json(ctx, 200, json.encode()))
      .onFailure(t -> http.fail(ctx, t));
  }

  /**
   * The upgrade happens at once (a WebSocket handshake cannot wait for a database lookup); the poll is looked up
   * after it, and an unknown poll closes the socket with code 4404 {@code poll_not_found}. A plain GET (no upgrade)
   * gets the contract's JSON errors.
   */
  public void webSocket(RoutingContext ctx) {
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      withPoll(ctx, poll -> http.error(ctx, ErrorCode.BAD_REQUEST, "Connect with a WebSocket, or use …/events for server-sent events."));
      return;
    }
    int id = Http.id(ctx.pathParam("id"));
    if (id < 0) {
      http.error(ctx, ErrorCode.POLL_NOT_FOUND, null);
      return;
    }
    String address = Http.address(ctx.request());
    if (!cap.admit(address)) {
      http.error(ctx, ErrorCode.RATE_LIMITED, TOO_MANY);
      return;
    }
    if (!live.admit()) {
      cap.release(address);
      http.error(ctx, ErrorCode.UNAVAILABLE, "Too many spectators on this edge; retry on another.");
      return;
    }
    Poll cached = polls.get(id);
    ctx.request().toWebSocket().onSuccess(ws -> {
      ws.textMessageHandler(m -> { }); // spectators only listen
      (cached != null ? io.vertx.core.Future.succeededFuture(cached) : polls.lookup(id)).onComplete(ar -> {
        if (ar.failed() || ar.result() == null || ar.result().status(System.currentTimeMillis()) == Poll.Status.SCHEDULED) {
          live.unadmit(); // a scheduled poll is not shown to spectators before it opens
          cap.release(address);
          ws.close((short) 4404, ErrorCode.POLL_NOT_FOUND.code());
          return;
        }
        WsSpectator s = new WsSpectator(ws);
        ws.closeHandler(v -> {
          live.detach(id, s);
          cap.release(address);
        });
        live.attach(ar.result(), s);
      });
    }).onFailure(t -> {
      live.unadmit();
      cap.release(address);
      LOG.warn("poll={} WebSocket upgrade failed: {}", id, t.toString());
    });
  }

  public void events(RoutingContext ctx) {
    withPoll(ctx, poll -> {
      String address = Http.address(ctx.request());
      if (!cap.admit(address)) {
        http.error(ctx, ErrorCode.RATE_LIMITED, TOO_MANY);
        return;
      }
      if (!live.admit()) {
        cap.release(address);
        http.error(ctx, ErrorCode.UNAVAILABLE, "Too many spectators on this edge; retry on another.");
        return;
      }
      HttpServerResponse res = ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
      SseSpectator s = new SseSpectator(res);
      res.closeHandler(v -> {
        live.detach(poll.id(), s);
        cap.release(address);
      });
      res.writeHead();
      live.attach(poll, s);
    });
  }

  private void withPoll(RoutingContext ctx, java.util.function.Consumer<Poll> then) {
    int id = Http.id(ctx.pathParam("id"));
    polls.lookup(id < 0 ? -1 : id).compose(p -> p == null ? io.vertx.core.Future.succeededFuture((Poll) null)
      : visibility.check(p, ctx.request().getHeader("Authorization"))).onComplete(ar -> {
      if (ar.failed()) {
        http.fail(ctx, ar.cause());
      } else if (ar.result() == null) {
        http.error(ctx, ErrorCode.POLL_NOT_FOUND, null);
      } else {
        then.accept(ar.result());
      }

    });
  }

  /**
   * Latest-frame-wins delivery: a spectator whose connection cannot take a frame now keeps only the newest one, sent
   * when the connection drains; a slow client never builds a backlog.
   */
  private abstract static class LatestFrame implements LiveResults.Spectator {
    private final WriteStream<Buffer> stream;
    private LiveResults.Frame pending;

    LatestFrame(WriteStream<Buffer> stream) {
      this.stream = stream;
      stream.drainHandler(v -> {
        LiveResults.Frame p = pending;
        pending = null;
        if (p != null) offer(p);
      });
    }

    @Override
    public final void offer(LiveResults.Frame frame) {
      if (closed()) return;
      if (stream.writeQueueFull()) pending = frame;
      else send(frame);
    }

    @Override
    public final void ping() {
      if (!closed()) sendPing();
    }

    abstract boolean closed();

    abstract void send(LiveResults.Frame frame);

    abstract void sendPing();

    @Override
    public final void closeForRestart() {
      if (!closed()) end();
    }

    abstract void end();
  }

  /** Over a WebSocket. */
  private static final class WsSpectator extends LatestFrame {
    private final ServerWebSocket ws;

    WsSpectator(ServerWebSocket ws) {
      super(ws);
      this.ws = ws;
    }

    @Override
    boolean closed() {
      return ws.isClosed();
    }

    @Override
    void send(LiveResults.Frame frame) {
      // The frame's UTF-8 bytes are wrapped, not copied or re-encoded: one encoding per frame, not per spectator.
      // Vert.x 5's public WebSocketFrame.textFrame takes only a String; this constructor is its byte[] twin.
      ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.text(), true));
    }

    @Override
    void sendPing() {
      ws.writePing(Buffer.buffer());
    }

    @Override
    void end() {
      ws.close(RESTART, "edge restarting: reconnect");
    }
  }

  /** Over server-sent events. */
  private static final class SseSpectator extends LatestFrame {
    private final HttpServerResponse res;

    SseSpectator(HttpServerResponse res) {
      super(res);
      this.res = res;
    }

    @Override
    boolean closed() {
      return res.closed();
    }

    @Override
    void send(LiveResults.Frame frame) {
      res.write(frame.sse());
    }

    @Override
    void end() {
      res.end(SSE_RECONNECT);
    }

    @Override
    void sendPing() {
      res.write(SSE_PING);
    }
  }
}
