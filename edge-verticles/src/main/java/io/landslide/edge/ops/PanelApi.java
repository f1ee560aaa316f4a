package io.landslide.edge.ops;

import io.landslide.edge.account.Authenticator;
import io.landslide.edge.http.Http;
import io.landslide.edge.live.LiveResults;
import io.landslide.edge.poll.PollCache;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /admin/polls/{id}/panel} (admin): the operator console's live panel for a poll, once a second. The poll,
 * its committed counts (hidden or not: this is an admin's view, never cached), and the fleet's numbers from the
 * {@link ControlRoom}: votes/s accepted and refused by code, flagged, spectators, vote-to-screen, the writers' lag.
 */
public final class PanelApi {
  private final Authenticator auth;
  private final PollCache polls;
  private final LiveResults live;
  private final ControlRoom room;
  private final Http http;

  /**
   * @param auth  tokens to admins
   * @param polls the poll cache
   * @param live  this event loop's results views
   * @param room  the fleet's numbers
   * @param http  response writing
   */
  public PanelApi(Authenticator auth, PollCache polls, LiveResults live, ControlRoom room, Http http) {
    this.auth = auth;
    this.polls = polls;
    this.live = live;
    this.room = room;
    this.http = http;
  }

  /** @param ctx the request */
  public void panel(RoutingContext ctx) {
    auth.admin(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(admin -> polls.require(ctx.pathParam("id")))
      .compose(p -> live.results(p).map(results -> {
        JsonObject poll = p.toJson();
        return room.panel(p.id()).put("poll", poll).put("results", results).put("asOf", java.time.Instant.now().toString());
      }))
      .onSuccess(json -> {
        ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "private, no-store");
        Http.json(ctx, 200, json.encode());
      })
      .onFailure(t -> http.fail(ctx, t));
  }
}
