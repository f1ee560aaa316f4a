package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.dedup.VoterBitmap.Claim;
import io.landslide.infra.LocalRedisCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bitmap's behaviour on a real Redis Cluster (three masters, a replica each), started once for the class: small
 * chunks (2^10 users) so that a poll's keys land on several masters. {@code bitmap} was created on an event loop and
 * is used there (claims leave in per-master batches); {@code direct} is used from the test thread (plain sends).
 */
class ClusterVoterBitmapIT {
  @TempDir
  static Path dir;
  private static LocalRedisCluster cluster;
  private static Vertx vertx;
  private static BitmapOptions options;
  private static VoterBitmap bitmap;
  private static VoterBitmap direct;
  private static Redis redis;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalRedisCluster.start(dir);
    vertx = Vertx.vertx();
    options = BitmapOptions.fromEnv(java.util.Map.of("VOTING_REDIS_MODE", "cluster", "VOTING_REDIS_URI", cluster.seeds(),
      "VOTING_BITMAP_CHUNK_BITS", "10", "VOTING_REDIS_TIMEOUT_MS", "5000", "VOTING_PG_DATABASE", "landslide_test"));
    bitmap = onLoop(() -> {
      VoterBitmap b = VoterBitmap.create(vertx, options);
      return b.connect().map(b);
    });
    direct = VoterBitmap.create(vertx, options);
    direct.connect().await(10, TimeUnit.SECONDS);
    redis = Redis.createClient(vertx, options.redisOptions());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (bitmap != null) bitmap.close().await(10, TimeUnit.SECONDS);
      if (direct != null) direct.close().await(10, TimeUnit.SECONDS);
      if (vertx != null) vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      if (cluster != null) cluster.stop();
    }
  }

  private static <T> T onLoop(Supplier<Future<T>> work) throws Exception {
    Promise<T> p = Promise.promise();
    vertx.runOnContext(v -> work.get().onComplete(p));
    return p.future().await(30, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(30, TimeUnit.SECONDS);
  }

  private static int freshPoll() {
    return 1_000_000_000 + ThreadLocalRandom.current().nextInt(1_000_000_000);
  }

  /** @return the port of the master serving the key, from CLUSTER KEYSLOT and CLUSTER SLOTS */
  private static int masterOf(String key) throws Exception {
    int slot = await(redis.send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(key))).toInteger();
    for (Response range : await(redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")))) {
      if (slot >= range.get(0).toInteger() && slot <= range.get(1).toInteger()) return range.get(2).get(1).toInteger();
    }
    throw new IllegalStateException("no owner for slot " + slot);
  }

  private static long reads() {
    long sum = 0;
    for (int port : cluster.masterPorts()) {
      String info = cluster.cli(port, "INFO", "stats");
      sum += Long.parseLong(info.replaceAll("(?s).*total_reads_processed:(\\d+).*", "$1"));
    }
    return sum;
  }

  /** @return how many MOVED errors the node answered so far */
  private static long moved(int port) {
    String info = cluster.cli(port, "INFO", "errorstats");
    return info.contains("errorstat_MOVED:count=") ? Long.parseLong(info.replaceAll("(?s).*errorstat_MOVED:count=(\\d+).*", "$1")) : 0;
  }

  @Test
  void shouldClaimOnceAndReleaseForAnotherTry() throws Exception {
    for (VoterBitmap b : List.of(bitmap, direct)) {
      int poll = freshPoll();
      assertThat(await(b.claim(poll, 42))).isEqualTo(Claim.CLAIMED);
      assertThat(onLoop(() -> b.claim(poll, 42))).isEqualTo(Claim.ALREADY_CLAIMED);
      assertThat(await(b.isClaimed(poll, 42))).isTrue();
      assertThat(await(b.release(poll, 42))).isTrue();
      assertThat(await(b.isClaimed(poll, 42))).isFalse();
      assertThat(onLoop(() -> b.claim(poll, 42))).isEqualTo(Claim.CLAIMED);
      assertThat(await(b.count(poll))).isEqualTo(1);
    }
  }

  @Test
  void shouldLetExactlyOneOfManyConcurrentClaimsWin() throws Exception {
    int poll = freshPoll();
    List<Future<Claim>> claims = new ArrayList<>();
    for (int i = 0; i < 500; i++) claims.add(direct.claim(poll, 7));
    await(Future.all(claims));
    assertThat(claims.stream().filter(f -> f.result() == Claim.CLAIMED).count()).isEqualTo(1);
    assertThat(claims.stream().filter(f -> f.result() == Claim.ALREADY_CLAIMED).count()).isEqualTo(499);
  }

  @Test
  void shouldAnswerEachBatchedClaimExactlyAsAloneOverSeveralMasters() throws Exception {
    int poll = freshPoll();
    Set<Integer> masters = new HashSet<>();
    for (long chunk = 0; chunk < 10; chunk++) masters.add(masterOf(options.chunkKey(poll, chunk)));
    assertThat(masters).as("the masters holding the poll's 10 chunks").hasSizeGreaterThanOrEqualTo(2);
    long readsBefore = reads();
    List<Claim> answers = onLoop(() -> {
      List<Future<Claim>> all = new ArrayList<>();
      for (long u = 0; u < 10_000; u++) all.add(bitmap.claim(poll, u));   // 10,000 distinct users, 10 chunks
      for (int i = 0; i < 500; i++) all.add(bitmap.claim(poll, 4_242));  // one user, 500 times
      return Future.all(all).map(cf -> {
        List<Claim> out = new ArrayList<>();
        for (Future<Claim> f : all) out.add(f.result());
        return out;
      });
    });
    assertThat(answers.subList(0, 10_000)).containsOnly(Claim.CLAIMED);
    assertThat(answers.subList(10_000, 10_500).stream().filter(c -> c == Claim.CLAIMED).count()).isZero();
    assertThat(answers.subList(10_000, 10_500)).containsOnly(Claim.ALREADY_CLAIMED);
    long reads = reads() - readsBefore;
    assertThat(reads).as("socket reads the masters needed for 10,500 claims: they left in per-master batches").isLessThan(300);
    assertThat(await(bitmap.count(poll))).isEqualTo(10_000);
    for (long u : new long[] {0, 1023, 1024, 5_000, 9_999}) assertThat(await(direct.isClaimed(poll, u))).isTrue();
    assertThat(await(direct.isClaimed(poll, 10_000))).isFalse();
  }

  @Test
  void shouldClearEveryChunkOnEveryMaster() throws Exception {
    int poll = freshPoll();
    int other = freshPoll();
    Set<Integer> masters = new HashSet<>();
    for (long chunk = 0; chunk < 12; chunk++) {
      await(direct.claim(poll, chunk << options.chunkBits()));
      masters.add(masterOf(options.chunkKey(poll, chunk)));
    }
    assertThat(masters).hasSizeGreaterThanOrEqualTo(2);
    await(direct.claim(other, 1));
    assertThat(await(direct.count(poll))).isEqualTo(12);
    assertThat(await(direct.clear(poll))).isEqualTo(12);
    assertThat(await(direct.count(poll))).isZero();
    assertThat(await(direct.isClaimed(other, 1))).isTrue();
  }

  @Test
  void shouldSettlePendingClaimsOnEveryMaster() throws Exception {
    int poll = freshPoll();
    Set<Integer> masters = new HashSet<>();
    Set<Long> written = new HashSet<>();
    List<Long> orphans = new ArrayList<>();
    for (long chunk = 0; chunk < 12; chunk++) {
      long user = (chunk << options.chunkBits()) + 3;
      assertThat(await(direct.claim(poll, user))).isEqualTo(Claim.CLAIMED);
      String pending = options.pendingKey(options.key(poll, user));
      masters.add(masterOf(pending));
      assertThat(masterOf(pending)).as("pending claims share their chunk's slot").isEqualTo(masterOf(options.key(poll, user)));
      double since = Double.parseDouble(await(redis.send(Request.cmd(Command.ZSCORE).arg(pending).arg(user))).toString());
      await(redis.send(Request.cmd(Command.ZADD).arg(pending).arg("XX").arg((long) since - 120_000).arg(user)));
      if (chunk % 2 == 0) written.add(user);
      else orphans.add(user);
    }
    assertThat(masters).hasSizeGreaterThanOrEqualTo(2);
    VoteRecords records = new VoteRecords() {
      @Override
      public Future<Void> caughtUp() {
        return Future.succeededFuture();
      }

      @Override
      public Future<Set<Long>> written(int p, long[] users) {
        Set<Long> out = new HashSet<>();
        for (long u : users) if (p == poll && written.contains(u)) out.add(u);
        return Future.succeededFuture(out);
      }
    };
    VoterBitmap.Reconciled r = await(direct.reconcile(records, 60_000, 10_000));
    assertThat(r.released()).isGreaterThanOrEqualTo(orphans.size());
    assertThat(r.confirmed()).isGreaterThanOrEqualTo(written.size());
    for (long u : orphans) assertThat(await(direct.isClaimed(poll, u))).as("orphan %d", u).isFalse();
    for (long u : written) assertThat(await(direct.isClaimed(poll, u))).as("voter %d", u).isTrue();
    assertThat(await(direct.count(poll))).isEqualTo(written.size());
  }

  @Test
  void shouldKeepPollsOfDifferentDatabasesApart() throws Exception {
    int poll = freshPoll();
    VoterBitmap another = VoterBitmap.create(vertx, options.withPrefix(BitmapOptions.prefixFor("another_database")));
    try {
      assertThat(await(direct.claim(poll, 9))).isEqualTo(Claim.CLAIMED);
      assertThat(await(another.claim(poll, 9))).isEqualTo(Claim.CLAIMED);
      assertThat(await(another.clear(poll))).isEqualTo(1);
      assertThat(await(direct.isClaimed(poll, 9))).isTrue();
    } finally {
      another.close();
    }
  }

  private static List<Long> votersOverSeveralChunks() {
    List<Long> users = new ArrayList<>();
    for (int i = 0; i < 3000; i++) users.add(i == 0 ? 4_294_967_295L : 1 + (long) i * 7L);
    return users;
  }

  @Test
  void shouldRebuildEveryBitFromTheSourceAndKeepLiveBits() throws Exception {
    int poll = freshPoll();
    List<Long> users = votersOverSeveralChunks(); // 21 chunks, plus the last one
    long inFlight = 5;
    assertThat(onLoop(() -> bitmap.claim(poll, inFlight))).isEqualTo(Claim.CLAIMED);
    VoterList source = new VoterList(users, 256);
    assertThat(await(bitmap.rebuild(poll, source))).isEqualTo(users.size());
    assertThat(await(bitmap.count(poll))).isEqualTo(users.size() + 1);
    List<Claim> again = onLoop(() -> {
      List<Future<Claim>> all = new ArrayList<>();
      for (long u : users) all.add(bitmap.claim(poll, u));
      return Future.all(all).map(cf -> {
        List<Claim> out = new ArrayList<>();
        for (Future<Claim> f : all) out.add(f.result());
        return out;
      });
    });
    assertThat(again).containsOnly(Claim.ALREADY_CLAIMED);
    assertThat(await(direct.isClaimed(poll, inFlight))).isTrue();
    assertThat(await(direct.claim(poll, 2))).isEqualTo(Claim.CLAIMED);
    for (int port : cluster.masterPorts()) {
      assertThat(cluster.cli(port, "--scan", "--pattern", options.prefix() + "rebuild:*").strip()).as("temporary keys left on " + port).isEmpty();
    }
  }

  @Test
  void shouldPutARebuildsTemporaryKeyInItsChunksSlot() throws Exception {
    int poll = freshPoll();
    TreeMap<Integer, Long> slots = new TreeMap<>();
    for (long chunk = 0; chunk < 8; chunk++) {
      int live = await(redis.send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(options.chunkKey(poll, chunk)))).toInteger();
      int tmp = await(redis.send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(options.rebuildKey(poll, chunk, "r")))).toInteger();
      assertThat(tmp).isEqualTo(live);
      slots.put(live, chunk);
    }
    assertThat(slots).as("chunks of one poll on different slots").hasSizeGreaterThan(1);
  }

  @Test
  void shouldRebuildOnlyAPollWhoseSentinelIsGone() throws Exception {
    int poll = freshPoll();
    List<Long> users = votersOverSeveralChunks();
    VoterList source = new VoterList(users, 1000);
    assertThat(await(direct.rebuildIfLost(poll, source))).as("no sentinel: lost").isEqualTo(users.size());
    assertThat(await(direct.count(poll))).isEqualTo(users.size());
    int pages = source.pagesServed();
    assertThat(await(direct.rebuildIfLost(poll, source))).as("sentinel set by the rebuild").isEqualTo(-1);
    assertThat(source.pagesServed()).isEqualTo(pages);
    await(redis.send(Request.cmd(Command.DEL).arg(options.sentinelKey(poll))));
    assertThat(await(direct.rebuildIfLost(poll, source))).as("sentinel lost again").isEqualTo(users.size());
  }

  @Test
  void shouldSkipTheRebuildWhileAnotherHoldsTheLock() throws Exception {
    int poll = freshPoll();
    String lock = options.prefix() + "rebuilding:" + poll;
    await(redis.send(Request.cmd(Command.SET).arg(lock).arg("1").arg("PX").arg(60_000)));
    VoterList source = new VoterList(List.of(1L, 2L), 10);
    assertThat(await(direct.rebuildIfLost(poll, source))).isEqualTo(-1);
    assertThat(source.pagesServed()).isZero();
    await(redis.send(Request.cmd(Command.DEL).arg(lock)));
    assertThat(await(direct.rebuildIfLost(poll, source))).isEqualTo(2);
  }

  @Test
  void shouldFailTheRebuildWhenTheSourceFails() throws Exception {
    int poll = freshPoll();
    VoterSource broken = (p, sink) -> sink.apply(new long[] {1, 2, 3})
      .compose(v -> Future.failedFuture(new IllegalStateException("votes unreadable")));
    assertThatThrownBy(() -> await(direct.rebuildIfLost(poll, broken))).hasMessageContaining("votes unreadable");
    assertThat(await(direct.rebuildIfLost(poll, new VoterList(List.of(1L, 2L, 3L), 10)))).isEqualTo(3);
  }

  @Test
  void shouldAnswerUnknownWhenNoSeedAnswers() throws Exception {
    VoterBitmap dead = VoterBitmap.create(vertx, options.withRedisUri("redis://127.0.0.1:1,redis://127.0.0.1:2"));
    try {
      assertThat(await(dead.claim(freshPoll(), 1))).isEqualTo(Claim.UNKNOWN);
      assertThatThrownBy(() -> await(dead.ping())).isNotNull();
    } finally {
      dead.close();
    }
    assertThat(await(direct.ping().map(true))).isTrue();
  }

  /**
   * A slot moves to another master after the bitmap read the slot map: the claims sent to the old master come back
   * MOVED, are sent again to the new one, and none is answered wrongly.
   */
  @Test
  void shouldFollowASlotThatMovedToAnotherMaster() throws Exception {
    int poll = freshPoll();
    // A chunk whose slot holds no key yet, so the slot moves without MIGRATE.
    long chunk = 0;
    String key = options.chunkKey(poll, chunk);
    int slot = await(redis.send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(key))).toInteger();
    int from = masterOf(key);
    assertThat(cluster.cli(from, "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot)).strip()).isEqualTo("0");
    int to = cluster.masterPorts().stream().filter(p -> p != from).findFirst().orElseThrow();
    // The bitmap knows the slot map now; then the slot moves.
    assertThat(onLoop(() -> bitmap.claim(poll, 1L << options.chunkBits()))).isNotEqualTo(Claim.UNKNOWN);
    String toId = cluster.cli(to, "CLUSTER", "MYID").strip();
    String fromId = cluster.cli(from, "CLUSTER", "MYID").strip();
    cluster.cli(to, "CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", fromId);
    cluster.cli(from, "CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", toId);
    for (int port : cluster.masterPorts()) cluster.cli(port, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (masterOf(key) != to) {
      assertThat(System.nanoTime()).as("the slot move is seen").isLessThan(deadline);
      Thread.sleep(50); // polling a condition with a deadline
    }
    long movedBefore = moved(from);
    List<Claim> first = onLoop(() -> {
      List<Future<Claim>> all = new ArrayList<>();
      for (long u = 0; u < 100; u++) all.add(bitmap.claim(poll, u)); // chunk 0: on the moved slot
      return Future.all(all).map(cf -> {
        List<Claim> out = new ArrayList<>();
        for (Future<Claim> f : all) out.add(f.result());
        return out;
      });
    });
    assertThat(first).as("redirected, each claim answered from the new master").containsOnly(Claim.CLAIMED);
    assertThat(moved(from) - movedBefore).as("MOVED answers of the old master").isGreaterThanOrEqualTo(100);
    assertThat(cluster.cli(to, "GETBIT", key, "99").strip()).isEqualTo("1");
    assertThat(onLoop(() -> bitmap.claim(poll, 5))).isEqualTo(Claim.ALREADY_CLAIMED);
    assertThat(await(bitmap.count(poll))).isEqualTo(101);
  }
}
