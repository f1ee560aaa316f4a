package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.VoteEvent;
import io.landslide.dedup.BitmapOptions;
import io.landslide.infra.LocalKafka;
import io.landslide.infra.TcpProxy;
import io.landslide.infra.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge when Kafka, Redis or PostgreSQL is gone or saturated. */
class FaultIT {

  @Test
  @DisplayName("Kafka unreachable: 503 with Retry-After, nothing recorded; the batch went out, so the claim stays pending (in doubt) and the user's retry is 503 too, never a second vote; another user succeeds once Kafka is back")
  void shouldAnswer503AndReleaseWhenKafkaIsDown(@TempDir Path dir) throws Exception {
    LocalKafka kafka = LocalKafka.start(dir);
    int port = kafka.port();
    int cport = Integer.parseInt(Files.readString(dir.resolve("server.properties")).lines()
      .filter(l -> l.startsWith("controller.quorum.voters")).findFirst().orElseThrow().replaceAll(".*:", ""));
    try (EdgeFixture f = EdgeFixture.started(kafka.bootstrap(), BitmapOptions.DEFAULT_REDIS_URI, 2000)) {
      int poll = f.openPoll();
      assertThat(f.vote(poll, TOKENS.voter(11), "{\"option\":0}").statusCode()).isEqualTo(202);

      assertThat(awaitReadiness(f, 200, "UP").getJsonObject("checks").getString("kafka")).isEqualTo("UP");

      kafka.stop();
      assertThat(awaitReadiness(f, 503, "DOWN").getJsonObject("checks").getString("kafka")).as("not ready without Kafka").isEqualTo("DOWN");
      HttpResponse<Buffer> r = f.vote(poll, TOKENS.voter(12), "{\"option\":1}");
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unavailable");
      assertThat(r.getHeader("Retry-After")).isEqualTo("1");
      assertThat(r.getHeader("X-Request-Id")).as("the id a report of it finds the log line by").matches("[0-9a-f]{1,16}");
      assertThat(r.bodyAsJsonObject().getString("message")).contains("may have been recorded");
      assertThat(f.bitSet(poll, 12)).as("in doubt: the bit stays, pending, until the reconciliation settles it").isTrue();

      kafka = LocalKafka.start(dir, port, cport);
      long deadline = System.nanoTime() + 60_000_000_000L;
      HttpResponse<Buffer> retry;
      do {
        // The producer reconnects in the background; until then a vote may still get 503.
        retry = f.vote(poll, TOKENS.voter(13), "{\"option\":1}");
      } while (retry.statusCode() == 503 && System.nanoTime() < deadline);
      assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
      HttpResponse<Buffer> again = f.vote(poll, TOKENS.voter(12), "{\"option\":2}");
      assertThat(again.statusCode()).as("user 12 is still in doubt (no writer here to settle it): " + again.bodyAsString()).isEqualTo(503);
      assertThat(f.recorded(poll)).extracting(VoteEvent::userId).containsExactlyInAnyOrder(11L, 13L);
      awaitReadiness(f, 200, "UP");
    } finally {
      kafka.stop();
    }
  }

  @Test
  @DisplayName("Redis unreachable: votes still succeed (PostgreSQL's key stays the guard); the edge stays ready, degraded")
  void shouldAcceptVotesWithoutRedis() throws Exception {
    try (EdgeFixture f = EdgeFixture.started(TestStack.kafkaBootstrap(), "redis://127.0.0.1:1", 3000)) {
      JsonObject ready = awaitReadiness(f, 200, "DEGRADED");
      assertThat(ready.getJsonObject("checks").getString("redis")).isEqualTo("DOWN");
      assertThat(ready.getJsonObject("checks").getString("kafka")).isEqualTo("UP");
      assertThat(f.call(HttpMethod.GET, "/metrics", null, null).bodyAsString()).contains("landslide_dependency_up{dependency=\"redis\"} 0.0");
      int poll = f.openPoll();
      assertThat(f.vote(poll, TOKENS.voter(21), "{\"option\":0}").statusCode()).isEqualTo(202);
      // Without the bitmap the edge cannot tell a repeat; the writer's primary key refuses it (writer tests).
      assertThat(f.vote(poll, TOKENS.voter(21), "{\"option\":1}").statusCode()).isEqualTo(202);
      assertThat(f.recorded(poll)).hasSize(2);
    }
  }

  @Test
  @DisplayName("PostgreSQL gone after start: the edge stays ready (degraded) and a cached poll still takes votes; back to UP when it returns")
  void shouldStayReadyWithoutPostgres() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TcpProxy pg = TcpProxy.start(vertx, TestStack.pg().host(), TestStack.pg().port());
         EdgeFixture f = EdgeFixture.started(Map.of("VOTING_PG_PORT", String.valueOf(pg.port())))) {
      int poll = f.openPoll();
      awaitReadiness(f, 200, "UP");

      pg.cut();
      JsonObject ready = awaitReadiness(f, 200, "DEGRADED");
      assertThat(ready.getJsonObject("checks").getString("postgres")).isEqualTo("DOWN");
      assertThat(ready.getJsonObject("checks").getString("kafka")).isEqualTo("UP");
      assertThat(f.vote(poll, TOKENS.voter(31), "{\"option\":2}").statusCode()).as("a vote needs no PostgreSQL").isEqualTo(202);

      pg.mend();
      awaitReadiness(f, 200, "UP");
      assertThat(f.recorded(poll)).extracting(VoteEvent::userId).containsExactly(31L);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("PostgreSQL saturated: reads, and a vote whose poll must be looked up, answer 503 with Retry-After within the pool's wait; an id beyond every poll's is 404 without a query; nothing recorded")
  void shouldAnswer503WhenThePoolIsSaturated() throws Exception {
    try (EdgeFixture f = EdgeFixture.started(Map.of("VOTING_PG_POOL_SIZE", "1", "VOTING_PG_WAIT_MS", "300", "VOTING_PG_WAIT_QUEUE", "1"));
         Connection lock = DriverManager.getConnection(TestStack.pg().jdbcUrl(), TestStack.pg().jdbcProperties())) {
      int poll = f.openPoll();
      String voter = TOKENS.voter(41);
      int unknown = poll + 5; // not a poll yet, but within the ids a poll created on another edge may have
      int farBeyond = 2_000_000_000 + (int) (System.nanoTime() & 0xffff);
      // Hold the votes and polls tables: the pool's one connection gets stuck behind the lock on its next query.
      lock.setAutoCommit(false);
      try (Statement st = lock.createStatement()) {
        st.execute("LOCK TABLE votes, polls IN ACCESS EXCLUSIVE MODE");
      }
      var holder = f.http.get("/api/v1/polls/" + poll + "/votes/me").putHeader("Authorization", "Bearer " + voter).send();
      awaitWaitingOnTheLock(lock);

      // Concurrent reads: one waits its 300 ms in the queue of 1 and times out, the others are refused at once.
      List<io.vertx.core.Future<HttpResponse<Buffer>>> reads = new ArrayList<>();
      for (int i = 0; i < 3; i++) reads.add(f.http.get("/api/v1/polls/" + poll + "/votes/me").putHeader("Authorization", "Bearer " + voter).send());
      for (var read : reads) assertUnavailable(read.await(30, TimeUnit.SECONDS));
      // A vote whose poll is not in the edge's memory needs a lookup: 503, not 404 (the edge cannot know), not 500.
      assertUnavailable(f.vote(unknown, voter, "{\"option\":0}"));
      // The negative cache: an id far beyond every poll's is no poll, answered 404 without a query (the pool is stuck,
      // so a query would have been 503), and nothing is remembered of it.
      HttpResponse<Buffer> beyond = f.vote(farBeyond, voter, "{\"option\":0}");
      assertThat(beyond.statusCode()).isEqualTo(404);
      assertThat(beyond.bodyAsJsonObject().getString("error")).isEqualTo("poll_not_found");
      assertThat(f.call(HttpMethod.GET, "/api/v1/polls/" + farBeyond + "/results", null, null).statusCode()).isEqualTo(404);

      lock.commit();
      assertThat(holder.await(30, TimeUnit.SECONDS).statusCode()).as("the stuck request: answered, 200 or 503").isIn(200, 503);
      HttpResponse<Buffer> me = f.call(HttpMethod.GET, "/api/v1/polls/" + poll + "/votes/me", voter, null);
      assertThat(me.statusCode()).isEqualTo(200);
      assertThat(me.bodyAsJsonObject().getString("status")).isEqualTo("none");
      assertThat(f.vote(unknown, voter, "{\"option\":0}").statusCode()).as("the lookup, free again, finds no poll").isEqualTo(404);
      assertThat(f.recorded(unknown)).as("nothing recorded for the refused vote").isEmpty();
      assertThat(f.bitSet(unknown, 41)).isFalse();
    }
  }

  private static void assertUnavailable(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unavailable");
    assertThat(r.bodyAsJsonObject().getString("message")).contains("nothing was recorded");
    assertThat(r.getHeader("Retry-After")).isEqualTo("1");
  }

  /** Waits until a query of another session waits on a lock this session holds (deadline 30 s). */
  private static void awaitWaitingOnTheLock(Connection lock) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (PreparedStatement q = lock.prepareStatement(
      "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pg_blocking_pids(pid) @> ARRAY[pg_backend_pid()]")) {
      while (true) {
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) return;
        }
        if (System.nanoTime() > deadline) throw new AssertionError("no query of the edge waited on the lock within 30 s");
        Thread.sleep(20);
      }
    }
  }

  /** Polls {@code /health/ready} until it answers with this status code and status (readiness follows a 1 s probe). */
  private static JsonObject awaitReadiness(EdgeFixture f, int code, String status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      HttpResponse<Buffer> r = f.call(HttpMethod.GET, "/health/ready", null, null);
      JsonObject body = r.bodyAsJsonObject();
      if (r.statusCode() == code && status.equals(body.getString("status"))) return body;
      if (System.nanoTime() > deadline) throw new AssertionError("readiness never became " + code + " " + status + ": " + r.statusCode() + " " + body);
      Thread.sleep(100); // polling a condition with a deadline, not waiting for a time
    }
  }
}
