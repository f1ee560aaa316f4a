package io.landslide.edge.poll;

import io.landslide.edge.audit.AdminActions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Polls, results and votes in PostgreSQL (vertx-pg-client: non-blocking). */
public final class PollStore {
  /** A poll's columns, in the order {@link #poll(Row)} reads them. */
  private static final String COLUMNS = "id, title, options, opens_at, closes_at, pow_difficulty, require_verified, require_account_before_open,"
    + " hide_results AND revealed_at IS NULL";
  private final Pool pool;
  private final int votePartitions;
  private final String writerGroup;
  private final String topic;

  /**
   * @param pool           the pool
   * @param votePartitions hash sub-partitions of a new poll's votes
   * @param writerGroup    the writers' consumer group
   * @param topic          the votes topic
   */
  public PollStore(Pool pool, int votePartitions, String writerGroup, String topic) {
    this.pool = pool;
    this.votePartitions = votePartitions;
    this.writerGroup = writerGroup;
    this.topic = topic;
  }

  /** @return every poll */
  public Future<List<Poll>> all() {
    return pool.query("SELECT " + COLUMNS + " FROM polls ORDER BY id").execute().map(rows -> {
      List<Poll> polls = new ArrayList<>(rows.size());
      for (Row r : rows) polls.add(poll(r));
      return polls;
    });
  }

  /**
   * @param id a poll id
   * @return the poll, or null when there is none
   */
  public Future<Poll> get(int id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM polls WHERE id = $1").execute(Tuple.of(id))
      .map(rows -> rows.size() == 0 ? null : poll(rows.iterator().next()));
  }

  /** @return a fresh poll id (from the polls identity sequence) */
  public Future<Integer> nextId() {
    return pool.query("SELECT nextval(pg_get_serial_sequence('polls', 'id'))::int").execute().map(rows -> rows.iterator().next().getInteger(0));
  }

  /**
   * Creates the poll and its vote partitions in one transaction.
   *
   * @param id       the poll id, from {@link #nextId()}
   * @param title    the question
   * @param options  the labels
   * @param opensAt  when it opens
   * @param closesAt when it closes, or null
   * @param powDifficulty its proof-of-work difficulty, or {@link Poll#DEFAULT_DIFFICULTY}
   * @param eligibility who may vote
   * @param hideResults whether its results stay hidden until revealed
   * @param actor    the admin, recorded with the action in the same transaction
   * @return the poll
   */
  public Future<Poll> create(int id, String title, List<String> options, Instant opensAt, Instant closesAt, int powDifficulty,
                             Poll.Eligibility eligibility, boolean hideResults, String actor) {
    return pool.withTransaction(c -> c.preparedQuery("INSERT INTO polls (id, title, options, opens_at, closes_at, pow_difficulty,"
        + " require_verified, require_account_before_open, hide_results) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING " + COLUMNS)
      .execute(Tuple.of(id, title, options.toArray(new String[0]), utc(opensAt), closesAt == null ? null : utc(closesAt),
        powDifficulty == Poll.DEFAULT_DIFFICULTY ? null : (short) powDifficulty, eligibility.verified(), eligibility.accountBeforeOpening())
        .addBoolean(hideResults))
      .compose(rows -> {
        Poll p = poll(rows.iterator().next());
        return c.preparedQuery("SELECT landslide_create_vote_partitions($1, $2)").execute(Tuple.of(p.id(), votePartitions))
          .compose(x -> AdminActions.record(c, actor, "create", p.id(), p.toJson().put("powDifficulty", p.powDifficulty())))
          .map(p);
      }));
  }

  /**
   * Ends the poll's embargo (its results become public), once: revealing again changes nothing.
   *
   * @param id    the poll id
   * @param actor the admin, recorded with the action in the same transaction
   * @return the poll, or null when there is none
   */
  public Future<Poll> reveal(int id, String actor) {
    return pool.withTransaction(c -> c.preparedQuery("UPDATE polls SET revealed_at = coalesce(revealed_at, clock_timestamp()) WHERE id = $1"
      + " RETURNING " + COLUMNS + ", revealed_at").execute(Tuple.of(id))
      .compose(rows -> {
        if (rows.size() == 0) return Future.succeededFuture(null);
        Row r = rows.iterator().next();
        Poll p = poll(r);
        return AdminActions.record(c, actor, "reveal", id, new JsonObject().put("revealedAt", r.getOffsetDateTime(9).toInstant().toString())).map(p);
      }));
  }

  /**
   * Closes the poll now, unless it closed already.
   *
   * @param id    the poll id
   * @param actor the admin, recorded with the action in the same transaction
   * @return the poll, or null when there is none
   */
  public Future<Poll> close(int id, String actor) {
    // clock_timestamp(), not now(): the time the row is updated, after every batch holding it FOR SHARE has committed,
    // so no vote a writer counted was accepted after the closing time (BatchWriter).
    return pool.withTransaction(c -> c.preparedQuery("UPDATE polls SET closes_at = LEAST(COALESCE(closes_at, clock_timestamp()), clock_timestamp()) WHERE id = $1"
      + " RETURNING " + COLUMNS).execute(Tuple.of(id))
      .compose(rows -> {
        if (rows.size() == 0) return Future.succeededFuture(null);
        Poll p = poll(rows.iterator().next());
        return AdminActions.record(c, actor, "close", id, new JsonObject().put("closesAt", p.closesAt().toString())).map(p);
      }));
  }

  /** How long before its opening a poll can still be edited: every edge hears of the change (NOTIFY) well before it opens. */
  public static final int EDIT_MARGIN_SECONDS = 5;

  /**
   * Edits a scheduled poll, at least {@value #EDIT_MARGIN_SECONDS} s before it opens; the fields given replace the
   * stored ones, the others stay.
   *
   * @param id    the poll id
   * @param edit  the new values: null keeps a field; {@code clearCloses} removes the closing time
   * @param actor the admin, recorded with the action (its changes) in the same transaction
   * @return the poll; null when there is none; failed with {@code poll_started} or {@code poll_closed} once it opened
   */
  public Future<Poll> edit(int id, PollEdit edit, String actor) {
    return pool.withTransaction(c -> c.preparedQuery("SELECT " + COLUMNS + ", opens_at > clock_timestamp() + $2::int * interval '1 second'"
        + " FROM polls WHERE id = $1 FOR UPDATE").execute(Tuple.of(id, EDIT_MARGIN_SECONDS))
      .compose(rows -> {
        if (rows.size() == 0) return Future.succeededFuture(null);
        Row r = rows.iterator().next();
        Poll old = poll(r);
        if (!r.getBoolean(9)) return Future.failedFuture(notScheduled(old, "edited"));
        Instant opens = edit.opensAt() != null ? edit.opensAt() : old.opensAt();
        Instant closes = edit.clearCloses() ? null : edit.closesAt() != null ? edit.closesAt() : old.closesAt();
        if (closes != null && !closes.isAfter(opens)) {
          return Future.failedFuture(io.landslide.edge.http.Rejection.of(io.landslide.codec.ErrorCode.BAD_REQUEST, "closesAt must be after opensAt."));
        }
        List<String> options = edit.options() != null ? edit.options() : old.options();
        int pow = edit.powDifficulty() != null ? edit.powDifficulty() : old.powDifficulty();
        Poll.Eligibility el = edit.eligibility() != null ? edit.eligibility() : old.eligibility();
        boolean hide = edit.hideResults() != null ? edit.hideResults() : old.hidden();
        return c.preparedQuery("UPDATE polls SET title = $2, options = $3, opens_at = $4, closes_at = $5, pow_difficulty = $6,"
            + " require_verified = $7, require_account_before_open = $8, hide_results = $9 WHERE id = $1 RETURNING " + COLUMNS)
          .execute(Tuple.of(id, edit.title() != null ? edit.title() : old.title(), options.toArray(new String[0]), utc(opens),
            closes == null ? null : utc(closes), pow == Poll.DEFAULT_DIFFICULTY ? null : (short) pow, el.verified(), el.accountBeforeOpening())
            .addBoolean(hide))
          .compose(updated -> {
            Poll p = poll(updated.iterator().next());
            return AdminActions.record(c, actor, "edit", id, edit.toJson()).map(p);
          });
      }));
  }

  /**
   * Opens a scheduled poll now.
   *
   * @param id    the poll id
   * @param actor the admin, recorded with the action in the same transaction
   * @return the poll (already open: unchanged, nothing recorded); null when there is none; failed with
   *     {@code poll_closed} once closed
   */
  public Future<Poll> open(int id, String actor) {
    return pool.withTransaction(c -> c.preparedQuery("SELECT " + COLUMNS + ", opens_at > clock_timestamp(),"
        + " closes_at IS NOT NULL AND closes_at <= clock_timestamp() FROM polls WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
      .compose(rows -> {
        if (rows.size() == 0) return Future.succeededFuture(null);
        Row r = rows.iterator().next();
        Poll old = poll(r);
        if (r.getBoolean(10)) return Future.failedFuture(io.landslide.edge.http.Rejection.of(io.landslide.codec.ErrorCode.POLL_CLOSED));
        if (!r.getBoolean(9)) return Future.succeededFuture(old); // open already: opening again changes nothing
        return c.preparedQuery("UPDATE polls SET opens_at = clock_timestamp() WHERE id = $1 RETURNING " + COLUMNS).execute(Tuple.of(id))
          .compose(updated -> {
            Poll p = poll(updated.iterator().next());
            return AdminActions.record(c, actor, "open", id, new JsonObject().put("opensAt", p.opensAt().toString())
              .put("scheduledFor", old.opensAt().toString())).map(p);
          });
      }));
  }

  /**
   * Moves a poll's closing time later (or gives an open-ended poll one), while it has not passed: a close that has
   * passed is final (the writers refused the votes after it, and the log's result may be signed).
   *
   * @param id       the poll id
   * @param closesAt the new closing time, in the future
   * @param actor    the admin, recorded with the action in the same transaction
   * @return the poll; null when there is none; failed with {@code poll_closed} once its closing time passed, or
   *     {@code bad_request} when the new time is not later than the current one
   */
  public Future<Poll> extend(int id, Instant closesAt, String actor) {
    // FOR UPDATE waits for the batches holding the row FOR SHARE (BatchWriter), then the closing time is compared with
    // the clock: a close that passed meanwhile is not undone.
    return pool.withTransaction(c -> c.preparedQuery("SELECT " + COLUMNS + ", closes_at IS NOT NULL AND closes_at <= clock_timestamp(),"
        + " $2 > clock_timestamp() FROM polls WHERE id = $1 FOR UPDATE").execute(Tuple.of(id, utc(closesAt)))
      .compose(rows -> {
        if (rows.size() == 0) return Future.succeededFuture(null);
        Row r = rows.iterator().next();
        Poll old = poll(r);
        if (r.getBoolean(9)) return Future.failedFuture(io.landslide.edge.http.Rejection.of(io.landslide.codec.ErrorCode.POLL_CLOSED,
          "This poll's closing time has passed: a close is final. Create a new poll to take more votes."));
        if (!r.getBoolean(10)) return Future.failedFuture(bad("closesAt must be in the future."));
        if (old.closesAt() != null && !closesAt.isAfter(old.closesAt())) {
          return Future.failedFuture(bad("closesAt must be later than the current closing time, " + old.closesAt()
            + ". To close now: POST /api/v1/polls/" + id + "/close."));
        }
        if (!closesAt.isAfter(old.opensAt())) return Future.failedFuture(bad("closesAt must be after opensAt."));
        return c.preparedQuery("UPDATE polls SET closes_at = $2 WHERE id = $1 RETURNING " + COLUMNS).execute(Tuple.of(id, utc(closesAt)))
          .compose(updated -> {
            Poll p = poll(updated.iterator().next());
            return AdminActions.record(c, actor, "extend", id, new JsonObject().put("closesAt", closesAt.toString())
              .put("previously", old.closesAt() == null ? null : old.closesAt().toString())).map(p);
          });
      }));
  }

  /**
   * @param poll the poll id
   * @return the admin actions recorded on the poll, oldest first: {@code [{"at", "actor", "action", "details"}]}
   */
  public Future<JsonArray> actions(int poll) {
    return pool.preparedQuery("SELECT at, actor, action, details FROM admin_actions WHERE poll_id = $1 ORDER BY id LIMIT 1000")
      .execute(Tuple.of(poll)).map(rows -> {
        JsonArray out = new JsonArray();
        for (Row r : rows) {
          Object details = r.getValue(3);
          out.add(new JsonObject().put("at", r.getOffsetDateTime(0).toInstant().toString()).put("actor", r.getString(1))
            .put("action", r.getString(2)).put("details", details instanceof JsonObject j ? j : new JsonObject()));
        }
        return out;
      });
  }

  private static io.landslide.edge.http.Rejection notScheduled(Poll p, String what) {
    return p.status(System.currentTimeMillis()) == Poll.Status.CLOSED ? io.landslide.edge.http.Rejection.of(io.landslide.codec.ErrorCode.POLL_CLOSED)
      : io.landslide.edge.http.Rejection.of(io.landslide.codec.ErrorCode.POLL_STARTED, "This poll opens in under " + EDIT_MARGIN_SECONDS
        + " s or has opened: it can no longer be " + what + ". Close it, extend its closing time, or reveal its results.");
  }

  private static io.landslide.edge.http.Rejection bad(String message) {
    return io.landslide.edge.http.Rejection.of(io.landslide.codec.ErrorCode.BAD_REQUEST, message);
  }

  /**
   * @param poll      the poll
   * @param threshold the flag threshold
   * @return {@code {"poll", "threshold", "flagged", "options": [{"id", "label", "flagged"}], "votes": [up to 100 of the
   *         highest-scored: {"user", "option", "score", "acceptedAt", "address"}]}}
   */
  public Future<JsonObject> flags(Poll poll, int threshold) {
    Tuple args = Tuple.of(poll.id(), threshold);
    Future<RowSet<Row>> byOption = pool.preparedQuery("SELECT option_id, count(*) FROM votes WHERE poll_id = $1 AND bot_score >= $2"
      + " GROUP BY option_id").execute(args);
    Future<RowSet<Row>> worst = pool.preparedQuery("SELECT user_id, option_id, bot_score, accepted_at, host(client_addr) FROM votes"
      + " WHERE poll_id = $1 AND bot_score >= $2 ORDER BY bot_score DESC, accepted_at LIMIT 100").execute(args);
    return Future.all(byOption, worst).map(x -> {
      long[] counts = new long[poll.options().size()];
      for (Row r : byOption.result()) {
        int o = r.getInteger(0);
        if (o >= 0 && o < counts.length) counts[o] = r.getLong(1);
      }
      JsonArray options = new JsonArray();
      long total = 0;
      for (int o = 0; o < counts.length; o++) {
        options.add(new JsonObject().put("id", o).put("label", poll.options().get(o)).put("flagged", counts[o]));
        total += counts[o];
      }
      JsonArray votes = new JsonArray();
      for (Row r : worst.result()) {
        votes.add(new JsonObject().put("user", r.getLong(0)).put("option", r.getInteger(1)).put("score", r.getInteger(2))
          .put("acceptedAt", r.getOffsetDateTime(3).toInstant().toString()).put("address", r.getString(4)));
      }
      return new JsonObject().put("poll", poll.id()).put("threshold", threshold).put("flagged", total).put("options", options).put("votes", votes);
    });
  }

  /**
   * @param poll the poll
   * @return every shard's absolute count: rows of {option, shard, count}
   */
  public Future<long[][]> shardCounts(Poll poll) {
    return pool.preparedQuery("SELECT option_id, shard, count FROM tallies WHERE poll_id = $1").execute(Tuple.of(poll.id()))
      .map(rows -> {
        long[][] out = new long[rows.size()][];
        int i = 0;
        for (Row r : rows) out[i++] = new long[] {r.getInteger(0), r.getInteger(1), r.getLong(2)};
        return out;
      });
  }

  /**
   * @param poll the poll id
   * @param user the user index
   * @return {@code {"option", "receipt"}} of the user's counted vote, or null
   */
  public Future<JsonObject> countedVote(int poll, long user) {
    // A counted vote, or else one the writers refused because it was accepted after the poll's closing time (by an
    // edge that had not heard of an early close): one round trip either way.
    return pool.preparedQuery("SELECT option_id, replace(receipt::text, '-', ''), true FROM votes WHERE poll_id = $1 AND user_id = $2"
        + " UNION ALL (SELECT option_id, replace(receipt::text, '-', ''), false FROM vote_rejects WHERE poll_id = $1 AND user_id = $2"
        + " AND reason = 'poll_closed' LIMIT 1) ORDER BY 3 DESC LIMIT 1")
      .execute(Tuple.of(poll, user)).map(rows -> {
        if (rows.size() == 0) return null;
        Row r = rows.iterator().next();
        JsonObject v = new JsonObject().put("option", r.getInteger(0)).put("receipt", r.getString(1));
        return r.getBoolean(2) ? v.put("status", "counted") : v.put("status", "rejected").put("reason", "poll_closed");
      });
  }

  /**
   * @param endOffsets the votes topic's end offset per partition now
   * @return whether the writers have committed everything up to those offsets
   */
  public Future<Boolean> writersCaughtUp(long[] endOffsets) {
    return pool.preparedQuery("SELECT partition, next_offset FROM kafka_offsets WHERE group_id = $1 AND topic = $2")
      .execute(Tuple.of(writerGroup, topic)).map(rows -> {
        long[] stored = new long[endOffsets.length];
        for (Row r : rows) {
          int p = r.getInteger(0);
          if (p < stored.length) stored[p] = r.getLong(1);
        }
        for (int p = 0; p < endOffsets.length; p++) if (stored[p] < endOffsets[p]) return false;
        return true;
      });
  }

  /**
   * @param poll  the poll id
   * @param users user ids
   * @return those of them with a counted vote in the poll
   */
  public Future<java.util.Set<Long>> votersAmong(int poll, long[] users) {
    Long[] boxed = new Long[users.length];
    for (int i = 0; i < users.length; i++) boxed[i] = users[i];
    return pool.preparedQuery("SELECT user_id FROM votes WHERE poll_id = $1 AND user_id = ANY($2)")
      .execute(Tuple.tuple().addInteger(poll).addArrayOfLong(boxed)).map(rows -> {
        java.util.Set<Long> out = new java.util.HashSet<>();
        for (Row r : rows) out.add(r.getLong(0));
        return out;
      });
  }

  /** @return the pool (for the bitmap rebuild, which streams a poll's voters) */
  public Pool pool() {
    return pool;
  }

  /** @return succeeds when PostgreSQL answers */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  private static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }

  private static Poll poll(Row r) {
    OffsetDateTime closes = r.getOffsetDateTime(4);
    Short pow = r.getShort(5);
    return new Poll(r.getInteger(0), r.getString(1), Arrays.asList(r.getArrayOfStrings(2)),
      r.getOffsetDateTime(3).toInstant(), closes == null ? null : closes.toInstant(), pow == null ? Poll.DEFAULT_DIFFICULTY : pow,
      new Poll.Eligibility(r.getBoolean(6), r.getBoolean(7)), r.getBoolean(8));
  }
}
