package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.dedup.VoterBitmap.Claim;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VoterBitmapIT {
  private static Vertx vertx;
  private static VoterBitmap bitmap;
  private static Redis redis;
  // A generous deadline: these tests are about outcomes, not speed, and CI machines stall.
  private static final BitmapOptions OPTIONS = new BitmapOptions(BitmapOptions.DEFAULT_REDIS_URI,
    BitmapOptions.DEFAULT_CHUNK_BITS, 5_000, BitmapOptions.DEFAULT_RECONNECT_BACKOFF_MS, BitmapOptions.DEFAULT_BATCH_WINDOW_MS,
    BitmapOptions.prefixFor("landslide_test"));

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

  /** Voters over several chunks, the largest user index among them: what PostgreSQL would hold for a poll. */
  private static List<Long> votersOverSeveralChunks() {
    List<Long> users = new ArrayList<>();
    for (int i = 0; i < 3000; i++) users.add(i == 0 ? 4_294_967_295L : 1 + (long) i * 7_919L);
    return users;
  }

  @Test
  void shouldRebuildEveryBitFromTheSourceAndKeepLiveBits() throws Exception {
    int poll = freshPoll();
    List<Long> users = votersOverSeveralChunks();
    // A voter whose vote is still on its way to PostgreSQL: rebuild must not clear that bit.
    long inFlight = 5;
    assertThat(await(bitmap.claim(poll, inFlight))).isEqualTo(Claim.CLAIMED);
    VoterList source = new VoterList(users, 256); // pages that end inside chunks and span chunk borders
    assertThat(await(bitmap.rebuild(poll, source))).isEqualTo(users.size());
    assertThat(source.pagesServed()).isEqualTo((users.size() + 255) / 256);
    assertThat(await(bitmap.count(poll))).isEqualTo(users.size() + 1);
    for (long u : users) assertThat(await(bitmap.claim(poll, u))).as("user " + u).isEqualTo(Claim.ALREADY_CLAIMED);
    assertThat(await(bitmap.isClaimed(poll, inFlight))).isTrue();
    assertThat(await(bitmap.claim(poll, 2))).isEqualTo(Claim.CLAIMED);
  }

  @Test
  void shouldRebuildOnlyAPollWhoseSentinelIsGone() throws Exception {
    int poll = freshPoll();
    List<Long> users = votersOverSeveralChunks();
    VoterList source = new VoterList(users, 1000);
    assertThat(await(bitmap.rebuildIfLost(poll, source))).as("no sentinel: lost").isEqualTo(users.size());
    assertThat(await(bitmap.count(poll))).isEqualTo(users.size());
    int pages = source.pagesServed();
    assertThat(await(bitmap.rebuildIfLost(poll, source))).as("sentinel set by the rebuild").isEqualTo(-1);
    assertThat(source.pagesServed()).as("source not read again").isEqualTo(pages);
  }

  @Test
  void shouldFailTheRebuildWhenTheSourceFails() throws Exception {
    int poll = freshPoll();
    VoterSource broken = (p, sink) -> sink.apply(new long[] {1, 2, 3})
      .compose(v -> Future.failedFuture(new IllegalStateException("votes unreadable")));
    assertThatThrownBy(() -> await(bitmap.rebuildIfLost(poll, broken))).hasMessageContaining("votes unreadable");
    assertThat(await(bitmap.rebuildIfLost(poll, new VoterList(List.of(1L, 2L, 3L), 10))))
      .as("the failed rebuild neither marked the poll complete nor kept the lock").isEqualTo(3);
  }
}
