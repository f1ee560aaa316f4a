package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.dedup.VoterBitmap.Claim;
import io.landslide.dedup.VoterBitmap.Reconciled;
import io.landslide.infra.TcpProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Pending claims on the local Redis: a claim is pending until confirmed or released; a reconciliation settles those
 * older than its grace once the records caught up, clearing the bit of a user with no vote written (no one locked
 * out), confirming one with a vote, and touching nothing when the records cannot catch up.
 */
class PendingClaimsIT {
  private static final long GRACE_MS = 60_000;
  private static Vertx vertx;
  private static VoterBitmap bitmap;
  private static Redis redis;
  private static final BitmapOptions OPTIONS = new BitmapOptions(BitmapOptions.DEFAULT_REDIS_URI, 10, 5_000,
    BitmapOptions.DEFAULT_RECONNECT_BACKOFF_MS, BitmapOptions.DEFAULT_BATCH_WINDOW_MS, BitmapOptions.prefixFor("landslide_test"));

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    bitmap = VoterBitmap.create(vertx, OPTIONS);
    redis = Redis.createClient(vertx, OPTIONS.redisUri());
    bitmap.connect().await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    bitmap.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static int freshPoll() {
    return 1_000_000_000 + ThreadLocalRandom.current().nextInt(1_000_000_000);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(15, TimeUnit.SECONDS);
  }

  private static Response redis(Request r) throws Exception {
    return await(redis.send(r));
  }

  private static String pendingKey(int poll, long user) {
    return OPTIONS.pendingKey(OPTIONS.key(poll, user));
  }

  /** @return the user's pending score, or null */
  private static Long pendingSince(int poll, long user) throws Exception {
    Response r = redis(Request.cmd(Command.ZSCORE).arg(pendingKey(poll, user)).arg(user));
    return r == null ? null : (long) Double.parseDouble(r.toString());
  }

  /** Makes a pending claim look as old as a claim from {@code ms} ago (what a dead edge leaves behind). */
  private static void age(int poll, long user, long ms) throws Exception {
    Long since = pendingSince(poll, user);
    assertThat(since).as("user %d pending", user).isNotNull();
    redis(Request.cmd(Command.ZADD).arg(pendingKey(poll, user)).arg("XX").arg(since - ms).arg(user));
  }

  /** Records over a set held by the test; counts how often they were asked to catch up. */
  private static final class Written implements VoteRecords {
    final Set<Long> users = new HashSet<>();
    final AtomicInteger caughtUpCalls = new AtomicInteger();
    boolean behind;

    @Override
    public Future<Void> caughtUp() {
      caughtUpCalls.incrementAndGet();
      return behind ? Future.failedFuture("writers behind") : Future.succeededFuture();
    }

    @Override
    public Future<Set<Long>> written(int poll, long[] asked) {
      Set<Long> out = new HashSet<>();
      for (long u : asked) if (users.contains(u)) out.add(u);
      return Future.succeededFuture(out);
    }
  }

  @Test
  @DisplayName("A claim is pending until confirmed or released; a repeat meanwhile answers PENDING, after the confirm ALREADY_CLAIMED")
  void shouldKeepAClaimPendingUntilConfirmedOrReleased() throws Exception {
    int poll = freshPoll();
    assertThat(await(bitmap.claim(poll, 5))).isEqualTo(Claim.CLAIMED);
    Long since = pendingSince(poll, 5);
    long now = redis(Request.cmd(Command.TIME)).get(0).toLong() * 1000;
    assertThat(since).as("pending since the server's now").isBetween(now - 10_000, now + 10_000);
    assertThat(await(bitmap.claim(poll, 5))).isEqualTo(Claim.ALREADY_CLAIMED);
    assertThat(pendingSince(poll, 5)).as("a duplicate does not move it").isEqualTo(since);

    bitmap.confirm(poll, 5);
    assertThat(await(bitmap.isClaimed(poll, 5))).isTrue(); // a later command on the same connection: the confirm ran
    assertThat(pendingSince(poll, 5)).isNull();
    assertThat(await(bitmap.isClaimed(poll, 5))).as("confirming keeps the bit").isTrue();
    assertThat(await(bitmap.claim(poll, 5))).as("confirmed: a repeat is a duplicate").isEqualTo(Claim.ALREADY_CLAIMED);

    assertThat(await(bitmap.claim(poll, 6))).isEqualTo(Claim.CLAIMED);
    assertThat(await(bitmap.release(poll, 6))).isTrue();
    assertThat(pendingSince(poll, 6)).as("released: not pending").isNull();
    assertThat(await(bitmap.isClaimed(poll, 6))).isFalse();
  }

  @Test
  @DisplayName("Reconcile: an old pending claim with no vote is cleared (the user may vote again), one with a vote is confirmed, a recent one is left")
  void shouldSettleOldPendingClaims() throws Exception {
    int poll = freshPoll();
    long orphan = 11; // the edge died between claim and produce (or its release failed)
    long counted = 2_000; // produced and written, but the confirm was lost; another chunk
    long fresh = 13; // still in flight: younger than the grace
    for (long u : new long[] {orphan, counted, fresh}) assertThat(await(bitmap.claim(poll, u))).isEqualTo(Claim.CLAIMED);
    age(poll, orphan, GRACE_MS + 1_000);
    age(poll, counted, GRACE_MS + 1_000);
    Written records = new Written();
    records.users.add(counted);

    Reconciled r = await(bitmap.reconcile(records, GRACE_MS, 10_000));

    assertThat(r.confirmed()).isGreaterThanOrEqualTo(1);
    assertThat(r.released()).as("only the orphan is cleared").isGreaterThanOrEqualTo(1);
    assertThat(await(bitmap.isClaimed(poll, orphan))).as("the orphan's bit").isFalse();
    assertThat(pendingSince(poll, orphan)).isNull();
    assertThat(await(bitmap.isClaimed(poll, counted))).as("a counted voter keeps the bit").isTrue();
    assertThat(pendingSince(poll, counted)).isNull();
    assertThat(await(bitmap.isClaimed(poll, fresh))).isTrue();
    assertThat(pendingSince(poll, fresh)).as("within the grace: untouched").isNotNull();
    assertThat(await(bitmap.claim(poll, orphan))).as("the orphan votes again").isEqualTo(Claim.CLAIMED);
    assertThat(await(bitmap.claim(poll, counted))).isEqualTo(Claim.ALREADY_CLAIMED);
  }

  @Test
  @DisplayName("A release that fails (Redis cut after the claim) leaves the voter pending; the reconciliation frees them")
  void shouldFreeAVoterWhoseReleaseFailed() throws Exception {
    int poll = freshPoll();
    try (TcpProxy proxy = TcpProxy.start(vertx, "127.0.0.1", 6379)) {
      VoterBitmap cut = VoterBitmap.create(vertx, OPTIONS.withRedisUri("redis://127.0.0.1:" + proxy.port()));
      try {
        assertThat(await(cut.claim(poll, 71))).isEqualTo(Claim.CLAIMED);
        proxy.cut(); // the produce failed, and now Redis is out of reach too
        assertThatThrownBy(() -> await(cut.release(poll, 71))).as("the release fails").isNotNull();
        proxy.mend();
      } finally {
        cut.close().await(10, TimeUnit.SECONDS);
      }
    }
    assertThat(await(bitmap.isClaimed(poll, 71))).as("locked out, for now").isTrue();
    assertThat(await(bitmap.claim(poll, 71))).isEqualTo(Claim.ALREADY_CLAIMED);
    age(poll, 71, GRACE_MS + 1_000);

    Reconciled r = await(bitmap.reconcile(new Written(), GRACE_MS, 10_000));

    assertThat(r.released()).isGreaterThanOrEqualTo(1);
    assertThat(await(bitmap.claim(poll, 71))).as("free to vote").isEqualTo(Claim.CLAIMED);
  }

  @Test
  @DisplayName("A claim in doubt (its produce failed after it went out): a repeat answers IN_DOUBT, not a duplicate, until settled either way")
  void shouldAnswerInDoubtUntilSettled() throws Exception {
    int poll = freshPoll();
    long written = 81;
    long lost = 82;
    for (long u : new long[] {written, lost}) {
      assertThat(await(bitmap.claim(poll, u))).isEqualTo(Claim.CLAIMED);
      await(bitmap.doubt(poll, u));
      assertThat(await(bitmap.claim(poll, u))).as("user %d in doubt", u).isEqualTo(Claim.IN_DOUBT);
      age(poll, u, GRACE_MS + 1_000);
    }
    Written records = new Written();
    records.users.add(written);
    await(bitmap.reconcile(records, GRACE_MS, 10_000));
    assertThat(await(bitmap.claim(poll, written))).as("its vote was written: a duplicate now").isEqualTo(Claim.ALREADY_CLAIMED);
    assertThat(await(bitmap.claim(poll, lost))).as("its vote was lost: free to vote").isEqualTo(Claim.CLAIMED);
    assertThat(redis(Request.cmd(Command.ZSCORE).arg(pendingKey(poll, written)).arg("?" + written))).as("mark settled").isNull();
    assertThat(redis(Request.cmd(Command.ZSCORE).arg(pendingKey(poll, lost)).arg("?" + lost))).as("mark settled").isNull();
  }

  @Test
  @DisplayName("Reconcile while the records are behind: it fails and clears nothing")
  void shouldClearNothingWhileTheRecordsAreBehind() throws Exception {
    int poll = freshPoll();
    assertThat(await(bitmap.claim(poll, 21))).isEqualTo(Claim.CLAIMED);
    age(poll, 21, GRACE_MS + 1_000);
    Written records = new Written();
    records.behind = true;
    assertThatThrownBy(() -> await(bitmap.reconcile(records, GRACE_MS, 10_000))).hasMessageContaining("writers behind");
    assertThat(await(bitmap.isClaimed(poll, 21))).isTrue();
    assertThat(pendingSince(poll, 21)).isNotNull();
  }

  @Test
  @DisplayName("Reconcile with nothing old enough: the records are not even asked")
  void shouldNotAskTheRecordsWhenNothingIsOld() throws Exception {
    int poll = freshPoll();
    assertThat(await(bitmap.claim(poll, 31))).isEqualTo(Claim.CLAIMED);
    Written records = new Written();
    // Other tests' old claims may be pending in the shared Redis: a grace longer than any of them.
    Reconciled r = await(bitmap.reconcile(records, 3_600_000L * 24 * 365, 10_000));
    assertThat(r).isEqualTo(Reconciled.NONE);
    assertThat(records.caughtUpCalls).hasValue(0);
    assertThat(pendingSince(poll, 31)).isNotNull();
  }

  @Test
  @DisplayName("The expiry is conditional: a user pending since after the cut-off keeps the bit")
  void shouldExpireOnlyWhatIsPendingSinceTheCutOff() throws Exception {
    int poll = freshPoll();
    assertThat(await(bitmap.claim(poll, 41))).isEqualTo(Claim.CLAIMED);
    Long since = pendingSince(poll, 41);
    String chunk = OPTIONS.key(poll, 41);
    Response kept = redis(Request.cmd(Command.FCALL).arg("landslide_vb_expire").arg(2).arg(chunk).arg(pendingKey(poll, 41))
      .arg(OPTIONS.offset(41)).arg(41).arg(since - 1));
    assertThat(kept.toInteger()).isZero();
    assertThat(await(bitmap.isClaimed(poll, 41))).isTrue();
    Response cleared = redis(Request.cmd(Command.FCALL).arg("landslide_vb_expire").arg(2).arg(chunk).arg(pendingKey(poll, 41))
      .arg(OPTIONS.offset(41)).arg(41).arg(since));
    assertThat(cleared.toInteger()).isOne();
    assertThat(await(bitmap.isClaimed(poll, 41))).isFalse();
  }

  @Test
  @DisplayName("Clearing a poll takes its pending claims too")
  void shouldClearPendingClaimsWithThePoll() throws Exception {
    int poll = freshPoll();
    assertThat(await(bitmap.claim(poll, 51))).isEqualTo(Claim.CLAIMED);
    assertThat(await(bitmap.claim(poll, 5_000))).isEqualTo(Claim.CLAIMED);
    assertThat(await(bitmap.clear(poll))).as("2 chunks (pending keys not counted)").isEqualTo(2);
    assertThat(pendingSince(poll, 51)).isNull();
    assertThat(pendingSince(poll, 5_000)).isNull();
  }

  @Test
  @DisplayName("Functions lost (FUNCTION FLUSH): the next claims answer UNKNOWN, never a made-up answer, until they are loaded again")
  void shouldLoadTheFunctionsAgainWhenLost() throws Exception {
    int poll = freshPoll();
    redis(Request.cmd(Command.FUNCTION).arg("FLUSH"));
    Claim first = await(bitmap.claim(poll, 61));
    assertThat(first).isIn(Claim.UNKNOWN, Claim.CLAIMED);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    Claim c = first;
    long user = 61;
    while (c != Claim.CLAIMED && System.nanoTime() < deadline) c = await(bitmap.claim(poll, ++user));
    assertThat(c).as("claims work again once reloaded").isEqualTo(Claim.CLAIMED);
    assertThat(pendingSince(poll, user)).isNotNull();
  }
}
