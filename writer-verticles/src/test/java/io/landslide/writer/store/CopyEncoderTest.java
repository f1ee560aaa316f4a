package io.landslide.writer.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.Receipt;
import io.landslide.codec.VoteEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CopyEncoderTest {
  private static final DateTimeFormatter PG = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS'+00'").withZone(ZoneOffset.UTC);

  private static String encode(VoteEvent v, int partition, long offset) {
    CopyEncoder e = new CopyEncoder();
    e.row(v, partition, offset);
    return new String(e.bytes(), 0, e.length(), StandardCharsets.US_ASCII);
  }

  @Test
  void shouldEncodeARowInColumnOrder() {
    VoteEvent v = new VoteEvent(7, 4_294_967_295L, 31, 1_763_726_400_123L, new Receipt(0x0123456789abcdefL, -1L), new byte[] {(byte) 192, (byte) 168, 0, 1}, 5);
    assertThat(encode(v, 3, 12_345_678_901L))
      .isEqualTo("7\t4294967295\t31\t0123456789abcdefffffffffffffffff\t2025-11-21 12:00:00.123+00\t192.168.0.1\t5\t3\t12345678901\n");
  }

  @Test
  void shouldEncodeMissingAndIpv6Addresses() {
    Receipt r = new Receipt(1, 2);
    assertThat(encode(new VoteEvent(1, 1, 0, 0, r, new byte[0], 0), 0, 0)).contains("\t\\N\t");
    byte[] v6 = new byte[16];
    v6[0] = 0x20;
    v6[1] = 0x01;
    v6[15] = 1;
    assertThat(encode(new VoteEvent(1, 1, 0, 0, r, v6, 0), 0, 0)).contains("\t2001:0:0:0:0:0:0:1\t");
  }

  @Test
  void shouldFormatTimestampsLikeJavaTime() {
    Random rnd = new Random(42);
    CopyEncoder e = new CopyEncoder();
    for (int i = 0; i < 100_000; i++) {
      long ms = (long) (rnd.nextDouble() * 8_000_000_000_000L) - 1_000_000_000_000L; // 1938 .. 2223
      e.reset();
      e.timestamp(ms);
      assertThat(new String(e.bytes(), 0, e.length(), StandardCharsets.US_ASCII)).as("%d", ms).isEqualTo(PG.format(Instant.ofEpochMilli(ms)));
    }
  }

  @Test
  void shouldGrowPastItsFirstBuffer() {
    CopyEncoder e = new CopyEncoder();
    VoteEvent v = new VoteEvent(1, 1, 0, 0, new Receipt(1, 2), new byte[4], 0);
    for (int i = 0; i < 10_000; i++) e.row(v, 0, i);
    assertThat(e.rows()).isEqualTo(10_000);
    assertThat(new String(e.bytes(), 0, e.length(), StandardCharsets.US_ASCII).split("\n")).hasSize(10_000);
  }
}
