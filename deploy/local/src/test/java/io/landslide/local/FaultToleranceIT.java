package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.DevTokens;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults against the running processes: a writer killed mid-stream, Redis losing a poll's bits. */
class FaultToleranceIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of("VOTING_BATCH_MAX", "500"));

  @Test
  @DisplayName("Writer killed (kill -9) mid-stream and restarted: nothing lost, nothing counted twice, and the vote log's checkpoints before and after are consistent")
  void shouldLoseNothingWhenTheWriterIsKilled() throws Exception {
    int poll = f.createPoll("Crash", 3);
    VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 64);
    int n = 30_000;
    long[] users = new long[n];
    for (int i = 0; i < n; i++) users[i] = 50_000 + i;
    Future<VoteDriver.Results> voting = driver.run(poll, users, VoteDriver.bearers(users), u -> (int) (u % 3), 64, true);
    StackFixture.await("writer under way", () -> Math.min(f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll), 3000), 3000, 120);
    StackFixture.await("a checkpoint signed before the kill", () -> Math.min(f.query("SELECT count(*) FROM log_checkpoints WHERE poll_id = " + poll), 1), 1, 60);
    f.stack.kill9("writer");
    long atKill = f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll);
    long signedBefore = f.query("SELECT max(size) FROM log_checkpoints WHERE poll_id = " + poll);
    assertThat(f.query("SELECT size FROM vote_log WHERE poll_id = " + poll)).as("the log's head is the committed votes'").isEqualTo(atKill);
    VoteDriver.Results r = voting.await(180, TimeUnit.SECONDS);
    driver.close();
    assertThat(r.count(202)).as("the edge keeps accepting while no writer runs").isEqualTo(n);
    assertThat(f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll)).as("nothing written while dead").isEqualTo(atKill);

    f.stack.startWriter();
    f.stack.awaitReady("writer", "http://localhost:" + f.stack.settings().writerPort() + "/health/ready");
    StackFixture.await("rows after restart", () -> f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll), n, 120);
    assertThat(f.query("SELECT sum(count) FROM tallies WHERE poll_id = " + poll)).isEqualTo(n);
    assertThat(f.query("SELECT count(*) FROM vote_rejects WHERE poll_id = " + poll)).as("no replay counted or rejected twice").isZero();
    Set<String> receipts = new HashSet<>();
    for (String s : r.receipts()) receipts.add(s);
    assertThat(f.receipts(poll)).isEqualTo(receipts);

    // The log did not fork: every checkpoint, before the kill and after the restart, is a prefix of the one log of
    // every counted vote (LogAudit recomputes each root from the entries, and proves the first and last consistent).
    StackFixture.await("the last votes signed", () -> f.query("SELECT max(size) FROM log_checkpoints WHERE poll_id = " + poll), n, 60);
    try (java.sql.Connection c = io.landslide.infra.Schema.connect(f.pg)) {
      io.landslide.infra.LogAudit.Summary s = io.landslide.infra.LogAudit.check(c, poll,
        io.landslide.codec.tlog.SignedNote.Verifier.parse(io.landslide.codec.tlog.LogKeys.DEV_VERIFIER));
      assertThat(s.size()).isEqualTo(n);
      assertThat(s.checkpoints()).contains(signedBefore, (long) n);
    }
  }

  @Test
  @DisplayName("Redis loses a poll's bits: the duplicate that gets through is kept in the audit table, tallies unchanged; rebuild restores every bit")
  void shouldGuardAndRebuildWhenRedisLosesBits() throws Exception {
    int poll = f.createPoll("Flushed", 2);
    VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 32);
    int n = 1000;
    long[] users = new long[n];
    for (int i = 0; i < n; i++) users[i] = i + 1;
    String[] bearers = VoteDriver.bearers(users);
    assertThat(driver.run(poll, users, bearers, u -> 0, 32, false).await(60, TimeUnit.SECONDS).count(202)).isEqualTo(n);
    StackFixture.await("rows", () -> f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll), n, 60);

    Redis redis = Redis.createClient(f.vertx, "redis://127.0.0.1:6379");
    Response keys = redis.send(Request.cmd(Command.KEYS).arg("vb:" + f.pg.database() + ":" + poll + ":*")).await(10, TimeUnit.SECONDS);
    for (Response k : keys) redis.send(Request.cmd(Command.DEL).arg(k.toString())).await(10, TimeUnit.SECONDS);

    String token = DevTokens.dev().voter(1);
    assertThat(f.post("/api/v1/polls/" + poll + "/votes", token, "{\"option\":1}").statusCode()).as("the bitmap forgot user 1").isEqualTo(202);
    StackFixture.await("duplicate kept", () -> f.query("SELECT count(*) FROM vote_rejects WHERE poll_id = " + poll + " AND reason = 'duplicate'"), 1, 60);
    assertThat(f.query("SELECT sum(count) FROM tallies WHERE poll_id = " + poll)).isEqualTo(n);
    assertThat(f.query("SELECT count(*) FROM votes WHERE poll_id = " + poll + " AND option_id = 1")).isZero();

    var rebuilt = f.post("/api/v1/polls/" + poll + "/bitmap/rebuild", DevTokens.dev().admin(1), "");
    assertThat(rebuilt.statusCode()).isEqualTo(200);
    assertThat(rebuilt.body()).contains("\"users\":" + n);
    VoteDriver.Results retry = driver.run(poll, users, bearers, u -> 1, 32, false).await(60, TimeUnit.SECONDS);
    assertThat(retry.count(409)).as("every bit restored").isEqualTo(n);
    assertThat(f.post("/api/v1/polls/" + poll + "/votes", DevTokens.dev().voter(n + 1), "{\"option\":1}").statusCode()).isEqualTo(202);
    driver.close();
    redis.close();
  }
}
