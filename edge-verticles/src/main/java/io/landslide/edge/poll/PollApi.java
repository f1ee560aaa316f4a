package io.landslide.edge.poll;

import io.landslide.codec.ErrorCode;
import io.landslide.dedup.VoterBitmap;
import io.landslide.edge.account.Authenticator;
import io.landslide.edge.audit.AdminActions;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/** Polls (create, list, get, close), results, and a voter's own vote. */
public final class PollApi {
  private final Authenticator auth;
  private final PollCache polls;
  private final PollStore store;
  private final VoterBitmap bitmap;
  private final PollVoters voters;
  private final int flagThreshold;
  private final Http http;
  private final Visibility visibility;

  /**
   * @param auth     tokens to voters
   * @param polls    the poll cache
   * @param store    PostgreSQL
   * @param bitmap   this event loop's bitmap connection
   * @param flagThreshold a vote's abuse score at or over it is flagged
   * @param http     response writing
   */
  public PollApi(Authenticator auth, PollCache polls, PollStore store, VoterBitmap bitmap, int flagThreshold, Http http) {
    this.auth = auth;
    this.polls = polls;
    this.store = store;
    this.bitmap = bitmap;
    this.voters = new PollVoters(store.pool());
    this.flagThreshold = flagThreshold;
    this.http = http;
    this.visibility = new Visibility(auth);
  }

  /** {@code POST /polls} (admin). */
  public void create(RoutingContext ctx) {
    auth.admin(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(admin -> {
        NewPoll p = NewPoll.parse(ctx.body().buffer() == null ? null : ctx.body().buffer().toString());
        // Take the id first and clear its bitmap before anyone can vote: a poll starts with no voters,
        // whatever a reset database left in Redis under the same id.
        return store.nextId().compose(id -> bitmap.clear(id).otherwise(0L)
          .compose(cleared -> store.create(id, p.title, p.options, p.opensAt, p.closesAt, p.powDifficulty, p.eligibility, p.hideResults, AdminActions.actor(admin.userId())))
          .compose(poll -> bitmap.markComplete(poll.id()).otherwise((Void) null).map(poll)));
      })
      .onSuccess(p -> {
        polls.put(p);
        ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/polls/" + p.id());
        Http.json(ctx, 201, p.toJson().encode());
      })
      .onFailure(t -> http.fail(ctx, t));
  }

  /** {@code GET /polls}: scheduled polls to admins only. */
  public void list(RoutingContext ctx) {
    visibility.isAdmin(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).onSuccess(admin -> {
      long now = System.currentTimeMillis();
      JsonArray out = new JsonArray();
      for (Poll p : polls.all()) if (admin || p.status(now) != Poll.Status.SCHEDULED) out.add(p.toJson());
      Http.json(ctx, 200, out.encode());
    });
  }

  /** {@code GET /polls/{id}}: a scheduled poll to admins only. */
  public void get(RoutingContext ctx) {
    poll(ctx).compose(p -> visibility.check(p, ctx.request().getHeader(HttpHeaders.AUTHORIZATION)))
      .onSuccess(p -> Http.json(ctx, 200, p.toJson().encode())).onFailure(t -> http.fail(ctx, t));
  }

  /** {@code POST /polls/{id}/close} (admin). */
  public void close(RoutingContext ctx) {
    change(ctx, (actor, p) -> store.close(p.id(), actor));
  }

  /**
   * {@code POST /polls/{id}/reveal} (admin): ends the embargo of a poll created with {@code hideResults}; every edge
   * hears of it (the poll's change notification) and sends its spectators the current frame, counts and all.
   */
  public void reveal(RoutingContext ctx) {
    change(ctx, (actor, p) -> store.reveal(p.id(), actor));
  }

  /** {@code POST /polls/{id}/open} (admin): opens a scheduled poll now; an open poll stays as it is. */
  public void open(RoutingContext ctx) {
    change(ctx, (actor, p) -> store.open(p.id(), actor));
  }

  /** {@code POST /polls/{id}/extend} (admin) {@code {"closesAt"}}: a later closing time, before the current one passed. */
  public void extend(RoutingContext ctx) {
    change(ctx, (actor, p) -> {
      JsonObject o = Http.jsonObject(ctx.body().buffer() == null ? null : ctx.body().buffer().toString());
      for (String k : o.fieldNames()) if (!k.equals("closesAt")) throw NewPoll.bad("Send {\"closesAt\": \"<ISO-8601 time>\"} only.");
      Instant closesAt = NewPoll.time(o.getValue("closesAt"), "closesAt");
      if (closesAt == null) throw NewPoll.bad("Send {\"closesAt\": \"<ISO-8601 time>\"}.");
      return store.extend(p.id(), closesAt, actor);
    });
  }

  /** {@code PATCH /polls/{id}} (admin): edits a scheduled poll before it opens. */
  public void edit(RoutingContext ctx) {
    change(ctx, (actor, p) -> store.edit(p.id(), PollEdit.parse(ctx.body().buffer() == null ? null : ctx.body().buffer().toString()), actor));
  }

  /** {@code GET /admin/polls/{id}/actions} (admin): who did what to the poll, and when. */
  public void actions(RoutingContext ctx) {
    auth.admin(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(admin -> poll(ctx))
      .compose(p -> store.actions(p.id()).map(a -> new JsonObject().put("poll", p.id()).put("actions", a)))
      .onSuccess(json -> {
        ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "private, no-store");
        Http.json(ctx, 200, json.encode());
      })
      .onFailure(t -> http.fail(ctx, t));
  }

  /** An admin's change to a poll: the caller's admin role, the poll, the change (recorded by the store), the new poll. */
  private void change(RoutingContext ctx, java.util.function.BiFunction<String, Poll, Future<Poll>> action) {
    auth.admin(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(admin -> poll(ctx).compose(p -> action.apply(AdminActions.actor(admin.userId()), p)))
      .compose(p -> p == null ? Future.failedFuture(Rejection.of(ErrorCode.POLL_NOT_FOUND)) : Future.succeededFuture(p))
      .onSuccess(p -> {
        polls.put(p);
        Http.json(ctx, 200, p.toJson().encode());
      })
      .onFailure(t -> http.fail(ctx, t));
  }

  /**
   * {@code POST /polls/{id}/bitmap/rebuild} (admin): sets the bit of every voter PostgreSQL holds, after Redis
   * lost data (restart without persistence, failover, flush). Bits set meanwhile are kept.
   */
  public void rebuildBitmap(RoutingContext ctx) {
    auth.admin(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(admin -> poll(ctx).compose(p -> AdminActions.record(store.pool(), AdminActions.actor(admin.userId()), "rebuild_bitmap", p.id(),
        new JsonObject()).map(p)))
      .compose(p -> bitmap.rebuild(p.id(), voters).compose(users -> bitmap.markComplete(p.id())
        .map(v -> new JsonObject().put("poll", p.id()).put("users", users))))
      .onSuccess(json -> Http.json(ctx, 200, json.encode()))
      .onFailure(t -> http.fail(ctx, t));
  }

  /**
   * {@code GET /polls/{id}/flags} (admin): the committed votes whose abuse score flagged them, counted by option, and
   * the highest-scored of them for review. They are kept and counted like any vote; this is where they stand apart.
   */
  public void flags(RoutingContext ctx) {
    auth.admin(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(admin -> poll(ctx))
      .compose(p -> store.flags(p, flagThreshold))
      .onSuccess(json -> Http.json(ctx, 200, json.encode()))
      .onFailure(t -> http.fail(ctx, t));
  }

  /**
   * {@code GET /polls/{id}/votes/me}: counted (in PostgreSQL), rejected (accepted by an edge after an early close it had
   * not heard of, and refused by the writers: {@code poll_closed}), accepted (bit set, on its way) or none.
   */
  public void myVote(RoutingContext ctx) {
    auth.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
      .compose(voter -> poll(ctx).compose(p -> store.countedVote(p.id(), voter.userId()).compose(counted -> {
        if (counted != null) return Future.succeededFuture(counted);
        return bitmap.isClaimed(p.id(), voter.userId()).otherwise(false)
          .map(claimed -> new JsonObject().put("status", claimed ? "accepted" : "none"));
      })))
      .onSuccess(json -> Http.json(ctx, 200, json.encode()))
      .onFailure(t -> http.fail(ctx, t));
  }

  private Future<Poll> poll(RoutingContext ctx) {
    return polls.require(ctx.pathParam("id"));
  }

  /** A validated {@code POST /polls} body. */
  record NewPoll(String title, List<String> options, Instant opensAt, Instant closesAt, int powDifficulty, Poll.Eligibility eligibility,
                 boolean hideResults) {
    static final int MAX_TITLE = 200;
    static final int MAX_LABEL = 100;
    static final int MIN_OPTIONS = 2;
    static final int MAX_OPTIONS = 32;

    static NewPoll parse(String body) {
      JsonObject o = Http.jsonObject(body);
      String title = text(o.getValue("title"), "title", MAX_TITLE);
      List<String> options = options(o.getValue("options"));
      Instant now = Instant.now();
      Instant opensAt = time(o.getValue("opensAt"), "opensAt");
      Instant closesAt = time(o.getValue("closesAt"), "closesAt");
      if (opensAt == null) opensAt = now;
      if (closesAt != null && !closesAt.isAfter(opensAt)) throw bad("closesAt must be after opensAt.");
      Integer pow = powDifficulty(o.getValue("powDifficulty"));
      Boolean hide = hideResults(o.getValue("hideResults"));
      return new NewPoll(title, options, opensAt, closesAt, pow == null ? Poll.DEFAULT_DIFFICULTY : pow, eligibility(o.getValue("eligibility")),
        Boolean.TRUE.equals(hide));
    }

    /** @return 2 to 32 distinct labels (of {@code POST} and {@code PATCH}) */
    static List<String> options(Object v) {
      if (!(v instanceof JsonArray arr)) throw bad("options must be an array of labels.");
      if (arr.size() < MIN_OPTIONS || arr.size() > MAX_OPTIONS) throw bad("A poll has 2 to 32 options.");
      List<String> options = new ArrayList<>(arr.size());
      for (Object label : arr) options.add(text(label, "each option", MAX_LABEL));
      if (new HashSet<>(options).size() != options.size()) throw bad("Option labels must be distinct.");
      return options;
    }

    /** @return the difficulty, 0 to {@value Poll#MAX_DIFFICULTY}, or null when not given */
    static Integer powDifficulty(Object v) {
      if (v != null && !(v instanceof Integer d && d >= 0 && d <= Poll.MAX_DIFFICULTY)) {
        throw bad("powDifficulty must be an integer from 0 to " + Poll.MAX_DIFFICULTY + ".");
      }
      return (Integer) v;
    }

    /** @return the embargo setting, or null when not given */
    static Boolean hideResults(Object v) {
      if (v != null && !(v instanceof Boolean)) throw bad("hideResults must be true or false.");
      return (Boolean) v;
    }

    /** @return {@code "eligibility": {"verified"?: bool, "accountBeforeOpening"?: bool}}, nothing else in it */
    static Poll.Eligibility eligibility(Object v) {
      if (v == null) return Poll.Eligibility.ANYONE;
      if (!(v instanceof JsonObject e)) throw bad("eligibility must be an object: {\"verified\"?: bool, \"accountBeforeOpening\"?: bool}.");
      for (String k : e.fieldNames()) {
        if (!k.equals("verified") && !k.equals("accountBeforeOpening")) throw bad("eligibility has no " + k + ": verified, accountBeforeOpening.");
      }
      Object verified = e.getValue("verified");
      Object before = e.getValue("accountBeforeOpening");
      if (verified != null && !(verified instanceof Boolean) || before != null && !(before instanceof Boolean)) {
        throw bad("eligibility's members are true or false.");
      }
      return new Poll.Eligibility(Boolean.TRUE.equals(verified), Boolean.TRUE.equals(before));
    }

    static String text(Object v, String what, int max) {
      if (!(v instanceof String s)) throw bad(what + " must be a string.");
      int n = s.codePointCount(0, s.length());
      if (s.isBlank() || n > max) throw bad(what + " must be 1 to " + max + " characters.");
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isISOControl(c) || (Character.isSurrogate(c) && !validSurrogate(s, i)) || isBidiControl(c)) {
          throw bad(what + " has a control or invalid character.");
        }
      }
      return s;
    }

    /** Bidirectional overrides and isolates can make a label display as another (U+202A-U+202E, U+2066-U+2069). */
    private static boolean isBidiControl(char c) {
      return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }

    private static boolean validSurrogate(String s, int i) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    static Instant time(Object v, String what) {
      if (v == null) return null;
      if (!(v instanceof String s)) throw bad(what + " must be an ISO-8601 time.");
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e) {
        throw bad(what + " must be an ISO-8601 time with an offset, e.g. 2026-11-21T20:00:00Z.");
      }
    }

    static Rejection bad(String message) {
      return Rejection.of(ErrorCode.BAD_REQUEST, message);
    }
  }
}
