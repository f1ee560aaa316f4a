package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.PgSettings;
import io.landslide.dedup.VoterBitmap.Claim;
import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VoterBitmapTest {
  private static Vertx vertx;
  private static VoterBitmap bitmap;
  private static Redis redis;
  // A generous deadline: these tests are about outcomes, not speed, and CI machines stall.
  private static final BitmapOptions OPTIONS = new BitmapOptions(BitmapOptions.DEFAULT_REDIS_URI,
    BitmapOptions.DEFAULT_CHUNK_BITS, 5_000, BitmapOptions.DEFAULT_RECONNECT_BACKOFF_MS, BitmapOptions.DEFAULT_BATCH_WINDOW_MS,
    BitmapOptions.prefixFor(TestStack.TEST_DATABASE));

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    bitmap = VoterBitmap.create(vertx, OPTIONS);
    redis = Redis.createClient(vertx, OPTIONS.redisUri());
    bitmap.connect().await();
  }

  @AfterAll
  static void stop() throws Exception {
    bitmap.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A poll id no other test run uses: tests own their data. */
  private static int freshPoll() {
    return 1_000_000_000 + ThreadLocalRandom.current().nextInt(1_000_000_000);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(10, TimeUnit.SECONDS);
  }

  @Test
  void shouldClaimOnceAndReleaseForAnotherTry() throws Exception {
    int poll = freshPoll();
    assertThat(await(bitmap.claim(poll, 42))).isEqualTo(Claim.CLAIMED);
    assertThat(await(bitmap.claim(poll, 42))).isEqualTo(Claim.ALREADY_CLAIMED);
    assertThat(await(bitmap.isClaimed(poll, 42))).isTrue();
    assertThat(await(bitmap.claim(freshPoll(), 42))).as("another poll").isEqualTo(Claim.CLAIMED);
    assertThat(await(bitmap.release(poll, 42))).isTrue();
    assertThat(await(bitmap.isClaimed(poll, 42))).isFalse();
    assertThat(await(bitmap.claim(poll, 42))).isEqualTo(Claim.CLAIMED);
  }

  @Test
  void shouldLetExactlyOneOfManyConcurrentClaimsWin() throws Exception {
    int poll = freshPoll();
    List<Future<Claim>> claims = new ArrayList<>();
    for (int i = 0; i < 500; i++) claims.add(bitmap.claim(poll, 7));
    await(Future.all(claims));
    assertThat(claims.stream().filter(f -> f.result() == Claim.CLAIMED).count()).isEqualTo(1);
    assertThat(claims.stream().filter(f -> f.result() == Claim.ALREADY_CLAIMED).count()).isEqualTo(499);
  }

  @Test
  void shouldSpreadUsersOverFixedSizeChunks() throws Exception {
    int poll = freshPoll();
    long chunk = 1L << OPTIONS.chunkBits();
    long[] users = {1, chunk - 1, chunk, 4_294_967_295L};
    for (long u : users) assertThat(await(bitmap.claim(poll, u))).isEqualTo(Claim.CLAIMED);
    assertThat(await(bitmap.count(poll))).isEqualTo(users.length);
    long maxBytes = chunk / 8;
    for (long u : users) {
      String key = OPTIONS.key(poll, u);
      assertThat(await(redis.send(Request.cmd(Command.STRLEN).arg(key))).toLong()).isBetween(1L, maxBytes);
    }
    assertThat(OPTIONS.key(poll, chunk - 1)).isNotEqualTo(OPTIONS.key(poll, chunk));
  }

  @Test
  void shouldKeepPollsOfDifferentDatabasesApart() throws Exception {
    int poll = freshPoll();
    VoterBitmap other = VoterBitmap.create(vertx, OPTIONS.withPrefix(BitmapOptions.prefixFor("another_database")));
    try {
      assertThat(await(bitmap.claim(poll, 9))).isEqualTo(Claim.CLAIMED);
      assertThat(await(other.claim(poll, 9))).as("same poll id, other database").isEqualTo(Claim.CLAIMED);
      assertThat(await(other.clear(poll))).isEqualTo(1);
      assertThat(await(bitmap.isClaimed(poll, 9))).isTrue();
    } finally {
      other.close();
    }
  }

  @Test
  void shouldClearEveryChunkOfAPoll() throws Exception {
    int poll = freshPoll();
    int other = freshPoll();
    await(bitmap.claim(poll, 1));
    await(bitmap.claim(poll, 3L << OPTIONS.chunkBits()));
    await(bitmap.claim(other, 1));
    assertThat(await(bitmap.clear(poll))).isEqualTo(2);
    assertThat(await(bitmap.count(poll))).isZero();
    assertThat(await(bitmap.isClaimed(other, 1))).isTrue();
  }

  @Test
  void shouldAnswerUnknownQuicklyWhenRedisIsUnreachable() throws Exception {
    VoterBitmap dead = VoterBitmap.create(vertx, OPTIONS.withRedisUri("redis://127.0.0.1:1"));
    try {
      assertThat(await(dead.claim(freshPoll(), 1))).isEqualTo(Claim.UNKNOWN);
      assertThat(await(dead.claim(freshPoll(), 2))).as("within the reconnect backoff").isEqualTo(Claim.UNKNOWN);
    } finally {
      dead.close();
    }
  }

  @Test
  void shouldRebuildEveryBitFromPostgresAndKeepLiveBits() throws Exception {
    PgSettings pgs = TestStack.pg();
    int poll;
    List<Long> users = new ArrayList<>();
    try (Connection c = Schema.connect(pgs); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("INSERT INTO polls (title, options) VALUES ('rebuild', ARRAY['a','b']) RETURNING id")) {
        rs.next();
        poll = rs.getInt(1);
      }
      s.execute("SELECT landslide_create_vote_partitions(" + poll + ", 2)");
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO votes (poll_id, user_id, option_id, receipt, accepted_at,"
        + " kafka_partition, kafka_offset) VALUES (?, ?, 0, gen_random_uuid(), now(), 0, ?)")) {
        for (int i = 0; i < 3000; i++) {
          long u = i == 0 ? 4_294_967_295L : 1 + (long) i * 7_919L; // several chunks, and the largest index
          users.add(u);
          ins.setInt(1, poll);
          ins.setLong(2, u);
          ins.setLong(3, i);
          ins.addBatch();
        }
        ins.executeBatch();
      }
    }
    // A voter whose vote is still on its way to PostgreSQL: rebuild must not clear that bit.
    long inFlight = 5;
    assertThat(await(bitmap.claim(poll, inFlight))).isEqualTo(Claim.CLAIMED);
    Pool pg = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(pgs.host()).setPort(pgs.port())
      .setDatabase(pgs.database()).setUser(pgs.user())).using(vertx).build();
    try {
      assertThat(await(bitmap.rebuild(poll, pg))).isEqualTo(users.size());
      assertThat(await(bitmap.count(poll))).isEqualTo(users.size() + 1);
      for (long u : users) assertThat(await(bitmap.claim(poll, u))).as("user " + u).isEqualTo(Claim.ALREADY_CLAIMED);
      assertThat(await(bitmap.isClaimed(poll, inFlight))).isTrue();
      assertThat(await(bitmap.claim(poll, 2))).isEqualTo(Claim.CLAIMED);
    } finally {
      pg.close();
    }
  }
}
