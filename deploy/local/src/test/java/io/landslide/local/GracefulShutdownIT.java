package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.dedup.BitmapOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SIGTERM to an edge under load: it stops taking connections, answers every vote in flight (202 once Kafka
 * acknowledged, or 503), then exits. No 202 is lost, no 503 is counted, and no voter cut off is locked out (a bit
 * set in Redis always has its counted vote).
 */
class GracefulShutdownIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());

  @Test
  @DisplayName("SIGTERM under load: every 202 counted, no 503 counted, no bit without its vote; the edge exits")
  void shouldDrainVotesInFlightOnSigterm() throws Exception {
    int poll = f.createPoll("Drain", 2);
    int n = 20_000;
    long[] users = new long[n];
    for (int i = 0; i < n; i++) users[i] = 5_000_000 + i;
    VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 64);
    var run = driver.run(poll, users, VoteDriver.bearers(users), u -> (int) (u % 2), 64, false);
    // Mid-stream: once some votes are counted, the edge gets SIGTERM with votes in flight.
    StackFixture.await("some votes counted", () -> Math.min(1, f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll) / 300), 1, 60);
    ProcessHandle edge = f.stack.pid("edge").orElseThrow();
    long t0 = System.nanoTime();
    edge.destroy(); // SIGTERM
    VoteDriver.Results r = run.await(120, TimeUnit.SECONDS);
    edge.onExit().get(60, TimeUnit.SECONDS);
    long drainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    driver.close();

    Set<Long> accepted = new HashSet<>();
    Set<Long> refused = new HashSet<>();
    Set<Long> noAnswer = new HashSet<>();
    for (int i = 0; i < n; i++) {
      int s = r.status()[i];
      assertThat(s).as("user %d: an answer is 202 or 503, or none once connections close", users[i]).isIn(0, 202, 503);
      (s == 202 ? accepted : s == 503 ? refused : noAnswer).add(users[i]);
    }
    System.out.printf("SIGTERM under load: %d x 202, %d x 503, %d unanswered (connection closed); edge exited %d ms after SIGTERM%n",
      accepted.size(), refused.size(), noAnswer.size(), drainMs);
    assertThat(accepted).as("votes accepted before the edge went").isNotEmpty();
    assertThat(noAnswer).as("the edge stopped taking votes: the rest found it gone").isNotEmpty();

    // The writer drains what Kafka holds; every 202 is counted, no 503 is.
    StackFixture.await("every 202 counted", () -> counted(poll).containsAll(accepted) ? 1 : 0, 1, 60);
    Set<Long> counted = counted(poll);
    assertThat(refused.stream().filter(counted::contains).toList()).as("votes answered 503 that were counted").isEmpty();
    System.out.printf("of the unanswered, %d had reached Kafka and are counted (a real client's retry gets 409, votes/me says counted)%n",
      noAnswer.stream().filter(counted::contains).count());

    // Nothing half-done: a voter whose bit is set has a counted vote (no one told "already voted" forever).
    BitmapOptions bits = BitmapOptions.fromEnv(Map.of("VOTING_PG_DATABASE", f.pg.database()));
    Redis redis = Redis.createClient(f.vertx, bits.redisUri());
    try {
      for (long u : users) {
        if (counted.contains(u)) continue;
        int bit = redis.send(Request.cmd(Command.GETBIT).arg(bits.key(poll, u)).arg(bits.offset(u))).await(10, TimeUnit.SECONDS).toInteger();
        assertThat(bit).as("user %d: bit set but no counted vote", u).isZero();
      }
    } finally {
      redis.close();
    }
  }

  private static Set<Long> counted(int poll) {
    Set<Long> out = new HashSet<>();
    try (Connection c = io.landslide.infra.Schema.connect(f.pg); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT user_id FROM votes WHERE poll_id = " + poll)) {
      while (rs.next()) out.add(rs.getLong(1));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
