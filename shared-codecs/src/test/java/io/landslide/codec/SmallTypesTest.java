package io.landslide.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
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
  }

  @Test
  void shouldReadPgSettingsWithDefaultsAndValidate() {
    PgSettings d = PgSettings.fromEnv(Map.of());
    assertThat(d.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/landslide");
    assertThat(PgSettings.fromEnv(Map.of("VOTING_PG_DATABASE", "x", "VOTING_PG_PORT", "6543")).jdbcUrl())
      .isEqualTo("jdbc:postgresql://127.0.0.1:6543/x");
    assertThatThrownBy(() -> PgSettings.fromEnv(Map.of("VOTING_PG_PORT", "0"))).hasMessageContaining("VOTING_PG_PORT");
  }
}
