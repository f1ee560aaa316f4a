package io.landslide.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BitmapOptionsTest {

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
}
