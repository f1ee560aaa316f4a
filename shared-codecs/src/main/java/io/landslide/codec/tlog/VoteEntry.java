package io.landslide.codec.tlog;

import io.landslide.codec.Receipt;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A counted vote as the log holds it: nothing that names the voter. The fixed binary layout (38 bytes, big-endian;
 * {@code docs/audit.md}):
 * <pre>
 *   0      version      1 byte, 0x01
 *   1..4   poll id      uint32
 *   5      option id    uint8 (0 to 31)
 *   6..37  commitment   SHA-256("landslide/receipt/v1" || 0x00 || poll id (uint32) || receipt (16 bytes))
 * </pre>
 * The commitment binds the vote's receipt: the voter who kept it recomputes the commitment and finds the entry;
 * nobody else can link an entry to a person, as receipts are 128 random bits from a secure generator.
 *
 * @param poll       the poll
 * @param option     the option counted
 * @param commitment the receipt's commitment
 */
public record VoteEntry(int poll, int option, byte[] commitment) {
  /** Bytes of an entry. */
  public static final int SIZE = 38;
  /** The layout's version byte. */
  public static final byte VERSION = 0x01;
  private static final byte[] DOMAIN = "landslide/receipt/v1\0".getBytes(StandardCharsets.US_ASCII);

  /** Validates. */
  public VoteEntry {
    if (poll < 1) throw new IllegalArgumentException("poll id " + poll);
    if (option < 0 || option > 31) throw new IllegalArgumentException("option id " + option);
    if (commitment.length != 32) throw new IllegalArgumentException("a commitment of " + commitment.length + " bytes");
    commitment = commitment.clone();
  }

  /**
   * @param sha     a digest
   * @param poll    the poll
   * @param option  the option
   * @param receipt the vote's receipt
   * @return the entry of that counted vote
   */
  public static VoteEntry of(MessageDigest sha, int poll, int option, Receipt receipt) {
    return new VoteEntry(poll, option, commitment(sha, poll, receipt));
  }

  /** @return the commitment to a receipt in a poll */
  public static byte[] commitment(MessageDigest sha, int poll, Receipt receipt) {
    byte[] c = new byte[32];
    commitment(sha, poll, receipt.hi(), receipt.lo(), c, 0);
    return c;
  }

  /**
   * Writes the commitment to a receipt in a poll into a buffer, allocating nothing: what the edge calls once a vote,
   * into the vote's event ({@code VoteEventDescriptor}, version 2).
   *
   * @param sha       a digest
   * @param poll      the poll
   * @param receiptHi the receipt's high 64 bits
   * @param receiptLo the receipt's low 64 bits
   * @param out       the buffer
   * @param off       where the commitment's 32 bytes go
   */
  public static void commitment(MessageDigest sha, int poll, long receiptHi, long receiptLo, byte[] out, int off) {
    // The commitment's input (poll, receipt) where the commitment goes, then overwritten by its digest.
    putInt(out, off, poll);
    putLong(out, off + 4, receiptHi);
    putLong(out, off + 12, receiptLo);
    sha.reset();
    sha.update(DOMAIN);
    sha.update(out, off, 20);
    try {
      sha.digest(out, off, 32);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes an entry straight into a buffer, allocating nothing: what a writer appending a batch calls per vote.
   *
   * @param sha       a digest
   * @param poll      the poll
   * @param option    the option, 0 to 31
   * @param receiptHi the receipt's high 64 bits
   * @param receiptLo the receipt's low 64 bits
   * @param out       the buffer
   * @param off       where the entry's {@value #SIZE} bytes go
   */
  public static void write(MessageDigest sha, int poll, int option, long receiptHi, long receiptLo, byte[] out, int off) {
    header(poll, option, out, off);
    commitment(sha, poll, receiptHi, receiptLo, out, off + 6);
  }

  private static void header(int poll, int option, byte[] out, int off) {
    if (option < 0 || option > 31) throw new IllegalArgumentException("option id " + option);
    out[off] = VERSION;
    putInt(out, off + 1, poll);
    out[off + 5] = (byte) option;
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static void putLong(byte[] b, int at, long v) {
    putInt(b, at, (int) (v >>> 32));
    putInt(b, at + 4, (int) v);
  }

  /** @return the entry's bytes */
  public byte[] bytes() {
    return ByteBuffer.allocate(SIZE).put(VERSION).putInt(poll).put((byte) option).put(commitment).array();
  }

  /**
   * @param bytes an entry's bytes
   * @return the entry
   * @throws IllegalArgumentException when they are not one
   */
  public static VoteEntry parse(byte[] bytes) {
    if (bytes.length != SIZE) throw new IllegalArgumentException("an entry has " + SIZE + " bytes, not " + bytes.length);
    if (bytes[0] != VERSION) throw new IllegalArgumentException("unknown entry version " + bytes[0]);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.get();
    int poll = b.getInt();
    int option = b.get() & 0xff;
    byte[] c = new byte[32];
    b.get(c);
    return new VoteEntry(poll, option, c);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VoteEntry e && e.poll == poll && e.option == option && Arrays.equals(e.commitment, commitment);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * poll + option) + Arrays.hashCode(commitment);
  }

  @Override
  public String toString() {
    return "VoteEntry[poll=" + poll + ", option=" + option + ", commitment=" + java.util.HexFormat.of().formatHex(commitment, 0, 4) + "…]";
  }
}
