package io.landslide.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmallTypesTest {

  @Test
  void shouldParseOnlyUserIndexesInRange() {
    assertThat(UserIds.parse("1")).isEqualTo(1);
    assertThat(UserIds.parse("4294967295")).isEqualTo(4_294_967_295L);
    for (String bad : new String[] {null, "", "0", "4294967296", "-1", "+1", "1.0", "12345678901", "1 ", "٣"}) {
      assertThat(UserIds.parse(bad)).as(String.valueOf(bad)).isEqualTo(-1);
    }
  }

  @Test
  void shouldDrawReceiptsFromASecureGeneratorOfTheirOwnPerThread() throws Exception {
    // Receipts are published as commitments in the vote log: a predictable one (ThreadLocalRandom's, say) would link
    // an entry to its voter.
    assertThat(Receipt.generator()).isInstanceOf(java.security.SecureRandom.class);
    assertThat(Receipt.generator().getAlgorithm()).isEqualTo("DRBG");
    java.util.concurrent.atomic.AtomicReference<java.security.SecureRandom> other = new java.util.concurrent.atomic.AtomicReference<>();
    Thread t = new Thread(() -> other.set(Receipt.generator()));
    t.start();
    t.join();
    assertThat(other.get()).isNotSameAs(Receipt.generator());
    java.util.Set<Receipt> seen = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) seen.add(Receipt.random());
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void shouldRoundTripReceipts() {
    Receipt r = new Receipt(-1L, 1L);
    assertThat(r.toString()).isEqualTo("ffffffffffffffff0000000000000001");
    assertThat(Receipt.parse(r.toString())).isEqualTo(r);
    Receipt random = Receipt.random();
    assertThat(Receipt.parse(random.toString())).isEqualTo(random);
    assertThatThrownBy(() -> Receipt.parse("abc")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldEncodeErrorBodiesAsContractJson() {
    assertThat(new String(ErrorCode.POLL_CLOSED.body(), StandardCharsets.UTF_8))
      .isEqualTo("{\"error\":\"poll_closed\",\"message\":\"This poll is closed.\"}");
    assertThat(ErrorCode.BAD_REQUEST.body("say \"hi\"\n")).isEqualTo("{\"error\":\"bad_request\",\"message\":\"say \\\"hi\\\"\\u000a\"}");
    assertThat(ErrorCode.UNAVAILABLE.retriable()).isTrue();
    assertThat(ErrorCode.ALREADY_VOTED.retriable()).isFalse();
    assertThat(java.util.Arrays.stream(ErrorCode.values()).filter(ErrorCode::retryAfter))
      .as("the codes whose answer says when to retry").containsExactlyInAnyOrder(ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE);
  }
}
