package io.landslide.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of the {@link TallyUpdate}s one commit changed, as writers publish them on the clustered event
 * bus (address {@link #ADDRESS}), big-endian:
 * <pre>
 *   0        1                 3
 *   +--------+-----------------+
 *   |version |  entries u16    |   then entries × 16 bytes:
 *   +--------+-----------------+
 *   +-----------------+--------+--------+---------------------------------+
 *   |   poll i32      |option  | shard  |          count i64              |
 *   |                 |  u16   |  u16   |                                 |
 *   +-----------------+--------+--------+---------------------------------+
 * </pre>
 */
public final class TallyUpdateDescriptor {
  /** Event-bus address writers publish to and edges listen on. */
  public static final String ADDRESS = "landslide.tallies.v1";
  /** The only version written today. */
  public static final byte VERSION = 1;
  /** Offset of the entry count. */
  public static final int COUNT_OFFSET = 1;
  /** Length of the header. */
  public static final int HEADER_LENGTH = 3;
  /** Length of one entry. */
  public static final int ENTRY_LENGTH = 16;
  /** Most entries in one message. */
  public static final int MAX_ENTRIES = 0xFFFF;

  private TallyUpdateDescriptor() {
  }

  /**
   * @param updates at most {@value #MAX_ENTRIES} updates
   * @return their encoding
   */
  public static byte[] encode(List<TallyUpdate> updates) {
    if (updates.size() > MAX_ENTRIES) throw new IllegalArgumentException("too many updates: " + updates.size());
    byte[] b = new byte[HEADER_LENGTH + ENTRY_LENGTH * updates.size()];
    b[0] = VERSION;
    VoteEventDescriptor.putShort(b, COUNT_OFFSET, updates.size());
    int at = HEADER_LENGTH;
    for (TallyUpdate u : updates) {
      if (u.poll() <= 0 || u.option() < 0 || u.option() > 0xFFFF || u.shard() < 0 || u.shard() > 0xFFFF || u.count() < 0) {
        throw new IllegalArgumentException("not encodable: " + u);
      }
      VoteEventDescriptor.putInt(b, at, u.poll());
      VoteEventDescriptor.putShort(b, at + 4, u.option());
      VoteEventDescriptor.putShort(b, at + 6, u.shard());
      VoteEventDescriptor.putLong(b, at + 8, u.count());
      at += ENTRY_LENGTH;
    }
    return b;
  }

  /**
   * @param b bytes
   * @return the updates they hold
   * @throws CorruptEventException when they do not hold well-formed updates
   */
  public static List<TallyUpdate> decode(byte[] b) {
    if (b == null || b.length < HEADER_LENGTH) throw new CorruptEventException("truncated tally update");
    if (b[0] != VERSION) throw new CorruptEventException("unknown tally update version " + (b[0] & 0xFF));
    int n = VoteEventDescriptor.getShort(b, COUNT_OFFSET);
    if (b.length != HEADER_LENGTH + ENTRY_LENGTH * n) throw new CorruptEventException("length " + b.length + " does not match " + n + " entries");
    List<TallyUpdate> out = new ArrayList<>(n);
    for (int i = 0, at = HEADER_LENGTH; i < n; i++, at += ENTRY_LENGTH) {
      int poll = VoteEventDescriptor.getInt(b, at);
      long count = VoteEventDescriptor.getLong(b, at + 8);
      if (poll <= 0 || count < 0) throw new CorruptEventException("bad tally entry " + i);
      out.add(new TallyUpdate(poll, VoteEventDescriptor.getShort(b, at + 4), VoteEventDescriptor.getShort(b, at + 6), count));
    }
    return out;
  }
}
