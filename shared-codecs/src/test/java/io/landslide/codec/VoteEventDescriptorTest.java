package io.landslide.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VoteEventDescriptorTest {

  private static VoteEvent sample(byte[] addr) {
    return new VoteEvent(42, UserIds.MAX, 31, 1_763_000_000_123L, new Receipt(-1L, 0x0123456789abcdefL), addr, 999);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 4, 16})
  void shouldRoundTripEveryAddressLength(int addrLen) {
    byte[] addr = new byte[addrLen];
    Arrays.fill(addr, (byte) 0xC0);
    VoteEvent e = sample(addr);
    byte[] bytes = new VoteEventSerializer().serialize(Topics.VOTES, e);
    assertThat(bytes).hasSize(VoteEventDescriptor.FIXED_LENGTH + addrLen);
    assertThat(new VoteEventDeserializer().deserialize(Topics.VOTES, bytes)).isEqualTo(e);
  }

  @Test
  void shouldWriteVersionOneWithoutTheCommitment() {
    VoteEvent e = sample(new byte[16]);
    byte[] bytes = VoteEventDescriptor.encode(e);
    assertThat(bytes[VoteEventDescriptor.VERSION_OFFSET]).isEqualTo(VoteEventDescriptor.VERSION_1);
    assertThat(bytes).hasSize(40 + 16);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 4, 16})
  void shouldStillReadVersionTwoEventsSkippingTheirCommitment(int addrLen) {
    byte[] addr = new byte[addrLen];
    Arrays.fill(addr, (byte) 0x0A);
    VoteEvent e = sample(addr);
    byte[] v2 = VoteEventDescriptor.encodeVersion2(e);
    assertThat(v2).hasSize(72 + addrLen);
    assertThat(Arrays.copyOfRange(v2, VoteEventDescriptor.COMMITMENT_OFFSET, VoteEventDescriptor.ADDR_OFFSET_V2))
      .isEqualTo(io.landslide.codec.tlog.VoteEntry.commitment(io.landslide.codec.tlog.TreeHash.sha256(), e.pollId(), e.receipt()));
    assertThat(VoteEventDescriptor.decode(v2)).isEqualTo(e);
    assertThat(VoteEventDescriptor.addressOffset(v2)).isEqualTo(VoteEventDescriptor.ADDR_OFFSET_V2);
    for (int n = 0; n < v2.length; n++) {
      byte[] cut = Arrays.copyOf(v2, n);
      assertThatThrownBy(() -> VoteEventDescriptor.decode(cut)).isInstanceOf(CorruptEventException.class);
    }
    // Version 2's bytes relabelled 1 are 32 bytes too long for their address length; version 1's relabelled 2, 32 short.
    assertThatThrownBy(() -> VoteEventDescriptor.decode(with(v2, VoteEventDescriptor.VERSION_OFFSET, 1)))
      .isInstanceOf(CorruptEventException.class).hasMessageContaining("length");
    assertThatThrownBy(() -> VoteEventDescriptor.decode(with(VoteEventDescriptor.encode(e), VoteEventDescriptor.VERSION_OFFSET, 2)))
      .isInstanceOf(CorruptEventException.class);
  }

  @Test
  void shouldKeepUnsignedUserIndexAboveIntMax() {
    VoteEvent e = new VoteEvent(1, 3_000_000_000L, 0, 0, Receipt.random(), new byte[0], 0);
    assertThat(VoteEventDescriptor.decode(VoteEventDescriptor.encode(e)).userId()).isEqualTo(3_000_000_000L);
  }

  @Test
  void shouldRejectEveryTruncation() {
    byte[] full = VoteEventDescriptor.encode(sample(new byte[4]));
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> VoteEventDescriptor.decode(cut)).isInstanceOf(CorruptEventException.class);
    }
  }

  @Test
  void shouldRejectTrailingBytes() {
    byte[] full = VoteEventDescriptor.encode(sample(new byte[0]));
    assertThatThrownBy(() -> VoteEventDescriptor.decode(Arrays.copyOf(full, full.length + 1)))
      .isInstanceOf(CorruptEventException.class).hasMessageContaining("length");
  }

  @Test
  void shouldRejectUnknownVersionReservedBitsAndBadFields() {
    byte[] good = VoteEventDescriptor.encode(sample(new byte[0]));
    assertThatThrownBy(() -> VoteEventDescriptor.decode(with(good, VoteEventDescriptor.VERSION_OFFSET, 3)))
      .isInstanceOf(CorruptEventException.class).hasMessageContaining("version");
    assertThatThrownBy(() -> VoteEventDescriptor.decode(with(good, VoteEventDescriptor.VERSION_OFFSET, 0)))
      .isInstanceOf(CorruptEventException.class).hasMessageContaining("version");
    // A version 1 event relabelled 2 is 32 bytes short for its address length: refused, never misread.
    assertThatThrownBy(() -> VoteEventDescriptor.decode(with(good, VoteEventDescriptor.VERSION_OFFSET, 2)))
      .isInstanceOf(CorruptEventException.class);
    assertThatThrownBy(() -> VoteEventDescriptor.decode(with(good, VoteEventDescriptor.RESERVED_OFFSET + 1, 1)))
      .isInstanceOf(CorruptEventException.class).hasMessageContaining("reserved");
    assertThatThrownBy(() -> VoteEventDescriptor.decode(with(good, VoteEventDescriptor.ADDR_LEN_OFFSET, 5)))
      .isInstanceOf(CorruptEventException.class).hasMessageContaining("address");
    assertThatThrownBy(() -> VoteEventDescriptor.decode(with(good, VoteEventDescriptor.POLL_OFFSET, 0x80)))
      .isInstanceOf(CorruptEventException.class).hasMessageContaining("poll");
    assertThatThrownBy(() -> VoteEventDescriptor.decode(with(good, VoteEventDescriptor.BOT_SCORE_OFFSET, 0xFF)))
      .isInstanceOf(CorruptEventException.class).hasMessageContaining("bot score");
    assertThatThrownBy(() -> VoteEventDescriptor.decode(null)).isInstanceOf(CorruptEventException.class);
  }

  @Test
  void shouldRefuseToBuildInvalidEvents() {
    Receipt r = Receipt.random();
    assertThatThrownBy(() -> new VoteEvent(0, 1, 0, 0, r, null, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VoteEvent(1, 0, 0, 0, r, null, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VoteEvent(1, UserIds.MAX + 1, 0, 0, r, null, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VoteEvent(1, 1, 0x10000, 0, r, null, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VoteEvent(1, 1, 0, 0, r, new byte[5], 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] with(byte[] b, int at, int value) {
    byte[] c = b.clone();
    c[at] = (byte) value;
    return c;
  }
}
