package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Through HTTP against the running processes (broker, writer, edge): 10,000 distinct users voting
 * concurrently, every one then retrying, and 20-way races of one user, end to end into PostgreSQL.
 */
class EndToEndIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of());

  @Test
  @DisplayName("10,000 concurrent voters, all retrying, 20-way races: exactly one counted vote each; results = accepted")
  void shouldCountEveryAcceptedVoteExactlyOnce() throws Exception {
    int poll = f.createPoll("End to end", 4);
    VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 200);
    int n = 10_000;
    long[] users = new long[n];
    for (int i = 0; i < n; i++) users[i] = i + 1;
    String[] bearers = VoteDriver.bearers(users);
    VoteDriver.Results first = driver.run(poll, users, bearers, u -> (int) (u % 4), 200, true).await(120, TimeUnit.SECONDS);
    assertThat(first.count(202)).as("first round").isEqualTo(n);

    VoteDriver.Results again = driver.run(poll, users, bearers, u -> (int) ((u + 1) % 4), 200, false).await(120, TimeUnit.SECONDS);
    assertThat(again.count(409)).as("every retry refused").isEqualTo(n);

    int racers = 200;
    int ways = 20;
    long[] race = new long[racers * ways];
    for (int i = 0; i < race.length; i++) race[i] = 1_000_000 + i % racers; // each racer's 20 requests in flight together
    VoteDriver.Results raced = driver.run(poll, race, VoteDriver.bearers(race), u -> (int) (u % 4), 400, true).await(120, TimeUnit.SECONDS);
    assertThat(raced.count(202)).as("one winner per racer").isEqualTo(racers);
    assertThat(raced.count(409)).isEqualTo((long) racers * (ways - 1));
    driver.close();

    long accepted = n + racers;
    Map<Integer, Long> acceptedPerOption = new HashMap<>();
    Set<String> receipts = new HashSet<>();
    for (VoteDriver.Results r : new VoteDriver.Results[] {first, raced}) {
      for (int i = 0; i < r.status().length; i++) {
        if (r.status()[i] == 202) {
          acceptedPerOption.merge(r.options()[i], 1L, Long::sum);
          receipts.add(r.receipts()[i]);
        }
      }
    }
    assertThat(receipts).hasSize((int) accepted);

    StackFixture.await("results total", () -> total(poll), accepted, 60);
    String results = f.get("/api/v1/polls/" + poll + "/results", null).body();
    for (var e : acceptedPerOption.entrySet()) {
      assertThat(results).contains("\"id\":" + e.getKey() + ",\"label\":\"Option " + e.getKey() + "\",\"count\":" + e.getValue());
    }
    assertThat(f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll)).isEqualTo(accepted);
    assertThat(f.query("SELECT sum(count) FROM tallies WHERE poll_id = " + poll)).as("sum(tallies) = count(votes)").isEqualTo(accepted);
    assertThat(f.receipts(poll)).as("every 202 has its row").isEqualTo(receipts);
    assertThat(f.query("SELECT count(*) FROM vote_rejects WHERE poll_id = " + poll)).isZero();

    String me = f.get("/api/v1/polls/" + poll + "/votes/me", DevTokens.dev().voter(7)).body();
    assertThat(me).contains("\"status\":\"counted\"").contains("\"option\":3").contains(first.receipts()[6]);
    assertThat(f.log("edge") + f.log("writer")).as("no blocked event loop").doesNotContain("has been blocked");
  }

  private static long total(int poll) {
    try {
      String body = f.get("/api/v1/polls/" + poll + "/results", null).body();
      return Long.parseLong(body.replaceAll(".*\"total\":(\\d+).*", "$1"));
    } catch (Exception e) {
      return -1;
    }
  }
}
