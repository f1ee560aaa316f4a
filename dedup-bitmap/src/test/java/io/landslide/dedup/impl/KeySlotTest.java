package io.landslide.dedup.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeySlotTest {

  @Test
  void shouldHashAsRedisClusterDoes() {
    // values of CLUSTER KEYSLOT
    assertThat(KeySlot.of("123456789")).isEqualTo(12739);
    assertThat(KeySlot.of("foo")).isEqualTo(12182);
    assertThat(KeySlot.of("bar")).isEqualTo(5061);
    assertThat(KeySlot.of("{user1000}.following")).isEqualTo(KeySlot.of("user1000"));
    assertThat(KeySlot.of("foo{}{bar}")).isEqualTo(KeySlot.of("foo{}{bar}".getBytes(StandardCharsets.UTF_8)));
    assertThat(KeySlot.of("foo{{bar}}zap")).isEqualTo(KeySlot.of("{bar"));
    assertThat(KeySlot.of("vb:é:1:0")).isEqualTo(KeySlot.of("vb:é:1:0".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void shouldReadRedirects() {
    assertThat(RedisNodes.Redirect.of("MOVED 3999 127.0.0.1:6381").hostPort).isEqualTo("127.0.0.1:6381");
    assertThat(RedisNodes.Redirect.of("ASK 3999 127.0.0.1:6381").ask).isTrue();
    RedisNodes.Redirect r = RedisNodes.Redirect.of("ERR [2] WRONGTYPE x\nERR [3] MOVED 1 10.0.0.2:6379");
    assertThat(r.ask).isFalse();
    assertThat(r.hostPort).isEqualTo("10.0.0.2:6379");
    assertThat(RedisNodes.Redirect.of("ERR unknown")).isNull();
  }
}
