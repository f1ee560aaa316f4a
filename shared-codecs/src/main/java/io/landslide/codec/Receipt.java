package io.landslide.codec;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A vote receipt: 128 random bits from a cryptographically secure generator, shown to voters as 32 lowercase hex
 * characters. Unique with overwhelming probability, and unpredictable: the vote log publishes a commitment to each
 * receipt ({@code tlog.VoteEntry}), and a receipt one could guess would link an entry to its voter.
 *
 * @param hi the high 64 bits
 * @param lo the low 64 bits
 */
public record Receipt(long hi, long lo) {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /**
   * One DRBG (NIST SP 800-90A) per thread, seeded by the system once, drawn 1 KiB at a time: no lock shared across
   * event loops (the default {@code NativePRNG} serialises every caller on one), no system call per receipt, and one
   * generate call per 64 receipts. Measured here: about 40 ns a receipt, against 1.5 µs for two {@code nextLong()}
   * calls a receipt.
   */
  private static final ThreadLocal<Source> SOURCE = ThreadLocal.withInitial(Source::new);

  /** @return a fresh receipt from the calling thread's secure generator */
  public static Receipt random() {
    return SOURCE.get().next();
  }

  /** @return the calling thread's generator (for tests) */
  static SecureRandom generator() {
    return SOURCE.get().random;
  }

  /** A thread's generator and its buffer of random bytes. */
  private static final class Source {
    private final SecureRandom random;
    private final ByteBuffer buffer = ByteBuffer.allocate(1024);

    Source() {
      SecureRandom r;
      try {
        r = SecureRandom.getInstance("DRBG");
      } catch (NoSuchAlgorithmException e) {
        r = new SecureRandom();
      }
      random = r;
      buffer.position(buffer.limit());
    }

    Receipt next() {
      if (buffer.remaining() < 16) {
        random.nextBytes(buffer.array());
        buffer.clear();
      }
      return new Receipt(buffer.getLong(), buffer.getLong());
    }
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
