package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BitmapOptionsTest {
  /** A self-signed CA certificate (made once with openssl; never used to connect). */
  private static final String CA_PEM = """
    -----BEGIN CERTIFICATE-----
    MIIBmTCCAT+gAwIBAgIUV9qFxbPY8AWuWa3eddRA204VjVgwCgYIKoZIzj0EAwIw
    ITEfMB0GA1UEAwwWTGFuZHNsaWRlIHVuaXQtdGVzdCBDQTAgFw0yNjEyMDExMTUw
    NDlaGA8yMTI2MTEwNzExNTA0OVowITEfMB0GA1UEAwwWTGFuZHNsaWRlIHVuaXQt
    dGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIOjkSKwC/AfI7wQipcx
    LdNp3HyDB7bTtSCduGSlMhaMovfWnc7SOX4RVIzLnUPbaMTOTOgELAii7jvc2NBF
    wi+jUzBRMB0GA1UdDgQWBBS0OtvQu3RnYnNGcdfcWBVnSrEYMjAfBgNVHSMEGDAW
    gBS0OtvQu3RnYnNGcdfcWBVnSrEYMjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49
    BAMCA0gAMEUCIQC6gK94OKPaKR4wAoH6ZyzqQOGWCktL/py3N8jn1xy9ggIgW9PK
    82kHlKINCsaqdMOFbPbNyCllAiVYyR2rhzZrB0k=
    -----END CERTIFICATE-----
    """;

  @TempDir
  Path dir;

  private Path caFile() throws Exception {
    return Files.writeString(dir.resolve("ca.pem"), CA_PEM);
  }

  @Test
  void shouldUseTheDefaultsForWhatIsNotSet() {
    BitmapOptions o = BitmapOptions.fromEnv(Map.of());
    assertThat(o).isEqualTo(new BitmapOptions(BitmapOptions.DEFAULT_REDIS_URI, BitmapOptions.DEFAULT_CHUNK_BITS,
      BitmapOptions.DEFAULT_TIMEOUT_MS, BitmapOptions.DEFAULT_RECONNECT_BACKOFF_MS, BitmapOptions.DEFAULT_BATCH_WINDOW_MS,
      "vb:landslide:"));
    assertThat(BitmapOptions.defaults()).isEqualTo(o);
  }

  @Test
  void shouldReadEveryVariable() {
    BitmapOptions o = BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", "redis://cache:6380", "VOTING_BITMAP_CHUNK_BITS", "12",
      "VOTING_REDIS_TIMEOUT_MS", "250", "VOTING_REDIS_BATCH_WINDOW_MS", "0", "VOTING_PG_DATABASE", "shows"));
    assertThat(o.redisUri()).isEqualTo("redis://cache:6380");
    assertThat(o.chunkBits()).isEqualTo(12);
    assertThat(o.timeoutMs()).isEqualTo(250);
    assertThat(o.batchWindowMs()).isZero();
    assertThat(o.prefix()).isEqualTo("vb:shows:");
    assertThat(BitmapOptions.fromEnv(Map.of("VOTING_BITMAP_PREFIX", "x:")).prefix()).isEqualTo("x:");
  }

  @Test
  void shouldNameTheVariableAndValueThatDoNotParse() {
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_BITMAP_CHUNK_BITS", "21k")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_BITMAP_CHUNK_BITS").hasMessageContaining("21k");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_TIMEOUT_MS", "")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_TIMEOUT_MS").hasMessageContaining("''");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_BATCH_WINDOW_MS", "1.5")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_BATCH_WINDOW_MS").hasMessageContaining("1.5");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_BITMAP_CHUNK_BITS", "99999999999")))
      .as("beyond an int").isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99999999999");
  }

  @Test
  void shouldRejectValuesOutOfRange() {
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_BITMAP_CHUNK_BITS", "40")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_BITMAP_CHUNK_BITS");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_BATCH_WINDOW_MS", "500")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_BATCH_WINDOW_MS");
  }

  @Test
  void shouldPutEachUserInItsChunkAtItsOffset() {
    BitmapOptions o = BitmapOptions.fromEnv(Map.of("VOTING_BITMAP_CHUNK_BITS", "10", "VOTING_PG_DATABASE", "db"));
    assertThat(o.key(7, 1023)).isEqualTo("vb:db:7:0");
    assertThat(o.key(7, 1024)).isEqualTo("vb:db:7:1");
    assertThat(o.offset(1023)).isEqualTo(1023);
    assertThat(o.offset(1025)).isEqualTo(1);
    assertThat(o.key(7, 4_294_967_295L)).isEqualTo("vb:db:7:4194303");
    assertThat(o.sentinelKey(7)).isEqualTo("vb:db:complete:7").doesNotStartWith(o.pollPattern(7).replace("*", ""));
  }

  @Test
  void shouldKeepTheOlderConstructorsWithoutACa() {
    BitmapOptions six = new BitmapOptions("redis://a:1", 12, 300, 10, 1, "x:");
    assertThat(six.mode()).isEqualTo(BitmapOptions.Mode.STANDALONE);
    assertThat(six.redisCa()).isNull();
    BitmapOptions seven = new BitmapOptions("redis://a:1", 12, 300, 10, 1, "x:", BitmapOptions.Mode.CLUSTER);
    assertThat(seven.redisCa()).isNull();
    assertThat(BitmapOptions.defaults().redisCa()).isNull();
    assertThat(BitmapOptions.fromEnv(Map.of("VOTING_REDIS_CA", " ")).redisCa()).as("empty: unset").isNull();
  }

  @Test
  void shouldLeavePlainClientOptionsAsVertxMakesThem() {
    String uri = "redis://:pw@cache:6379";
    BitmapOptions o = BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", uri));
    String vertxDefault = new RedisOptions().getNetClientOptions().toJson().encode();
    assertThat(o.redisOptions().getNetClientOptions().toJson().encode()).isEqualTo(vertxDefault);
    assertThat(o.serverOptions(uri).getNetClientOptions().toJson().encode()).isEqualTo(vertxDefault);
    assertThat(o.redisOptions().getEndpoint()).isEqualTo(uri);
  }

  @Test
  void shouldVerifyHostNamesWithTheJvmTrustForTlsWithoutACa() {
    // Vert.x 5 refuses TLS client options without a host name verification algorithm: rediss:// alone never connected.
    String uri = "rediss://:pw@cache:6379";
    BitmapOptions o = BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", uri));
    for (RedisOptions r : new RedisOptions[] {o.redisOptions(), o.serverOptions(uri)}) {
      NetClientOptions net = r.getNetClientOptions();
      assertThat(net.isSsl()).isTrue();
      assertThat(net.getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
      assertThat(net.getTrustOptions()).as("the JVM's trust store").isNull();
      assertThat(net.isTrustAll()).isFalse();
      assertThat(net.isTcpKeepAlive()).as("Vert.x's Redis defaults kept").isTrue();
    }
    assertThat(o.serverOptions("redis://other:6379").getNetClientOptions().isSsl()).as("by each URI's scheme").isFalse();
  }

  @Test
  void shouldTrustTheCaAndVerifyHostNamesWhenOneIsGiven() throws Exception {
    String ca = caFile().toString();
    BitmapOptions o = BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", "rediss://:pw@cache:6379", "VOTING_REDIS_CA", ca));
    assertThat(o.redisCa()).isEqualTo(ca);
    for (RedisOptions r : new RedisOptions[] {o.redisOptions(), o.serverOptions("rediss://:pw@node-2:6379")}) {
      NetClientOptions net = r.getNetClientOptions();
      assertThat(net.isSsl()).isTrue();
      assertThat(net.getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
      assertThat(net.getTrustOptions()).isInstanceOf(PemTrustOptions.class);
      assertThat(((PemTrustOptions) net.getTrustOptions()).getCertPaths()).containsExactly(ca);
      assertThat(net.isTrustAll()).isFalse();
      assertThat(net.isTcpKeepAlive()).as("Vert.x's Redis defaults kept").isTrue();
      assertThat(net.isTcpNoDelay()).isTrue();
    }
    assertThat(o.withPrefix("y:").redisCa()).isEqualTo(ca);
    assertThat(o.withRedisUri("rediss://other:6379").redisCa()).isEqualTo(ca);
    assertThat(o.withRedisCa(null).redisOptions().getNetClientOptions().getTrustOptions()).isNull();
    assertThat(BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", "rediss://cache:6379")).withRedisCa(ca)).isEqualTo(o.withRedisUri("rediss://cache:6379"));
  }

  @Test
  void shouldFailAtStartOnACaItCannotUse() throws Exception {
    Map<String, String> tls = Map.of("VOTING_REDIS_URI", "rediss://cache:6379");
    BitmapOptions base = BitmapOptions.fromEnv(tls);
    String missing = dir.resolve("nope.pem").toString();
    assertThatThrownBy(() -> base.withRedisCa(missing))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_CA").hasMessageContaining(missing);
    assertThatThrownBy(() -> base.withRedisCa(dir.toString())).as("a directory")
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_CA");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
    assertThatThrownBy(() -> base.withRedisCa(garbage.toString()))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_CA").hasMessageContaining("garbage.pem");
    Path unreadable = caFile();
    Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("---------"));
    if (!Files.isReadable(unreadable)) { // root reads anything
      assertThatThrownBy(() -> base.withRedisCa(unreadable.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_CA");
    }
  }

  @Test
  void shouldWantTlsUrisWithACa() throws Exception {
    String ca = caFile().toString();
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", "redis://:s3cret@cache:6379", "VOTING_REDIS_CA", ca)))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_URI").hasMessageContaining("VOTING_REDIS_CA")
      .hasMessageContaining("redis://:***@cache:6379").hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> BitmapOptions.defaults().withRedisCa(ca)).as("the default URI is plain")
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_CA");
  }

  @Test
  void shouldNeverShowAPassword() {
    assertThat(BitmapOptions.withoutPassword("rediss://:s3cret@cache:6379")).isEqualTo("rediss://:***@cache:6379");
    assertThat(BitmapOptions.withoutPassword("redis://app:s3cret@cache:6379/0")).isEqualTo("redis://app:***@cache:6379/0");
    assertThat(BitmapOptions.withoutPassword("redis://s3cret@cache:6379")).isEqualTo("redis://***@cache:6379");
    assertThat(BitmapOptions.withoutPassword("redis://cache:6379")).isEqualTo("redis://cache:6379");
    assertThat(BitmapOptions.withoutPassword("rediss://:a@h1:1,redis://h2:2,rediss://u:b@h3:3"))
      .isEqualTo("rediss://:***@h1:1,redis://h2:2,rediss://u:***@h3:3");
    assertThat(BitmapOptions.withoutPassword("rediss://:se,cr/et@h1:1")).as("reserved characters left unencoded")
      .isEqualTo("rediss://:***@h1:1");
    assertThat(BitmapOptions.withoutPassword(null)).isNull();

    BitmapOptions o = BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", "rediss://:s3cret@cache:6379"));
    assertThat(o.toString()).contains("rediss://:***@cache:6379").doesNotContain("s3cret");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", "http://:s3cret@cache:6379")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_URI").hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> BitmapOptions.fromEnv(Map.of("VOTING_REDIS_URI", "rediss://:s3cret@a:1,rediss://:s3cret@b:2")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VOTING_REDIS_URI").hasMessageNotContaining("s3cret");
  }
}
