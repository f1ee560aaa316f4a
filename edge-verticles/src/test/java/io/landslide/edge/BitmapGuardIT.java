package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.Schema;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BitmapGuardIT {

  @Test
  @DisplayName("Redis loses an open poll's bitmap (restart, failover): the edge notices and rebuilds it from PostgreSQL")
  void shouldRebuildALostBitmapByItself() throws Exception {
    try (EdgeFixture f = EdgeFixture.onSharedStack().start()) {
      int poll = f.openPoll();
      try (Connection c = Schema.connect(f.config.pg());
           PreparedStatement ins = c.prepareStatement("INSERT INTO votes (poll_id, user_id, option_id, receipt, accepted_at,"
             + " kafka_partition, kafka_offset) VALUES (?, ?, 0, gen_random_uuid(), now(), 0, ?)")) {
        for (long u = 1; u <= 100; u++) {
          ins.setInt(1, poll);
          ins.setLong(2, u * 1000);
          ins.setLong(3, u);
          ins.addBatch();
        }
        ins.executeBatch();
      }
      // What a Redis restart without persistence does to this poll: every key gone, the sentinel too.
      Redis redis = Redis.createClient(f.client, f.config.bitmap().redisUri());
      Response keys = redis.send(Request.cmd(Command.KEYS).arg(f.config.bitmap().pollPattern(poll))).await(10, TimeUnit.SECONDS);
      for (Response k : keys) redis.send(Request.cmd(Command.DEL).arg(k.toString())).await(10, TimeUnit.SECONDS);
      redis.send(Request.cmd(Command.DEL).arg(f.config.bitmap().sentinelKey(poll))).await(10, TimeUnit.SECONDS);
      assertThat(f.bitSet(poll, 1000)).isFalse();

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!f.bitSet(poll, 100_000) && System.nanoTime() < deadline) Thread.sleep(50);
      for (long u = 1; u <= 100; u++) assertThat(f.bitSet(poll, u * 1000)).as("user " + u * 1000).isTrue();
      assertThat(f.vote(poll, TOKENS.voter(5000), "{\"option\":1}").statusCode()).as("the fast path refuses again").isEqualTo(409);
      assertThat(f.vote(poll, TOKENS.voter(5001), "{\"option\":1}").statusCode()).isEqualTo(202);
      redis.close();
    }
  }
}
