package io.landslide.writer.store;

import io.landslide.codec.VoteEvent;
import io.landslide.codec.VoteEventDescriptor;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Encodes votes as PostgreSQL {@code COPY} text rows straight into one reusable byte buffer: no strings,
 * no per-row objects. Every field is a number, hex, a timestamp or an address, so nothing needs escaping.
 * Column order: {@link #COLUMNS}.
 */
final class CopyEncoder {
  static final String COLUMNS = "poll_id, user_id, option_id, receipt, accepted_at, client_addr, bot_score, kafka_partition, kafka_offset";
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] NULL = {'\\', 'N'};

  private byte[] buf = new byte[64 * 1024];
  private int len;
  private int rows;

  void reset() {
    len = 0;
    rows = 0;
  }

  byte[] bytes() {
    return buf;
  }

  int length() {
    return len;
  }

  int rows() {
    return rows;
  }

  /**
   * A row from a checked event's bytes ({@code VoteEventDescriptor.check}), allocating nothing (an IPv6 address
   * aside).
   */
  void row(byte[] e, int partition, long offset) {
    ensure(256);
    num(VoteEventDescriptor.pollId(e));
    tab();
    num(VoteEventDescriptor.userId(e));
    tab();
    num(VoteEventDescriptor.option(e));
    tab();
    hex(VoteEventDescriptor.receiptHi(e));
    hex(VoteEventDescriptor.receiptLo(e));
    tab();
    timestamp(VoteEventDescriptor.acceptedAt(e));
    tab();
    address(e, VoteEventDescriptor.addressOffset(e), VoteEventDescriptor.addressLength(e));
    tab();
    num(VoteEventDescriptor.botScore(e));
    tab();
    num(partition);
    tab();
    num(offset);
    buf[len++] = '\n';
    rows++;
  }

  /** A row from an event (its encoding: the same path as the batch's). */
  void row(VoteEvent v, int partition, long offset) {
    row(VoteEventDescriptor.encode(v), partition, offset);
  }

  private void tab() {
    buf[len++] = '\t';
  }

  private void ensure(int more) {
    if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
  }

  void num(long v) {
    if (v < 0) {
      buf[len++] = '-';
      v = -v;
    }
    if (v == 0) {
      buf[len++] = '0';
      return;
    }
    int start = len;
    while (v > 0) {
      buf[len++] = (byte) ('0' + v % 10);
      v /= 10;
    }
    for (int i = start, j = len - 1; i < j; i++, j--) {
      byte t = buf[i];
      buf[i] = buf[j];
      buf[j] = t;
    }
  }

  private void fixed(long v, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      buf[len + i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += digits;
  }

  private void hex(long v) {
    for (int i = 15; i >= 0; i--) {
      buf[len + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
    len += 16;
  }

  /** {@code YYYY-MM-DD HH:MM:SS.mmm+00} from epoch milliseconds (civil-from-days, proleptic Gregorian). */
  void timestamp(long epochMillis) {
    long days = Math.floorDiv(epochMillis, 86_400_000L);
    long msOfDay = Math.floorMod(epochMillis, 86_400_000L);
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    fixed(y, 4);
    buf[len++] = '-';
    fixed(m, 2);
    buf[len++] = '-';
    fixed(d, 2);
    buf[len++] = ' ';
    fixed(msOfDay / 3_600_000, 2);
    buf[len++] = ':';
    fixed(msOfDay / 60_000 % 60, 2);
    buf[len++] = ':';
    fixed(msOfDay / 1000 % 60, 2);
    buf[len++] = '.';
    fixed(msOfDay % 1000, 3);
    buf[len++] = '+';
    buf[len++] = '0';
    buf[len++] = '0';
  }

  private void address(byte[] e, int at, int n) {
    if (n == 4) {
      for (int i = 0; i < 4; i++) {
        if (i > 0) buf[len++] = '.';
        num(e[at + i] & 0xFF);
      }
    } else {
      address(Arrays.copyOfRange(e, at, at + n)); // IPv6 (rare enough to allocate) or none
    }
  }

  private void address(byte[] a) {
    if (a.length == 4) {
      for (int i = 0; i < 4; i++) {
        if (i > 0) buf[len++] = '.';
        num(a[i] & 0xFF);
      }
    } else if (a.length == 16) {
      try {
        String s = InetAddress.getByAddress(a).getHostAddress(); // rare enough to allocate
        for (int i = 0; i < s.length(); i++) buf[len++] = (byte) s.charAt(i);
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    } else {
      buf[len++] = NULL[0];
      buf[len++] = NULL[1];
    }
  }
}
