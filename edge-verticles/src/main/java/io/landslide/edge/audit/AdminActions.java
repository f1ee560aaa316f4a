package io.landslide.edge.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * The append-only record of admin actions ({@code admin_actions}: who, what, when; the table refuses UPDATE and DELETE).
 * An action that changes a poll is recorded in the transaction that changes it; one that does not (an export, a
 * bitmap rebuild) is recorded before it runs, so nothing happens unrecorded. Exported with the poll's audit bundle.
 */
public final class AdminActions {
  private static final String INSERT = "INSERT INTO admin_actions (actor, action, poll_id, details) VALUES ($1, $2, $3, $4)";

  private AdminActions() {
  }

  /**
   * @param userId the admin's user index
   * @return how an admin is named in the record
   */
  public static String actor(long userId) {
    return "user:" + userId;
  }

  /**
   * @param client  a connection in the action's transaction, or the pool
   * @param actor   who ({@link #actor})
   * @param action  what: {@code create}, {@code close}, {@code rebuild_bitmap}, {@code export}, {@code reconciliation}
   * @param poll    the poll, or null
   * @param details the action's parameters
   * @return done once recorded
   */
  public static Future<Void> record(SqlClient client, String actor, String action, Integer poll, JsonObject details) {
    return client.preparedQuery(INSERT).execute(Tuple.of(actor, action, poll, details)).mapEmpty();
  }
}
