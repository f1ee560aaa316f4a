package io.landslide.codec;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A vote receipt: 128 random bits, shown to voters as 32 lowercase hex characters.
 * Unique with overwhelming probability; it proves nothing by itself, it is a handle the voter and an
 * auditor can look a vote up by.
 *
 * @param hi the high 64 bits
 * @param lo the low 64 bits
 */
public record Receipt(long hi, long lo) {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** @return a fresh receipt from the calling thread's random generator (no locking, no syscalls) */
  public static Receipt random() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return new Receipt(r.nextLong(), r.nextLong());
  }

  /**
   * @param text 32 hex characters
   * @return the receipt
   * @throws IllegalArgumentException when the text is not 32 hex characters
   */
  public static Receipt parse(String text) {
    if (text == null || text.length() != 32) throw new IllegalArgumentException("receipt must be 32 hex characters");
    return new Receipt(Long.parseUnsignedLong(text.substring(0, 16), 16), Long.parseUnsignedLong(text.substring(16), 16));
  }

  @Override
  public String toString() {
    char[] out = new char[32];
    fill(out, 0, hi);
    fill(out, 16, lo);
    return new String(out);
  }

  private static void fill(char[] out, int at, long v) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
  }
}
