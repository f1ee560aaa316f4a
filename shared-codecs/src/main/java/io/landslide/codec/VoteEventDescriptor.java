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
 *  40 (72 in version 2)     + addrLen
 *   |  client address (0, 4 or 16)    |
 *   +---------------------------------+
 * </pre>
 * Edges write version 1. Version 2, written by the release in which the edge hashed the receipt's commitment for the
 * writer, is still read (its records can be in the topic during an upgrade), its commitment skipped: the writer
 * computes the commitment from the receipt, as the log's served entries are derived from the receipt in the vote's row
 * ({@code docs/audit.md}), and an edge's commitment must not be able to make them disagree with the tree. A reader that
 * meets an unknown version, a bad length, a non-zero reserved field or an out-of-range value throws
 * {@link CorruptEventException}: it never guesses.
 */
public final class VoteEventDescriptor {
  /** The first version: what edges write. */
  public static final byte VERSION_1 = 1;
  /** The version with the receipt's commitment, still read (its commitment skipped), no longer written. */
  public static final byte VERSION_2 = 2;
  /** The version written. */
  public static final byte VERSION = VERSION_1;
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
  /** Offset of the client address bytes (version 1, the version written). */
  public static final int ADDR_OFFSET = 40;
  /** Offset of the client address bytes in version 2. */
  public static final int ADDR_OFFSET_V2 = COMMITMENT_OFFSET + COMMITMENT_LENGTH;
  /** Length of an event written without a client address. */
  public static final int FIXED_LENGTH = ADDR_OFFSET;
  /** Largest event written. */
  public static final int MAX_LENGTH = FIXED_LENGTH + 16;
  /** Highest bot score. */
  public static final int MAX_BOT_SCORE = 1000;

  /** The commitment's digest of {@link #encodeVersion2}, one per thread. */
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
    fields(e, b, VERSION_1);
    System.arraycopy(addr, 0, b, ADDR_OFFSET, addr.length);
    return b;
  }

  /**
   * What edges of the release before wrote (version 2, with the receipt's commitment): the records an upgrade finds
   * in the topic, for the tests that read them.
   *
   * @param e the event
   * @return its encoding in version 2
   */
  public static byte[] encodeVersion2(VoteEvent e) {
    byte[] addr = e.clientAddress();
    byte[] b = new byte[ADDR_OFFSET_V2 + addr.length];
    fields(e, b, VERSION_2);
    io.landslide.codec.tlog.VoteEntry.commitment(SHA.get(), e.pollId(), e.receipt().hi(), e.receipt().lo(), b, COMMITMENT_OFFSET);
    System.arraycopy(addr, 0, b, ADDR_OFFSET_V2, addr.length);
    return b;
  }

  private static void fields(VoteEvent e, byte[] b, byte version) {
    b[VERSION_OFFSET] = version;
    b[ADDR_LEN_OFFSET] = (byte) e.clientAddress().length;
    putShort(b, OPTION_OFFSET, e.option());
    putShort(b, BOT_SCORE_OFFSET, e.botScore());
    putInt(b, POLL_OFFSET, e.pollId());
    putInt(b, USER_OFFSET, (int) e.userId());
    putLong(b, ACCEPTED_AT_OFFSET, e.acceptedAt());
    putLong(b, RECEIPT_HI_OFFSET, e.receipt().hi());
    putLong(b, RECEIPT_LO_OFFSET, e.receipt().lo());
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
    if (b[VERSION_OFFSET] != VERSION_1 && b[VERSION_OFFSET] != VERSION_2) throw new CorruptEventException("unknown version " + (b[VERSION_OFFSET] & 0xFF));
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

  private static int addrOffset(byte[] b) {
    return b[VERSION_OFFSET] == VERSION_2 ? ADDR_OFFSET_V2 : ADDR_OFFSET;
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
