package io.landslide.dedup.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkImagesTest {
  private static final int BITS = 10; // 1024 users a chunk, 128 bytes

  @Test
  void shouldLayBitsOutAsRedisDoes() {
    ChunkImages images = new ChunkImages(BITS);
    for (long u : new long[] {0, 7, 9, 1023}) assertThat(images.add(u)).isNull();
    ChunkImages.Image image = images.finish();
    assertThat(image.chunk()).isZero();
    assertThat(image.bits()).hasSize(128);
    // SETBIT key 0 1 sets the high bit of byte 0; offset 7 its low bit.
    assertThat(image.bits()[0]).isEqualTo((byte) 0x81);
    assertThat(image.bits()[1]).isEqualTo((byte) 0x40);
    assertThat(image.bits()[127]).isEqualTo((byte) 0x01);
    for (int i = 2; i < 127; i++) assertThat(image.bits()[i]).as("byte " + i).isZero();
    assertThat(images.users()).isEqualTo(4);
    assertThat(images.finish()).as("nothing left").isNull();
  }

  @Test
  void shouldHandEachChunkOverOnceWhenUsersAscend() {
    ChunkImages images = new ChunkImages(BITS);
    assertThat(images.add(5)).isNull();
    ChunkImages.Image first = images.add(1024 + 3);
    assertThat(first.chunk()).isZero();
    assertThat(first.bits()[0]).isEqualTo((byte) 0x04);
    assertThat(images.add(1024 + 4)).isNull();
    ChunkImages.Image second = images.add(4_294_967_295L);
    assertThat(second.chunk()).isEqualTo(1);
    assertThat(second.bits()[0]).isEqualTo((byte) 0x18);
    ChunkImages.Image last = images.finish();
    assertThat(last.chunk()).isEqualTo(4_294_967_295L >>> BITS);
    assertThat(last.bits()[127]).isEqualTo((byte) 0x01);
    assertThat(images.users()).isEqualTo(4);
  }

  @Test
  void shouldStillCoverEveryUserWhenUsersComeOutOfOrder() {
    ChunkImages images = new ChunkImages(BITS);
    images.add(2000);
    ChunkImages.Image a = images.add(1);
    ChunkImages.Image b = images.add(2001);
    ChunkImages.Image c = images.finish();
    assertThat(a.chunk()).isEqualTo(1);
    assertThat(b.chunk()).isZero();
    assertThat(c.chunk()).isEqualTo(1);
    assertThat(a.bits()).isNotSameAs(c.bits()); // OR-ed into the same key one after the other
    assertThat(images.users()).isEqualTo(3);
  }
}
