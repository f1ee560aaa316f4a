package io.landslide.edge;

import io.landslide.codec.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.ext.web.RoutingContext;

/** {@code GET …/live} (WebSocket) and {@code GET …/events} (SSE): no authentication needed to watch. */
final class SpectatorApi {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SpectatorApi.class);
  private static final Buffer SSE_PING = Buffer.buffer(": ping\n\n");

  private final PollCache polls;
  private final LiveResults live;
  private final Http http;

  SpectatorApi(PollCache polls, LiveResults live, Http http) {
    this.polls = polls;
    this.live = live;
    this.http = http;
  }

  /**
   * The upgrade happens at once (a WebSocket handshake cannot wait for a database lookup); the poll is looked up
   * after it, and an unknown poll closes the socket with code 4404 {@code poll_not_found}. A plain GET (no upgrade)
   * gets the contract's JSON errors.
   */
  void webSocket(RoutingContext ctx) {
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      withPoll(ctx, poll -> http.error(ctx, ErrorCode.BAD_REQUEST, "Connect with a WebSocket, or use …/events for server-sent events."));
      return;
    }
    int id = Http.id(ctx.pathParam("id"));
    if (id < 0) {
      http.error(ctx, ErrorCode.POLL_NOT_FOUND, null);
      return;
    }
    if (!live.admit()) {
      http.error(ctx, ErrorCode.UNAVAILABLE, "Too many spectators on this edge; retry on another.");
      return;
    }
    Poll cached = polls.get(id);
    ctx.request().toWebSocket().onSuccess(ws -> {
      ws.textMessageHandler(m -> { }); // spectators only listen
      (cached != null ? io.vertx.core.Future.succeededFuture(cached) : polls.lookup(id)).onComplete(ar -> {
        if (ar.failed() || ar.result() == null) {
          live.unadmit();
          ws.close((short) 4404, ErrorCode.POLL_NOT_FOUND.code());
          return;
        }
        WsSpectator s = new WsSpectator(ws);
        ws.closeHandler(v -> live.detach(id, s));
        live.attach(ar.result(), s);
      });
    }).onFailure(t -> {
      live.unadmit();
      LOG.warn("poll={} WebSocket upgrade failed: {}", id, t.toString());
    });
  }

  void events(RoutingContext ctx) {
    withPoll(ctx, poll -> {
      if (!live.admit()) {
        http.error(ctx, ErrorCode.UNAVAILABLE, "Too many spectators on this edge; retry on another.");
        return;
      }
      HttpServerResponse res = ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
      SseSpectator s = new SseSpectator(res);
      res.closeHandler(v -> live.detach(poll.id(), s));
      res.writeHead();
      live.attach(poll, s);
    });
  }

  private void withPoll(RoutingContext ctx, java.util.function.Consumer<Poll> then) {
    int id = Http.id(ctx.pathParam("id"));
    polls.lookup(id < 0 ? -1 : id).onComplete(ar -> {
      if (ar.failed()) {
        http.fail(ctx, ar.cause());
      } else if (ar.result() == null) {
        http.error(ctx, ErrorCode.POLL_NOT_FOUND, null);
      } else {
        then.accept(ar.result());
      }

    });
  }

  /** Latest-frame-wins delivery over a WebSocket. */
  private static final class WsSpectator implements LiveResults.Spectator {
    private final ServerWebSocket ws;
    private LiveResults.Frame pending;

    WsSpectator(ServerWebSocket ws) {
      this.ws = ws;
      ws.drainHandler(v -> {
        LiveResults.Frame p = pending;
        pending = null;
        if (p != null) offer(p);
      });
    }

    @Override
    public void offer(LiveResults.Frame frame) {
      if (ws.isClosed()) return;
      if (ws.writeQueueFull()) pending = frame; // a slow client gets the latest frame, never a backlog
      // The frame's UTF-8 bytes are wrapped, not copied or re-encoded: one encoding per frame, not per spectator.
      // Vert.x 5's public WebSocketFrame.textFrame takes only a String; this constructor is its byte[] twin.
      else ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.text(), true));
    }

    @Override
    public void ping() {
      if (!ws.isClosed()) ws.writePing(Buffer.buffer());
    }
  }

  /** Latest-frame-wins delivery over server-sent events. */
  private static final class SseSpectator implements LiveResults.Spectator {
    private final HttpServerResponse res;
    private LiveResults.Frame pending;

    SseSpectator(HttpServerResponse res) {
      this.res = res;
      res.drainHandler(v -> {
        LiveResults.Frame p = pending;
        pending = null;
        if (p != null) offer(p);
      });
    }

    @Override
    public void offer(LiveResults.Frame frame) {
      if (res.closed()) return;
      if (res.writeQueueFull()) pending = frame;
      else res.write(frame.sse());
    }

    @Override
    public void ping() {
      if (!res.closed()) res.write(SSE_PING);
    }
  }
}
