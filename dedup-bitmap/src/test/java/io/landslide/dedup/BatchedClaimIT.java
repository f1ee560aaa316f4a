package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.dedup.VoterBitmap.Claim;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The production path: claims issued on the bitmap's own event loop leave in batches. Batching must not
 * change a single answer.
 */
class BatchedClaimIT {

  private static <T> T onLoop(Vertx vertx, java.util.function.Supplier<Future<T>> work) throws Exception {
    Promise<T> p = Promise.promise();
    vertx.runOnContext(v -> work.get().onComplete(p));
    return p.future().await(30, TimeUnit.SECONDS);
  }

  private static long reads(Redis redis) throws Exception {
    String info = redis.send(Request.cmd(Command.INFO).arg("stats")).await(10, TimeUnit.SECONDS).toString();
    return Long.parseLong(info.replaceAll("(?s).*total_reads_processed:(\\d+).*", "$1"));
  }

  @Test
  void shouldAnswerEachBatchedClaimExactlyAsAlone() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int poll = 1_000_000_000 + ThreadLocalRandom.current().nextInt(1_000_000_000);
      BitmapOptions opts = new BitmapOptions(BitmapOptions.DEFAULT_REDIS_URI, BitmapOptions.DEFAULT_CHUNK_BITS, 5_000,
        BitmapOptions.DEFAULT_RECONNECT_BACKOFF_MS, 1, BitmapOptions.prefixFor("landslide_test"));
      // Created on an event loop, as an HTTP verticle does: that loop is its home.
      VoterBitmap bitmap = onLoop(vertx, () -> {
        VoterBitmap b = VoterBitmap.create(vertx, opts);
        return b.connect().map(b);
      });
      Redis redis = Redis.createClient(vertx, opts.redisUri());
      long readsBefore = reads(redis);
      List<Claim> answers = onLoop(vertx, () -> {
        List<Future<Claim>> all = new ArrayList<>();
        for (long u = 1; u <= 3000; u++) all.add(bitmap.claim(poll, u));        // 3000 distinct users
        for (int i = 0; i < 500; i++) all.add(bitmap.claim(poll, 424_242));     // one user, 500 times
        return Future.all(all).map(cf -> {
          List<Claim> out = new ArrayList<>();
          for (Future<Claim> f : all) out.add(f.result());
          return out;
        });
      });
      assertThat(answers.subList(0, 3000)).containsOnly(Claim.CLAIMED);
      assertThat(answers.subList(3000, 3500).stream().filter(c -> c == Claim.CLAIMED).count()).isEqualTo(1);
      assertThat(answers.subList(3000, 3500).stream().filter(c -> c == Claim.ALREADY_CLAIMED).count()).isEqualTo(499);
      long reads = reads(redis) - readsBefore;
      assertThat(reads).as("socket reads Redis needed for 3,500 claims: they left in batches").isLessThan(100);
      assertThat(onLoop(vertx, () -> bitmap.count(poll))).isEqualTo(3001);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
