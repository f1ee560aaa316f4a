package io.landslide.codec.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.codec.Receipt;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Signed notes (against the published vectors), checkpoints, tile paths and the entry layout. */
class FormatsTest {
  private static final MessageDigest SHA = TreeHash.sha256();
  /** Go's sumdb note package's example key, text and signature (golang.org/x/mod, sumdb/note). */
  private static final String PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  private static final String PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  private static final String PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  private static final String PETER_NOTE = PETER_TEXT
    + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  /** C2SP signed-note's own example. */
  private static final String SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
  private static final String SPEC_NOTE = "This is an example message.\n\n\u2014 example.com/foo "
    + "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

  @Test
  @DisplayName("signed-note: the published signer key derives its verifier key and signs the published note byte for byte")
  void shouldReproduceThePublishedNote() throws Exception {
    SignedNote.Signer peter = SignedNote.Signer.parse(PETER_SKEY);
    assertThat(peter.verifier().text()).isEqualTo(PETER_VKEY);
    assertThat(peter.secretText()).isEqualTo(PETER_SKEY);
    assertThat(peter.toString()).doesNotContain("AYEKFALV");
    assertThat(SignedNote.sign(PETER_TEXT, peter)).isEqualTo(PETER_NOTE);
    assertThat(SignedNote.open(PETER_NOTE, List.of(SignedNote.Verifier.parse(PETER_VKEY)))).isEqualTo(PETER_TEXT);
    assertThat(SignedNote.open(SPEC_NOTE, List.of(SignedNote.Verifier.parse(SPEC_VKEY)))).isEqualTo("This is an example message.\n");
  }

  @Test
  @DisplayName("signed-note: a changed text, a changed signature, an untrusted key or a malformed note does not open, and says why")
  void shouldRefuseWhatWasNotSigned() {
    List<SignedNote.Verifier> peter = List.of(SignedNote.Verifier.parse(PETER_VKEY));
    assertThatThrownBy(() -> SignedNote.open(PETER_NOTE.replace("problem,", "problem;"), peter)).hasMessageContaining("does not verify");
    assertThatThrownBy(() -> SignedNote.open(PETER_NOTE.replace("x08go", "x08gp"), peter)).isInstanceOf(SignedNote.NoteException.class);
    assertThatThrownBy(() -> SignedNote.open(PETER_NOTE, List.of(SignedNote.Verifier.parse(SPEC_VKEY))))
      .hasMessageContaining("no signature by a trusted key").hasMessageContaining("PeterNeumann+c74f20a3");
    assertThatThrownBy(() -> SignedNote.open(PETER_TEXT, peter)).hasMessageContaining("no blank line");
    assertThatThrownBy(() -> SignedNote.open(PETER_NOTE.replace("\u2014", "-"), peter)).hasMessageContaining("em dash");
    // The same signature bytes spelled another way (the unused bits of the last base64 character): refused, so no
    // byte of a note can change and the note still open.
    String sig = PETER_NOTE.substring(PETER_NOTE.lastIndexOf(' ') + 1, PETER_NOTE.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int last = sig.indexOf('=') - 1;
    String respelled = sig.substring(0, last) + alphabet.charAt(alphabet.indexOf(sig.charAt(last)) ^ 1) + sig.substring(last + 1);
    assertThat(java.util.Base64.getDecoder().decode(respelled)).isEqualTo(java.util.Base64.getDecoder().decode(sig));
    assertThatThrownBy(() -> SignedNote.open(PETER_NOTE.replace(sig, respelled), peter)).hasMessageContaining("canonical base64");
    // Another key's signature beside a valid one is skipped; the valid one opens the note.
    String cosigned = SignedNote.sign(PETER_TEXT, SignedNote.Signer.parse(PETER_SKEY), SignedNote.Signer.generate("witness.example"));
    assertThat(cosigned).startsWith(PETER_NOTE);
    org.assertj.core.api.Assertions.assertThatCode(() -> SignedNote.open(cosigned, peter)).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "not a verifier key: {0}")
  @ValueSource(strings = {"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    "PeterNeumann+c74f20a3+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "PeterNeumann+c74f20a3", "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10"})
  void shouldRefuseABadVerifierKey(String vkey) {
    assertThatThrownBy(() -> SignedNote.Verifier.parse(vkey)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a new key signs and opens; its secret form parses back to the same key")
  void shouldGenerateKeys() throws Exception {
    SignedNote.Signer s = SignedNote.Signer.generate("vote.example.com/log");
    SignedNote.Signer again = SignedNote.Signer.parse(s.secretText());
    assertThat(again.verifier().text()).isEqualTo(s.verifier().text());
    String note = SignedNote.sign("a\nb\n", s);
    assertThat(SignedNote.open(note, List.of(SignedNote.Verifier.parse(again.verifier().text())))).isEqualTo("a\nb\n");
  }

  @Test
  @DisplayName("tlog-checkpoint: the body's three lines and extensions, in their one spelling")
  void shouldWriteAndReadCheckpoints() {
    byte[] root = TreeHash.empty(SHA);
    Checkpoint c = new Checkpoint("vote.example.com/log/poll/42", 20852163, root, List.of("final"));
    assertThat(c.text()).isEqualTo("vote.example.com/log/poll/42\n20852163\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nfinal\n");
    assertThat(Checkpoint.parse(c.text())).isEqualTo(c);
    assertThatThrownBy(() -> Checkpoint.parse("o\n012\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")).hasMessageContaining("not a tree size");
    assertThatThrownBy(() -> Checkpoint.parse("o\n12\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n")).hasMessageContaining("base64");
    assertThatThrownBy(() -> Checkpoint.parse("o\n12\n")).hasMessageContaining("origin, a size and a root");
  }

  @Test
  @DisplayName("tlog-tiles paths: the spec's index groups, partial widths, entry bundles; other spellings refused")
  void shouldWriteAndReadTilePaths() {
    assertThat(new TilePath(1, 1_234_067, 256).path()).isEqualTo("tile/1/x001/x234/067");
    assertThat(new TilePath(0, 5, 7).path()).isEqualTo("tile/0/005.p/7");
    assertThat(new TilePath(TilePath.ENTRIES, 1000, 256).path()).isEqualTo("tile/entries/x001/000");
    assertThat(TilePath.parse("tile/1/x001/x234/067")).isEqualTo(new TilePath(1, 1_234_067, 256));
    assertThat(TilePath.parse("tile/entries/000.p/255")).isEqualTo(new TilePath(TilePath.ENTRIES, 0, 255));
    for (String bad : List.of("tile/1/1234067", "tile/1/x000/123", "tile/01/000", "tile/0/000.p/256", "tile/0/000.p/0", "tile/0/000.p/07",
      "tile/64/000", "tile/0/x1/000", "tile/0/000/", "../tile/0/000", "tile/entries/x001")) {
      assertThatThrownBy(() -> TilePath.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  @DisplayName("the entry: 38 bytes, the receipt only as a commitment, bound to its poll")
  void shouldLayOutEntries() {
    Receipt r = Receipt.parse("00112233445566778899aabbccddeeff");
    VoteEntry e = VoteEntry.of(SHA, 42, 3, r);
    byte[] bytes = e.bytes();
    assertThat(bytes).hasSize(VoteEntry.SIZE);
    assertThat(java.util.HexFormat.of().formatHex(bytes, 0, 6)).isEqualTo("010000002a03");
    assertThat(VoteEntry.parse(bytes)).isEqualTo(e);
    assertThat(java.util.HexFormat.of().formatHex(bytes)).doesNotContain("00112233445566778899aabbccddeeff");
    assertThat(VoteEntry.commitment(SHA, 43, r)).isNotEqualTo(e.commitment());
    byte[] wrongVersion = bytes.clone();
    wrongVersion[0] = 2;
    assertThatThrownBy(() -> VoteEntry.parse(wrongVersion)).hasMessageContaining("version");
    assertThatThrownBy(() -> VoteEntry.parse(new byte[37])).hasMessageContaining("38 bytes");
    assertThatThrownBy(() -> new VoteEntry(42, 32, new byte[32])).hasMessageContaining("option");
  }
}
