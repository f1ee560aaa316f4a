package io.landslide.edge.account;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/** Accounts in PostgreSQL ({@code users}): the id is the user's index, dense from 1. */
public final class AccountStore {
  private final Pool pool;

  /**
   * A stored account.
   *
   * @param id           the user's index
   * @param passwordHash its PHC string
   * @param roles        its roles (e.g. {@code admin})
   * @param verified     whether its e-mail was verified
   * @param createdAt    when it was created (epoch seconds)
   */
  record Account(long id, String passwordHash, List<String> roles, boolean verified, long createdAt) {
  }

  /** @param pool PostgreSQL */
  public AccountStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * @param emailKey the normalised email
   * @return whether an account has it
   */
  Future<Boolean> exists(String emailKey) {
    return pool.preparedQuery("SELECT 1 FROM users WHERE email_key = $1").execute(Tuple.of(emailKey)).map(rows -> rows.size() > 0);
  }

  /**
   * Creates an account. The existence check in the statement keeps the id sequence from moving for a taken email
   * (ids stay dense); only two registrations of one email at the same instant can leave a gap, by the key's refusal.
   *
   * @return the new id, or null when the email is taken
   */
  Future<Long> create(String email, String emailKey, String passwordHash) {
    return pool.preparedQuery("INSERT INTO users (email, email_key, password_hash) SELECT $1, $2, $3"
        + " WHERE NOT EXISTS (SELECT 1 FROM users WHERE email_key = $2) RETURNING id")
      .execute(Tuple.of(email, emailKey, passwordHash))
      .map(rows -> rows.size() == 0 ? (Long) null : rows.iterator().next().getLong(0))
      .recover(t -> t instanceof PgException e && "23505".equals(e.getSqlState()) ? Future.succeededFuture(null) : Future.failedFuture(t));
  }

  /**
   * @param emailKey the normalised email
   * @return the account, or null
   */
  Future<Account> find(String emailKey) {
    return pool.preparedQuery("SELECT id, password_hash, roles, email_verified_at IS NOT NULL, extract(epoch FROM created_at)::bigint"
        + " FROM users WHERE email_key = $1").execute(Tuple.of(emailKey)).map(rows -> {
      if (rows.size() == 0) return null;
      Row r = rows.iterator().next();
      return new Account(r.getLong(0), r.getString(1), List.of(r.getArrayOfStrings(2)), r.getBoolean(3), r.getLong(4));
    });
  }
}
