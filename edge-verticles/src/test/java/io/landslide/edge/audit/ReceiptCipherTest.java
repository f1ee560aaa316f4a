package io.landslide.edge.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.Receipt;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReceiptCipherTest {
  private static final byte[] OLD = Base64.getDecoder().decode(AuditConfig.DEV_RECEIPT_KEY);
  private static final byte[] NEW = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  @Test
  @DisplayName("A receipt opens to its voter, is fresh every time, and looks random (no visible voter index)")
  void shouldOpenToItsVoter() {
    ReceiptCipher c = new ReceiptCipher(List.of(OLD));
    Set<Receipt> seen = new HashSet<>();
    for (long user : new long[] {1, 2, 77, 4_294_967_295L}) {
      for (int i = 0; i < 100; i++) {
        Receipt r = c.issue(user);
        assertThat(seen.add(r)).as("fresh").isTrue();
        assertThat(c.voters(r)).containsExactly(user);
        assertThat(r.toString()).doesNotContain(Long.toHexString(user).length() > 4 ? Long.toHexString(user) : "ffffffffffff");
      }
    }
    // The same voter's receipts share no visible prefix: the index is inside one AES block with 96 random bits.
    Set<Long> firstBytes = new HashSet<>();
    for (int i = 0; i < 64; i++) firstBytes.add(c.issue(42).hi() >>> 56);
    assertThat(firstBytes.size()).isGreaterThan(32);
  }

  @Test
  @DisplayName("Rotation: the new key issues, the old one still opens its receipts; a made-up receipt opens to no voter of its own")
  void shouldOpenReceiptsOfEveryKey() {
    Receipt before = new ReceiptCipher(List.of(OLD)).issue(1234);
    ReceiptCipher rotated = new ReceiptCipher(List.of(NEW, OLD));
    Receipt after = rotated.issue(1234);
    assertThat(rotated.voters(before)[1]).isEqualTo(1234);
    assertThat(rotated.voters(after)[0]).isEqualTo(1234);
    assertThat(new ReceiptCipher(List.of(OLD)).voters(after)[0]).isNotEqualTo(1234);
  }
}
