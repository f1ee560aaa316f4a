package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.dedup.BitmapOptions.Mode;
import io.vertx.redis.client.RedisClientType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {

  @Test
  void shouldBeStandaloneUnlessToldOtherwise() {
    assertThat(BitmapOptions.defaults().mode()).isEqualTo(Mode.STANDALONE);
    assertThat(BitmapOptions.defaults().seeds()).containsExactly(BitmapOptions.DEFAULT_REDIS_URI);
    assertThat(BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "standalone")).mode()).isEqualTo(Mode.STANDALONE);
    assertThat(BitmapOptions.defaults().redisOptions().getType()).isEqualTo(RedisClientType.STANDALONE);
  }

  @Test
  void shouldReadClusterSeeds() {
    BitmapOptions o = BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "cluster",
      "VOTING_REDIS_URI", "rediss://:s3cret@node-1:6379, rediss://:s3cret@node-2:6379,"));
    assertThat(o.mode()).isEqualTo(Mode.CLUSTER);
    assertThat(o.seeds()).containsExactly("rediss://:s3cret@node-1:6379", "rediss://:s3cret@node-2:6379");
    assertThat(o.redisOptions().getType()).isEqualTo(RedisClientType.CLUSTER);
    assertThat(o.redisOptions().getEndpoints()).isEqualTo(List.of("rediss://:s3cret@node-1:6379", "rediss://:s3cret@node-2:6379"));
    assertThat(o.withPrefix("x:").mode()).isEqualTo(Mode.CLUSTER);
    assertThat(o.withRedisUri("redis://a:1").mode()).isEqualTo(Mode.CLUSTER);
  }

  @Test
  void shouldNameTheVariableOfABadValue() {
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "sentinel")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_MODE").hasMessageContaining("sentinel");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "cluster", "VOTING_REDIS_URI", "redis://a:1,http://b:2")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_URI").hasMessageContaining("http://b:2");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", "redis://a:1,redis://b:2")))
      .as("several URIs need cluster mode").isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_URI");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "cluster", "VOTING_BITMAP_PREFIX", "a}b:")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_BITMAP_PREFIX");
  }

  @Test
  void shouldKeepTheChunkKeysAndTagTheTemporaryKeyWithTheChunk() {
    BitmapOptions o = BitmapOptions.fromEnv(Map.of("VOTING_BITMAP_CHUNK_BITS", "10", "VOTING_PG_DATABASE", "db",
      "VOTING_REDIS_MODE", "cluster"));
    assertThat(o.key(7, 1024)).isEqualTo("vb:db:7:1");
    assertThat(o.rebuildKey(7, 1, "run")).isEqualTo("vb:db:rebuild:{vb:db:7:1}:run").doesNotStartWith("vb:db:7:");
  }
}
