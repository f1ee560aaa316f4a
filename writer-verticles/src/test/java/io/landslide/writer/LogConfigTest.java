package io.landslide.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.SignedNote;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogConfigTest {
  @Test
  @DisplayName("The dev log key signs by default, and is refused in production")
  void shouldRefuseTheDevKeyInProduction() {
    assertThat(LogConfig.fromEnv(Map.of()).signer().verifier().text()).isEqualTo(LogKeys.DEV_VERIFIER);
    assertThatThrownBy(() -> LogConfig.fromEnv(Map.of("VOTING_PROFILE", "production"))).hasMessageContaining("VOTING_LOG_SIGNER_KEY");
    String own = SignedNote.Signer.generate("prod.example/votes").secretText();
    assertThat(LogConfig.fromEnv(Map.of("VOTING_PROFILE", "production", "VOTING_LOG_SIGNER_KEY", own)).signer().name()).isEqualTo("prod.example/votes");
    assertThatThrownBy(() -> LogConfig.fromEnv(Map.of("VOTING_LOG_SIGNER_KEY", "not a key"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("The seal grace outlasts the edges' Kafka delivery timeout: derived from it, and a shorter one is refused")
  void shouldSealOnlyAfterTheDeliveryTimeout() {
    assertThat(LogConfig.fromEnv(Map.of()).sealGraceMs()).isEqualTo(LogConfig.DEFAULT_SEAL_GRACE_MS);
    assertThat(LogConfig.fromEnv(Map.of("VOTING_KAFKA_DELIVERY_TIMEOUT_MS", "15000")).sealGraceMs()).isEqualTo(16_000);
    assertThatThrownBy(() -> LogConfig.fromEnv(Map.of("VOTING_KAFKA_DELIVERY_TIMEOUT_MS", "15000", "VOTING_LOG_SEAL_GRACE_MS", "6000")))
      .hasMessageContaining("VOTING_LOG_SEAL_GRACE_MS");
    assertThatThrownBy(() -> LogConfig.fromEnv(Map.of("VOTING_LOG_CHECKPOINT_MS", "5000"))).hasMessageContaining("VOTING_LOG_CHECKPOINT_MS");
  }
}
