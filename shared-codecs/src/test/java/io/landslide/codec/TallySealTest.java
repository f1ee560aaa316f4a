package io.landslide.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TallySealTest {
  private static final byte[] UPDATE = TallyUpdateDescriptor.encode(List.of(new TallyUpdate(7, 1, 3, 42)));

  @Test
  @DisplayName("A sealed update opens under the same key; a changed byte, a missing tag or another key is refused")
  void shouldAuthenticateUpdates() {
    TallySeal seal = TallySeal.fromEnv(Map.of());
    byte[] sealed = seal.seal(UPDATE);
    assertThat(seal.open(sealed)).isEqualTo(UPDATE);
    for (int i = 0; i < sealed.length; i++) {
      byte[] changed = sealed.clone();
      changed[i] ^= 1;
      assertThatThrownBy(() -> seal.open(changed)).as("byte %d", i).isInstanceOf(CorruptEventException.class);
    }
    assertThatThrownBy(() -> seal.open(UPDATE)).isInstanceOf(CorruptEventException.class);
    assertThatThrownBy(() -> seal.open(new byte[3])).hasMessageContaining("without its tag");
    assertThatThrownBy(() -> new TallySeal("another cluster's key, 32 bytes or more".getBytes()).open(sealed)).hasMessageContaining("does not verify");
  }

  @Test
  @DisplayName("The dev key is refused in production; a short key is refused")
  void shouldRefuseWeakKeys() {
    assertThatThrownBy(() -> TallySeal.fromEnv(Map.of("VOTING_PROFILE", "production"))).hasMessageContaining("VOTING_CLUSTER_KEY");
    assertThatThrownBy(() -> TallySeal.fromEnv(Map.of("VOTING_CLUSTER_KEY", "c2hvcnQ="))).hasMessageContaining("32 bytes");
    assertThat(TallySeal.fromEnv(Map.of("VOTING_PROFILE", "production", "VOTING_CLUSTER_KEY",
      java.util.Base64.getEncoder().encodeToString(new byte[32])))).isNotNull();
  }
}
