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

  @Test
  void shouldCarryTheCommitsTimingForVoteToScreen() {
    byte[] b = TallyUpdateDescriptor.encode(SAMPLE, -42L, new int[] {7, 9}, new long[] {1_763_000_000_123L, 5});
    TallyUpdateDescriptor.Message m = TallyUpdateDescriptor.decodeMessage(b);
    assertThat(m.updates()).isEqualTo(SAMPLE);
    assertThat(m.commitId()).isEqualTo(-42L);
    assertThat(m.polls()).containsExactly(7, 9);
    assertThat(m.oldest()).containsExactly(1_763_000_000_123L, 5L);
    assertThat(TallyUpdateDescriptor.decode(b)).isEqualTo(SAMPLE);
    for (int n = 0; n < b.length; n++) {
      byte[] cut = Arrays.copyOf(b, n);
      assertThatThrownBy(() -> TallyUpdateDescriptor.decodeMessage(cut)).isInstanceOf(CorruptEventException.class);
    }
    assertThatThrownBy(() -> TallyUpdateDescriptor.decodeMessage(Arrays.copyOf(b, b.length + 1))).isInstanceOf(CorruptEventException.class);
    byte[] badPoll = b.clone();
    badPoll[b.length - 12] = (byte) 0x80; // the last timing's poll negative
    assertThatThrownBy(() -> TallyUpdateDescriptor.decodeMessage(badPoll)).hasMessageContaining("timing");
  }

  @Test
  void shouldStillReadVersionOne() {
    byte[] v2 = TallyUpdateDescriptor.encode(SAMPLE);
    byte[] v1 = Arrays.copyOf(v2, TallyUpdateDescriptor.HEADER_LENGTH + TallyUpdateDescriptor.ENTRY_LENGTH * SAMPLE.size());
    v1[0] = TallyUpdateDescriptor.VERSION_1;
    TallyUpdateDescriptor.Message m = TallyUpdateDescriptor.decodeMessage(v1);
    assertThat(m.updates()).isEqualTo(SAMPLE);
    assertThat(m.polls()).isEmpty();
    byte[] relabelled = v2.clone();
    relabelled[0] = TallyUpdateDescriptor.VERSION_1; // version 2's bytes read as 1: refused, never misread
    assertThatThrownBy(() -> TallyUpdateDescriptor.decodeMessage(relabelled)).hasMessageContaining("length");
  }
}
