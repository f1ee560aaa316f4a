package io.landslide.edge.account;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The identity provider's subjects as voter indexes: a {@code users} row per {@code (issuer, subject)}, created on first
 * sight with the next index of the one dense sequence built-in accounts use (so a subject is a bit in the voter
 * bitmaps like any account). Looked up once per edge: an LRU of {@code capacity} subjects, and one query in flight
 * per subject however many requests ask at once. The voter page exchanges a provider token for a Landslide token once
 * ({@code POST /api/v1/auth/token}), so the votes of a show need no lookup at all. Thread-safe.
 */
public final class Identities {
  /** The longest subject taken (OpenID Connect: at most 255 ASCII characters). */
  public static final int MAX_SUBJECT = 255;
  private static final String FIND = "SELECT id, extract(epoch FROM created_at)::bigint FROM users WHERE issuer = $1 AND subject = $2";
  // Without the NOT EXISTS a conflict would still take a number from the sequence, and indexes must stay dense.
  private static final String CREATE = "INSERT INTO users (issuer, subject) SELECT $1, $2"
    + " WHERE NOT EXISTS (SELECT 1 FROM users WHERE issuer = $1 AND subject = $2) RETURNING id, extract(epoch FROM created_at)::bigint";

  /**
   * @param index     the voter index
   * @param createdAt when Landslide first saw it, or the provider's claim (epoch seconds)
   */
  public record Identity(long index, long createdAt) {
  }

  private final Pool pool;
  private final Map<String, Identity> cache;
  private final ConcurrentHashMap<String, Future<Identity>> inFlight = new ConcurrentHashMap<>();

  /**
   * @param pool     PostgreSQL
   * @param capacity subjects kept per edge
   */
  public Identities(Pool pool, int capacity) {
    this.pool = pool;
    this.cache = java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Identity> eldest) {
        return size() > capacity;
      }
    });
  }

  /**
   * @param issuer         the provider
   * @param subject        its {@code sub}
   * @param claimedCreated the provider's account creation time (epoch seconds), 0 when the token has none
   * @return the voter's index and account time, created on first sight
   */
  public Future<Identity> index(String issuer, String subject, long claimedCreated) {
    String key = issuer + '\n' + subject;
    Identity known = cache.get(key);
    Future<Identity> found = known != null ? Future.succeededFuture(known) : inFlight.computeIfAbsent(key, k -> lookup(issuer, subject)
      .onComplete(ar -> {
        if (ar.succeeded()) cache.put(k, ar.result());
        inFlight.remove(k);
      }));
    return claimedCreated <= 0 ? found : found.map(id -> new Identity(id.index(), claimedCreated));
  }

  private Future<Identity> lookup(String issuer, String subject) {
    Tuple args = Tuple.of(issuer, subject);
    return find(args).compose(id -> id != null ? Future.succeededFuture(id) : pool.preparedQuery(CREATE).execute(args)
      .map(rows -> rows.size() == 0 ? null : identity(rows.iterator().next()))
      .recover(t -> t instanceof PgException e && "23505".equals(e.getSqlState()) ? Future.succeededFuture(null) : Future.failedFuture(t))
      // Created by another edge at the same instant: it is there now.
      .compose(created -> created != null ? Future.succeededFuture(created) : find(args)
        .compose(again -> again != null ? Future.succeededFuture(again) : Future.failedFuture("identity not created"))));
  }

  private Future<Identity> find(Tuple args) {
    return pool.preparedQuery(FIND).execute(args).map(rows -> rows.size() == 0 ? null : identity(rows.iterator().next()));
  }

  private static Identity identity(Row r) {
    return new Identity(r.getLong(0), r.getLong(1));
  }
}
