package io.landslide.writer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention of voters' networks: {@code retentionDays} after a poll closed, the networks kept with its votes and
 * rejects (an IPv4 /24 or IPv6 /48, for reviewing floods) are dropped, in chunks of {@value #CHUNK} rows a
 * transaction so no lock is held long; counts, receipts and the log do not change. Each poll is done once
 * ({@code poll_retention}). Runs on the writer's thread between batches, every {@value #EVERY_MS} ms; several writers
 * may run it at once (each chunk is idempotent). Blocking JDBC: worker thread only. Not thread-safe.
 */
public final class AddressRetention {
  private static final Logger LOG = LoggerFactory.getLogger(AddressRetention.class);
  /** How often a writer looks for polls past their retention. */
  static final long EVERY_MS = 60_000;
  /** Rows cleared per transaction. */
  static final int CHUNK = 5_000;
  /** Polls looked at per run; a full page means more are due, and the next run comes at the next idle moment. */
  static final int PAGE = 10;
  private static final String DUE = "SELECT p.id FROM polls p WHERE p.closes_at < now() - ? * interval '1 day'"
    + " AND NOT EXISTS (SELECT 1 FROM poll_retention r WHERE r.poll_id = p.id) ORDER BY p.id LIMIT " + PAGE;
  private static final String CLEAR_VOTES = "UPDATE votes SET client_addr = NULL WHERE poll_id = ? AND user_id IN"
    + " (SELECT user_id FROM votes WHERE poll_id = ? AND client_addr IS NOT NULL LIMIT " + CHUNK + ")";
  private static final String CLEAR_REJECTS = "UPDATE vote_rejects SET client_addr = NULL WHERE poll_id = ? AND client_addr IS NOT NULL";
  private static final String DONE = "INSERT INTO poll_retention (poll_id) VALUES (?) ON CONFLICT DO NOTHING";

  private final WriterConnection connection;
  private final double retentionDays;
  private long nextRunMs;

  /**
   * @param connection    the writer's connection
   * @param retentionDays days after a poll's close its voters' networks are kept; negative: kept for ever
   */
  public AddressRetention(WriterConnection connection, double retentionDays) {
    this.connection = connection;
    this.retentionDays = retentionDays;
  }

  /**
   * Runs what is due: at most one chunk per poll due, so a batch of votes never waits long behind it.
   *
   * @param nowMs the time
   * @return rows cleared
   * @throws SQLException when PostgreSQL fails (it is tried again at the next run)
   */
  public int tick(long nowMs) throws SQLException {
    if (retentionDays < 0 || nowMs < nextRunMs) return 0;
    List<Integer> due = connection.inTransaction(c -> {
      List<Integer> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(DUE)) {
        ps.setDouble(1, retentionDays);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) out.add(rs.getInt(1));
        }
      }
      return out;
    });
    int cleared = 0;
    boolean more = due.size() == PAGE; // a backlog of polls (a first run, a long outage) is worked through, not 10 a minute
    for (int poll : due) {
      int n = connection.inTransaction(c -> clearChunk(c, poll));
      cleared += n;
      if (n == CHUNK) more = true;
      else LOG.info("poll {}: voters' networks dropped ({} days after its close)", poll, retentionDays);
    }
    nextRunMs = more ? nowMs : nowMs + EVERY_MS; // more to clear: go on at the next idle moment
    return cleared;
  }

  private static int clearChunk(Connection c, int poll) throws SQLException {
    int n;
    try (PreparedStatement ps = c.prepareStatement(CLEAR_VOTES)) {
      ps.setInt(1, poll);
      ps.setInt(2, poll);
      n = ps.executeUpdate();
    }
    if (n < CHUNK) {
      try (PreparedStatement ps = c.prepareStatement(CLEAR_REJECTS)) {
        ps.setInt(1, poll);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(DONE)) {
        ps.setInt(1, poll);
        ps.executeUpdate();
      }
    }
    return n;
  }
}
