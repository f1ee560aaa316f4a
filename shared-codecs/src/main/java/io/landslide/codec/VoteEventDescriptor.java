package io.landslide.codec;

/**
 * The binary layout of a {@link VoteEvent} (Kafka record value on {@link Topics#VOTES}), big-endian:
 * <pre>
 *   0        1        2                 4                 6                 8
 *   +--------+--------+-----------------+-----------------+-----------------+
 *   |version | addrLen|   option u16    |  botScore u16   |  reserved (0)   |
 *   +--------+--------+-----------------+-----------------+-----------------+
 *   8                                  12                                  16
 *   +-----------------------------------+-----------------------------------+
 *   |             pollId i32            |          userId u32               |
 *   +-----------------------------------+-----------------------------------+
 *  16                                                                      24
 *   +-----------------------------------------------------------------------+
 *   |                      acceptedAt i64 (epoch ms)                        |
 *   +-----------------------------------------------------------------------+
 *  24                                                                      40
 *   |                   receipt: hi i64, lo i64                             |
 *   +-----------------------------------------------------------------------+
 *  40                                                                      72
 *   |   version 2 only: the receipt's commitment in the poll's log (32)     |
 *   +-----------------------------------------------------------------------+
 *  72 (40 in version 1)     + addrLen
 *   |  client address (0, 4 or 16)    |
 *   +---------------------------------+
 * </pre>
 * Version 2 (written since the log's commitment moved to the edge) carries the receipt's commitment,
 * {@code SHA-256("landslide/receipt/v1" || 0x00 || pollId || receipt)} ({@code tlog.VoteEntry}): the edge that issued
 * the receipt hashes it once, and the writer copies it into the vote's log entry instead of hashing it again. Version 1
 * (events already in the topic when a writer is upgraded) is still read; its writer computes the commitment. A
 * reader that meets an unknown version, a bad length, a non-zero reserved field or an out-of-range value throws
 * {@link CorruptEventException}: it never guesses.
 */
public final class VoteEventDescriptor {
  /** The version written: with the receipt's commitment. */
  public static final byte VERSION = 2;
  /** The first version, still read: without the commitment. */
  public static final byte VERSION_1 = 1;
  /** Offset of the version byte. */
  public static final int VERSION_OFFSET = 0;
  /** Offset of the client address length byte. */
  public static final int ADDR_LEN_OFFSET = 1;
  /** Offset of the option (u16). */
  public static final int OPTION_OFFSET = 2;
  /** Offset of the bot score (u16). */
  public static final int BOT_SCORE_OFFSET = 4;
  /** Offset of the reserved u16, zero in version 1. */
  public static final int RESERVED_OFFSET = 6;
  /** Offset of the poll id (i32). */
  public static final int POLL_OFFSET = 8;
  /** Offset of the user index (u32). */
  public static final int USER_OFFSET = 12;
  /** Offset of the acceptance time (i64 epoch ms). */
  public static final int ACCEPTED_AT_OFFSET = 16;
  /** Offset of the receipt's high half (i64). */
  public static final int RECEIPT_HI_OFFSET = 24;
  /** Offset of the receipt's low half (i64). */
  public static final int RECEIPT_LO_OFFSET = 32;
  /** Offset of the receipt's commitment (version 2). */
  public static final int COMMITMENT_OFFSET = 40;
  /** Bytes of the commitment. */
  public static final int COMMITMENT_LENGTH = 32;
  /** Offset of the client address bytes (version 2). */
  public static final int ADDR_OFFSET = COMMITMENT_OFFSET + COMMITMENT_LENGTH;
  /** Offset of the client address bytes in version 1. */
  public static final int ADDR_OFFSET_V1 = COMMITMENT_OFFSET;
  /** Length of an event without a client address. */
  public static final int FIXED_LENGTH = ADDR_OFFSET;
  /** Largest encoded event. */
  public static final int MAX_LENGTH = FIXED_LENGTH + 16;
  /** Highest bot score. */
  public static final int MAX_BOT_SCORE = 1000;

  /** The commitment's digest, one per thread (the producer's serialising threads). */
  private static final ThreadLocal<java.security.MessageDigest> SHA = ThreadLocal.withInitial(io.landslide.codec.tlog.TreeHash::sha256);

  private VoteEventDescriptor() {
  }

  /**
   * @param e the event
   * @return its encoding, exactly {@code FIXED_LENGTH + addrLen} bytes
   */
  public static byte[] encode(VoteEvent e) {
    byte[] addr = e.clientAddress();
    byte[] b = new byte[FIXED_LENGTH + addr.length];
    b[VERSION_OFFSET] = VERSION;
    b[ADDR_LEN_OFFSET] = (byte) addr.length;
    putShort(b, OPTION_OFFSET, e.option());
    putShort(b, BOT_SCORE_OFFSET, e.botScore());
    putInt(b, POLL_OFFSET, e.pollId());
    putInt(b, USER_OFFSET, (int) e.userId());
    putLong(b, ACCEPTED_AT_OFFSET, e.acceptedAt());
    putLong(b, RECEIPT_HI_OFFSET, e.receipt().hi());
    putLong(b, RECEIPT_LO_OFFSET, e.receipt().lo());
    io.landslide.codec.tlog.VoteEntry.commitment(SHA.get(), e.pollId(), e.receipt().hi(), e.receipt().lo(), b, COMMITMENT_OFFSET);
    System.arraycopy(addr, 0, b, ADDR_OFFSET, addr.length);
    return b;
  }

  /**
   * Checks that {@code b} holds one well-formed event.
   *
   * @param b the bytes
   * @throws CorruptEventException saying what is wrong
   */
  public static void check(byte[] b) {
    if (b == null) throw new CorruptEventException("no bytes");
    if (b.length < 1) throw new CorruptEventException("truncated: no version byte");
    if (b[VERSION_OFFSET] != VERSION && b[VERSION_OFFSET] != VERSION_1) throw new CorruptEventException("unknown version " + (b[VERSION_OFFSET] & 0xFF));
    int fixed = addrOffset(b);
    if (b.length < fixed) throw new CorruptEventException("truncated: " + b.length + " bytes, need at least " + fixed);
    int addrLen = b[ADDR_LEN_OFFSET] & 0xFF;
    if (addrLen != 0 && addrLen != 4 && addrLen != 16) throw new CorruptEventException("bad address length " + addrLen);
    if (b.length != fixed + addrLen) throw new CorruptEventException("length " + b.length + " does not match address length " + addrLen);
    if (getShort(b, RESERVED_OFFSET) != 0) throw new CorruptEventException("reserved field is not zero");
    if (getShort(b, BOT_SCORE_OFFSET) > MAX_BOT_SCORE) throw new CorruptEventException("bot score out of range");
    if (getInt(b, POLL_OFFSET) <= 0) throw new CorruptEventException("poll id must be positive");
    if (getInt(b, USER_OFFSET) == 0) throw new CorruptEventException("user index 0 is not a user");
  }

  /**
   * @param b the bytes
   * @return the event they hold
   * @throws CorruptEventException when they do not hold a well-formed event
   */
  public static VoteEvent decode(byte[] b) {
    check(b);
    byte[] addr = new byte[b[ADDR_LEN_OFFSET] & 0xFF];
    System.arraycopy(b, addrOffset(b), addr, 0, addr.length);
    return new VoteEvent(getInt(b, POLL_OFFSET), Integer.toUnsignedLong(getInt(b, USER_OFFSET)), getShort(b, OPTION_OFFSET),
      getLong(b, ACCEPTED_AT_OFFSET), new Receipt(getLong(b, RECEIPT_HI_OFFSET), getLong(b, RECEIPT_LO_OFFSET)),
      addr, getShort(b, BOT_SCORE_OFFSET));
  }

  // Reads of a checked event's fields, straight from its bytes: what a writer's batch does per vote, allocating
  // nothing (decode builds the record and its arrays).

  /** @param b a checked event's bytes @return its poll */
  public static int pollId(byte[] b) {
    return getInt(b, POLL_OFFSET);
  }

  /** @param b a checked event's bytes @return its user index */
  public static long userId(byte[] b) {
    return Integer.toUnsignedLong(getInt(b, USER_OFFSET));
  }

  /** @param b a checked event's bytes @return its option */
  public static int option(byte[] b) {
    return getShort(b, OPTION_OFFSET);
  }

  /** @param b a checked event's bytes @return when the edge accepted it, epoch ms */
  public static long acceptedAt(byte[] b) {
    return getLong(b, ACCEPTED_AT_OFFSET);
  }

  /** @param b a checked event's bytes @return its receipt's high 64 bits */
  public static long receiptHi(byte[] b) {
    return getLong(b, RECEIPT_HI_OFFSET);
  }

  /** @param b a checked event's bytes @return its receipt's low 64 bits */
  public static long receiptLo(byte[] b) {
    return getLong(b, RECEIPT_LO_OFFSET);
  }

  /** @param b a checked event's bytes @return its bot score */
  public static int botScore(byte[] b) {
    return getShort(b, BOT_SCORE_OFFSET);
  }

  /** @param b a checked event's bytes @return the length of its client address: 0, 4 or 16 */
  public static int addressLength(byte[] b) {
    return b[ADDR_LEN_OFFSET] & 0xFF;
  }

  /** @param b a checked event's bytes @return where its client address is */
  public static int addressOffset(byte[] b) {
    return addrOffset(b);
  }

  /**
   * @param b a checked event's bytes
   * @return where its receipt's commitment is, or -1 when it carries none (version 1)
   */
  public static int commitmentOffset(byte[] b) {
    return b[VERSION_OFFSET] == VERSION ? COMMITMENT_OFFSET : -1;
  }

  private static int addrOffset(byte[] b) {
    return b[VERSION_OFFSET] == VERSION_1 ? ADDR_OFFSET_V1 : ADDR_OFFSET;
  }

  static void putShort(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }

  static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  static void putLong(byte[] b, int at, long v) {
    putInt(b, at, (int) (v >>> 32));
    putInt(b, at + 4, (int) v);
  }

  static int getShort(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  static int getInt(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  static long getLong(byte[] b, int at) {
    return ((long) getInt(b, at) << 32) | (getInt(b, at + 4) & 0xFFFF_FFFFL);
  }
}
