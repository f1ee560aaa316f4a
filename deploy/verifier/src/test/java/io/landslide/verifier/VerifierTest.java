package io.landslide.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.Receipt;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier on a bundle of 100,000 votes made here as the writer and the export will make them ({@link TestLog}):
 * it verifies and recounts, and every change to an entry, a count, a checkpoint or the file set fails it with a message
 * naming what. A change is made the way an attacker would: the manifest rewritten after it, so the cryptographic
 * checks must catch it on their own.
 */
class VerifierTest {
  static final int VOTES = 100_000;
  static final int POLL = 42;
  static final String ORIGIN = "vote.example.com/log/poll/42";
  static final long[] CHECKPOINT_SIZES = {1, 1_000, 65_536, 99_999, VOTES};
  static final MessageDigest SHA = TreeHash.sha256();
  static TestLog log;
  static SignedNote.Signer key;
  static List<Receipt> receipts;
  static byte[] entries;
  static long[] counts;

  @BeforeAll
  static void votes() {
    key = SignedNote.Signer.generate(ORIGIN);
    log = TestLog.of(VOTES, POLL, 4, key, ORIGIN);
    receipts = log.receipts;
    entries = log.entries;
    counts = log.counts;
  }

  @Test
  @DisplayName("100,000 votes: the recount equals the signed result; every checkpoint is a prefix; a kept receipt is proved included")
  void shouldVerifyABundle(@TempDir Path dir) throws Exception {
    log.bundle(dir, CHECKPOINT_SIZES);
    Verifier.Report report = new Verifier().verify(dir, receipts.get(77_777));
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.toString())
      .contains("entries: 100000 well-formed entries of poll 42")
      .contains("checkpoints: 5 signed states, each a prefix of the same log (consistent)")
      .contains("recount: option 0: " + counts[0] + ", option 1: " + counts[1] + ", option 2: " + counts[2] + ", option 3: " + counts[3])
      .contains("receipt " + receipts.get(77_777) + ": entry 77777")
      .endsWith("VERIFIED\n");
  }

  @Test
  @DisplayName("a made-up receipt is not found")
  void shouldNotFindAMadeUpReceipt(@TempDir Path dir) throws Exception {
    log.bundle(dir, CHECKPOINT_SIZES);
    Receipt madeUp = Receipt.parse("0123456789abcdef0123456789abcdef");
    Verifier.Report report = new Verifier().verify(dir, madeUp);
    assertThat(report.passed()).isFalse();
    assertThat(report.toString()).contains("FAIL  receipt " + madeUp + ": no entry of poll 42 commits to it");
  }

  @Test
  @DisplayName("an entry changed (another option) after signing: the checkpoints after it and the recount fail")
  void shouldCatchAChangedEntry(@TempDir Path dir) throws Exception {
    log.bundle(dir, CHECKPOINT_SIZES);
    byte[] changed = entries.clone();
    int at = 50_000 * VoteEntry.SIZE + 5;
    changed[at] = (byte) ((changed[at] + 1) % 4);
    tamper(dir, Bundle.ENTRIES, changed);
    String report = failed(dir);
    assertThat(report).contains("ok    checkpoint 1000: signed")
      .contains("FAIL  checkpoint 65536: its root is not the root of the first 65536 entries")
      .contains("FAIL  result: its root is not the root of the entries")
      .contains("FAIL  recount: the entries count");
  }

  @Test
  @DisplayName("an entry dropped, or one added: sizes and roots fail")
  void shouldCatchADroppedOrAddedEntry(@TempDir Path dir) throws Exception {
    log.bundle(dir, CHECKPOINT_SIZES);
    byte[] dropped = new byte[entries.length - VoteEntry.SIZE];
    System.arraycopy(entries, 0, dropped, 0, 10 * VoteEntry.SIZE);
    System.arraycopy(entries, 11 * VoteEntry.SIZE, dropped, 10 * VoteEntry.SIZE, entries.length - 11 * VoteEntry.SIZE);
    tamper(dir, Bundle.ENTRIES, dropped);
    assertThat(failed(dir)).contains("FAIL  checkpoint 1000: its root is not the root")
      .contains("FAIL  checkpoint 100000: signs 100000 entries, the bundle holds 99999 (entries dropped?)")
      .contains("FAIL  result: it counts 100000 votes, the bundle holds 99999 entries");

    byte[] added = Arrays.copyOf(entries, entries.length + VoteEntry.SIZE);
    System.arraycopy(VoteEntry.of(SHA, POLL, 1, Receipt.random()).bytes(), 0, added, entries.length, VoteEntry.SIZE);
    tamper(dir, Bundle.ENTRIES, added);
    assertThat(failed(dir)).contains("ok    checkpoint 100000: signed")
      .contains("FAIL  result: it counts 100000 votes, the bundle holds 100001 entries");
  }

  @Test
  @DisplayName("a count changed in the result: its signature fails; re-signed by another key: not the log's")
  void shouldCatchAChangedCount(@TempDir Path dir) throws Exception {
    log.bundle(dir, CHECKPOINT_SIZES);
    String result = Files.readString(dir.resolve(Bundle.RESULT));
    String forged = result.replace("\n0 " + counts[0] + "\n", "\n0 " + (counts[0] + 1) + "\n");
    assertThat(forged).isNotEqualTo(result);
    tamper(dir, Bundle.RESULT, forged.getBytes(StandardCharsets.UTF_8));
    assertThat(failed(dir)).contains("FAIL  result: the signature of " + ORIGIN).contains("does not verify");

    long[] more = counts.clone();
    more[0]++;
    SignedNote.Signer other = SignedNote.Signer.generate(ORIGIN);
    tamper(dir, Bundle.RESULT, SignedNote.sign(TestLog.resultText(ORIGIN, VOTES, log.root(VOTES), more), other).getBytes(StandardCharsets.UTF_8));
    assertThat(failed(dir)).contains("FAIL  result: no signature by a trusted key");
  }

  @Test
  @DisplayName("any byte of a checkpoint changed, the unused bits of its signature's last base64 character too: that checkpoint fails, saying why")
  void shouldCatchEveryCheckpointByte(@TempDir Path dir) throws Exception {
    log.bundle(dir, CHECKPOINT_SIZES);
    Path file = dir.resolve(Bundle.CHECKPOINTS).resolve("1000");
    byte[] original = Files.readAllBytes(file);
    for (int i = 0; i < original.length; i++) {
      byte[] changed = original.clone();
      changed[i] ^= 0x01;
      tamper(dir, Bundle.CHECKPOINTS + "/1000", changed);
      Verifier.Report report = new Verifier().verify(dir, null);
      assertThat(report.passed()).as("byte %d changed", i).isFalse();
      assertThat(report.toString()).as("byte %d changed", i).contains("FAIL  checkpoint 1000");
    }
  }

  @Test
  @DisplayName("the manifest: a file changed without it, or one missing, is named")
  void shouldCheckTheManifest(@TempDir Path dir) throws Exception {
    log.bundle(dir, CHECKPOINT_SIZES);
    Files.delete(dir.resolve(Bundle.CHECKPOINTS).resolve("99999"));
    Verifier.Report report = new Verifier().verify(dir, null);
    assertThat(report.passed()).isFalse();
    assertThat(report.toString()).contains("FAIL  manifest: checkpoints/99999 is listed but missing");
  }

  // ---- changing a bundle, as an attacker would ----------------------------------------------------------------

  /** Changes a file and rewrites the manifest to match, as an attacker would. */
  static void tamper(Path dir, String file, byte[] content) throws Exception {
    Files.write(dir.resolve(file), content);
    Bundle.writeManifest(dir);
  }

  static String failed(Path dir) throws Exception {
    Verifier.Report report = new Verifier().verify(dir, null);
    assertThat(report.passed()).as(report.toString()).isFalse();
    return report.toString();
  }
}
