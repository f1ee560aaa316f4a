package io.landslide.dedup.impl;

/**
 * Gathers user indices into images of their bitmap chunks, laid out as Redis stores a bitmap (bit 0 of a key is
 * the high bit of its first byte), ready for one {@code SET}. Pure: no I/O.
 *
 * <p>Fed ascending indices, it holds the image of one chunk at a time ({@code 2^chunkBits / 8} bytes) and hands
 * each chunk over once, whatever the number of users. In another order a chunk may be handed over several
 * times, each image with part of its users.
 */
final class ChunkImages {

  /**
   * One chunk's bits.
   *
   * @param chunk the chunk index ({@code user >>> chunkBits})
   * @param bits  its bytes, in Redis's bit order; the holder's from now on
   */
  record Image(long chunk, byte[] bits) {
  }

  private final int chunkBits;
  private final long offsetMask;
  private long chunk = -1;
  private byte[] bits;
  private long users;

  /** @param chunkBits each chunk holds 2^chunkBits users, as in {@link io.landslide.dedup.BitmapOptions#chunkBits} */
  ChunkImages(int chunkBits) {
    this.chunkBits = chunkBits;
    this.offsetMask = (1L << chunkBits) - 1;
  }

  /**
   * Sets the user's bit in the image of its chunk.
   *
   * @param user a user index
   * @return the image of the chunk filled before, if this user starts another chunk; otherwise null
   */
  Image add(long user) {
    long c = user >>> chunkBits;
    Image done = null;
    if (c != chunk) {
      done = finish();
      chunk = c;
      bits = new byte[1 << (chunkBits - 3)];
    }
    long off = user & offsetMask;
    bits[(int) (off >>> 3)] |= (byte) (0x80 >>> (off & 7));
    users++;
    return done;
  }

  /** @return the image being filled, which this forgets; null if there is none */
  Image finish() {
    if (bits == null) return null;
    Image image = new Image(chunk, bits);
    bits = null;
    chunk = -1;
    return image;
  }

  /** @return how many users were added (repeats included) */
  long users() {
    return users;
  }
}
