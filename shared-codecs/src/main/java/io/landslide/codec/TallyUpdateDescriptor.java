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
 *   version 2 then: the commit's id (i64), its polls (u16), and per poll (12 bytes):
 *   +-----------------+---------------------------------+
 *   |   poll i32      |  oldest vote's acceptedAt i64   |   (epoch ms: vote-to-screen starts there)
 *   +-----------------+---------------------------------+
 * </pre>
 * Version 2 tells an edge when the commit's oldest vote of each poll was accepted, so the first frame that counts it
 * measures vote-to-screen; the commit's id lets the edge's event loops, which all hear the message, measure it once.
 * Version 1 (a writer from before) is still read, without the timing.
 */
public final class TallyUpdateDescriptor {
  /** Event-bus address writers publish to and edges listen on. */
  public static final String ADDRESS = "landslide.tallies.v1";
  /** The version written: with the commit's timing. */
  public static final byte VERSION = 2;
  /** The first version, still read. */
  public static final byte VERSION_1 = 1;
  /** Bytes of a poll's timing (version 2). */
  public static final int TIMING_LENGTH = 12;

  /**
   * A decoded message.
   *
   * @param updates  the shard counts
   * @param commitId the commit's id (random; 0 in version 1)
   * @param polls    the polls of the commit's votes (none in version 1)
   * @param oldest   per poll, its oldest vote's accepted time, epoch ms
   */
  public record Message(List<TallyUpdate> updates, long commitId, int[] polls, long[] oldest) {
  }
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
   * @return their encoding, without timing
   */
  public static byte[] encode(List<TallyUpdate> updates) {
    return encode(updates, 0, new int[0], new long[0]);
  }

  /**
   * @param updates  at most {@value #MAX_ENTRIES} updates
   * @param commitId the commit's id
   * @param polls    the polls of the commit's votes, at most {@value #MAX_ENTRIES}
   * @param oldest   per poll, its oldest vote's accepted time (epoch ms)
   * @return their encoding
   */
  public static byte[] encode(List<TallyUpdate> updates, long commitId, int[] polls, long[] oldest) {
    if (updates.size() > MAX_ENTRIES) throw new IllegalArgumentException("too many updates: " + updates.size());
    if (polls.length > MAX_ENTRIES || oldest.length != polls.length) throw new IllegalArgumentException("bad timing: " + polls.length + " polls");
    int timing = 8 + 2 + TIMING_LENGTH * polls.length;
    byte[] b = new byte[HEADER_LENGTH + ENTRY_LENGTH * updates.size() + timing];
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
    VoteEventDescriptor.putLong(b, at, commitId);
    VoteEventDescriptor.putShort(b, at + 8, polls.length);
    at += 10;
    for (int i = 0; i < polls.length; i++, at += TIMING_LENGTH) {
      if (polls[i] <= 0 || oldest[i] < 0) throw new IllegalArgumentException("not encodable: poll " + polls[i] + " at " + oldest[i]);
      VoteEventDescriptor.putInt(b, at, polls[i]);
      VoteEventDescriptor.putLong(b, at + 4, oldest[i]);
    }
    return b;
  }

  /**
   * @param b bytes
   * @return the updates they hold
   * @throws CorruptEventException when they do not hold well-formed updates
   */
  public static List<TallyUpdate> decode(byte[] b) {
    return decodeMessage(b).updates();
  }

  /**
   * @param b bytes
   * @return the message they hold (version 1: no timing)
   * @throws CorruptEventException when they do not hold a well-formed message
   */
  public static Message decodeMessage(byte[] b) {
    if (b == null || b.length < HEADER_LENGTH) throw new CorruptEventException("truncated tally update");
    if (b[0] != VERSION && b[0] != VERSION_1) throw new CorruptEventException("unknown tally update version " + (b[0] & 0xFF));
    int n = VoteEventDescriptor.getShort(b, COUNT_OFFSET);
    int entriesEnd = HEADER_LENGTH + ENTRY_LENGTH * n;
    if (b[0] == VERSION_1 ? b.length != entriesEnd : b.length < entriesEnd + 10) {
      throw new CorruptEventException("length " + b.length + " does not match " + n + " entries");
    }
    List<TallyUpdate> out = new ArrayList<>(n);
    for (int i = 0, at = HEADER_LENGTH; i < n; i++, at += ENTRY_LENGTH) {
      int poll = VoteEventDescriptor.getInt(b, at);
      long count = VoteEventDescriptor.getLong(b, at + 8);
      if (poll <= 0 || count < 0) throw new CorruptEventException("bad tally entry " + i);
      out.add(new TallyUpdate(poll, VoteEventDescriptor.getShort(b, at + 4), VoteEventDescriptor.getShort(b, at + 6), count));
    }
    if (b[0] == VERSION_1) return new Message(out, 0, new int[0], new long[0]);
    long commitId = VoteEventDescriptor.getLong(b, entriesEnd);
    int m = VoteEventDescriptor.getShort(b, entriesEnd + 8);
    if (b.length != entriesEnd + 10 + TIMING_LENGTH * m) throw new CorruptEventException("length " + b.length + " does not match " + m + " polls' timing");
    int[] polls = new int[m];
    long[] oldest = new long[m];
    for (int i = 0, at = entriesEnd + 10; i < m; i++, at += TIMING_LENGTH) {
      polls[i] = VoteEventDescriptor.getInt(b, at);
      oldest[i] = VoteEventDescriptor.getLong(b, at + 4);
      if (polls[i] <= 0 || oldest[i] < 0) throw new CorruptEventException("bad timing entry " + i);
    }
    return new Message(out, commitId, polls, oldest);
  }
}
