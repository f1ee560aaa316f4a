package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.dedup.VoterBitmap.Claim;
import io.landslide.infra.LocalRedisCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Redis Cluster master killed (SIGKILL) under the bitmap: its replica takes over with the bits, claims follow it. */
class ClusterFailoverIT {
  @TempDir
  Path dir;

  @Test
  @DisplayName("kill -9 the master of a poll's chunk: claims answer UNKNOWN while it fails over, never CLAIMED for a user whose bit was replicated; then ALREADY_CLAIMED from the promoted replica")
  void shouldFollowAFailoverWithTheBitsIntact() throws Exception {
    LocalRedisCluster cluster = LocalRedisCluster.start(dir);
    Vertx vertx = Vertx.vertx();
    try {
      BitmapOptions options = BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "cluster", "VOTING_REDIS_URI", cluster.seeds(),
        "VOTING_BITMAP_CHUNK_BITS", "10", "VOTING_REDIS_TIMEOUT_MS", "500", "VOTING_PG_DATABASE", "landslide_test"));
      VoterBitmap bitmap = onLoop(vertx, () -> {
        VoterBitmap b = VoterBitmap.create(vertx, options);
        return b.connect().map(b);
      });
      int poll = 77;
      List<Claim> first = claims(vertx, bitmap, poll, 0, 500);
      assertThat(first).containsOnly(Claim.CLAIMED);
      String chunk = options.chunkKey(poll, 0);
      int master = cluster.masterOf(chunk);
      int replica = cluster.replicaOf(master);
      assertThat(replica).as("the chunk's master has a replica").isPositive();
      // The test's own certainty that the bits reached the replica (production does not wait for it).
      assertThat(cluster.cli(master, "WAIT", "1", "20000").strip()).isEqualTo("1");

      cluster.kill9(master);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      List<Claim> again;
      while (true) {
        again = claims(vertx, bitmap, poll, 0, 500);
        assertThat(again).as("a replicated bit is never claimed again").doesNotContain(Claim.CLAIMED);
        if (!again.contains(Claim.UNKNOWN) || System.nanoTime() > deadline) break;
        Thread.sleep(200); // polling for the failover, with a deadline
      }
      assertThat(again).as("answered from the promoted replica").containsOnly(Claim.ALREADY_CLAIMED);
      assertThat(cluster.masterOf(chunk)).isEqualTo(replica);
      assertThat(claims(vertx, bitmap, poll, 500, 600)).as("new voters claim on the new master").containsOnly(Claim.CLAIMED);
      cluster.restart(master);
      bitmap.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      cluster.stop();
    }
  }

  private static List<Claim> claims(Vertx vertx, VoterBitmap bitmap, int poll, long from, long to) throws Exception {
    return onLoop(vertx, () -> {
      List<Future<Claim>> all = new ArrayList<>();
      for (long u = from; u < to; u++) all.add(bitmap.claim(poll, u));
      return Future.all(all).map(cf -> {
        List<Claim> out = new ArrayList<>();
        for (Future<Claim> f : all) out.add(f.result());
        return out;
      });
    });
  }

  private static <T> T onLoop(Vertx vertx, Supplier<Future<T>> work) throws Exception {
    Promise<T> p = Promise.promise();
    vertx.runOnContext(v -> work.get().onComplete(p));
    return p.future().await(30, TimeUnit.SECONDS);
  }
}
