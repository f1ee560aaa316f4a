package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.dedup.BitmapOptions.Mode;
import io.vertx.redis.client.RedisClientType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void shouldGiveTheClusterClientTheCa(@TempDir Path dir) throws Exception {
    // Any readable PEM certificate does for the options; the IT proves the connection.
    Path ca = Files.writeString(dir.resolve("ca.pem"), String.join("\n",
      "-----BEGIN CERTIFICATE-----",
      "MIIBmTCCAT+gAwIBAgIUV9qFxbPY8AWuWa3eddRA204VjVgwCgYIKoZIzj0EAwIw",
      "ITEfMB0GA1UEAwwWTGFuZHNsaWRlIHVuaXQtdGVzdCBDQTAgFw0yNjEyMDExMTUw",
      "NDlaGA8yMTI2MTEwNzExNTA0OVowITEfMB0GA1UEAwwWTGFuZHNsaWRlIHVuaXQt",
      "dGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIOjkSKwC/AfI7wQipcx",
      "LdNp3HyDB7bTtSCduGSlMhaMovfWnc7SOX4RVIzLnUPbaMTOTOgELAii7jvc2NBF",
      "wi+jUzBRMB0GA1UdDgQWBBS0OtvQu3RnYnNGcdfcWBVnSrEYMjAfBgNVHSMEGDAW",
      "gBS0OtvQu3RnYnNGcdfcWBVnSrEYMjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49",
      "BAMCA0gAMEUCIQC6gK94OKPaKR4wAoH6ZyzqQOGWCktL/py3N8jn1xy9ggIgW9PK",
      "82kHlKINCsaqdMOFbPbNyCllAiVYyR2rhzZrB0k=",
      "-----END CERTIFICATE-----", ""));
    BitmapOptions o = BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "cluster",
      "VOTING_REDIS_URI", "rediss://:s3cret@cfg.example:6379", "VOTING_REDIS_CA", ca.toString()));
    assertThat(o.redisOptions().getType()).isEqualTo(RedisClientType.CLUSTER);
    assertThat(o.redisOptions().getNetClientOptions().isSsl()).isTrue();
    assertThat(o.redisOptions().getNetClientOptions().getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(o.serverOptions("rediss://:s3cret@10.0.0.7:6379").getType()).as("a link to one master").isEqualTo(RedisClientType.STANDALONE);
    assertThat(o.withMode(Mode.STANDALONE).redisCa()).isEqualTo(ca.toString());
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "cluster",
      "VOTING_REDIS_URI", "rediss://:s3cret@a:1,redis://:s3cret@b:2", "VOTING_REDIS_CA", ca.toString())))
      .as("every seed TLS").isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_CA")
      .hasMessageContaining("redis://:***@b:2").hasMessageNotContaining("s3cret");
  }

  @Test
  void shouldNotShowThePasswordOfABadSeed() {
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "cluster",
      "VOTING_REDIS_URI", "rediss://:s3cret@a:1,http://:s3cret@b:2")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://:***@b:2").hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_MODE", "cluster",
      "VOTING_REDIS_URI", "rediss://:s3cret@a b:1")))
      .as("not a URI: the parser's message (which repeats the input) is not chained")
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_URI").hasMessageNotContaining("s3cret")
      .hasNoCause();
  }
}
