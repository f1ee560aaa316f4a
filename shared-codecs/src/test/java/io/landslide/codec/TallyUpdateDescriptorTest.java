package io.landslide.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TallyUpdateDescriptorTest {
  private static final List<TallyUpdate> SAMPLE = List.of(new TallyUpdate(7, 0, 3, 12), new TallyUpdate(Integer.MAX_VALUE, 31, 65_535, Long.MAX_VALUE));

  @Test
  void shouldRoundTrip() {
    assertThat(TallyUpdateDescriptor.decode(TallyUpdateDescriptor.encode(SAMPLE))).isEqualTo(SAMPLE);
    assertThat(TallyUpdateDescriptor.decode(TallyUpdateDescriptor.encode(List.of()))).isEmpty();
  }

  @Test
  void shouldRejectCorruptBytes() {
    byte[] good = TallyUpdateDescriptor.encode(SAMPLE);
    for (int n = 0; n < good.length; n++) {
      byte[] cut = Arrays.copyOf(good, n);
      assertThatThrownBy(() -> TallyUpdateDescriptor.decode(cut)).isInstanceOf(CorruptEventException.class);
    }
    byte[] version = good.clone();
    version[0] = 9;
    assertThatThrownBy(() -> TallyUpdateDescriptor.decode(version)).hasMessageContaining("version");
    byte[] negative = good.clone();
    negative[TallyUpdateDescriptor.HEADER_LENGTH + 8] = (byte) 0x80;
    assertThatThrownBy(() -> TallyUpdateDescriptor.decode(negative)).isInstanceOf(CorruptEventException.class);
    assertThatThrownBy(() -> TallyUpdateDescriptor.encode(List.of(new TallyUpdate(1, 70_000, 0, 1)))).isInstanceOf(IllegalArgumentException.class);
  }
}
