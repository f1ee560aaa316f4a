package io.landslide.codec.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tree against RFC 6962/9162's reference vectors and against the RFC's recursive definitions, written out plainly
 * here: the root of every size, every inclusion proof and every consistency proof up to 70 leaves, and every tampered
 * proof refused.
 */
class MerkleTreeTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final MessageDigest SHA = TreeHash.sha256();
  /** The leaves of RFC 6962's reference test vectors (certificate-transparency's), and their roots for sizes 1 to 8. */
  private static final String[] LEAVES = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
  private static final String[] ROOTS = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

  @Test
  @DisplayName("the reference vectors: the empty tree, and the roots of 1 to 8 leaves")
  void shouldMatchTheReferenceRoots() {
    Frontier f = new Frontier();
    assertThat(HEX.formatHex(f.root(SHA))).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    for (int i = 0; i < LEAVES.length; i++) {
      f.append(SHA, TreeHash.leaf(SHA, HEX.parseHex(LEAVES[i])));
      assertThat(HEX.formatHex(f.root(SHA))).as("root of %d leaves", i + 1).isEqualTo(ROOTS[i]);
    }
  }

  @Test
  @DisplayName("the frontier's root equals the RFC's MTH for every size to 300, also when reloaded from its stored roots")
  void shouldComputeTheRootOfEverySize() {
    List<byte[]> leaves = leafHashes(300);
    Frontier f = new Frontier();
    for (int n = 1; n <= 300; n++) {
      f.append(SHA, leaves.get(n - 1));
      byte[] expected = mth(leaves.subList(0, n));
      assertThat(f.root(SHA)).as("size %d", n).isEqualTo(expected);
      assertThat(new Frontier(f.size(), f.roots()).root(SHA)).as("reloaded at size %d", n).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("every perfect subtree an append completes is reported, with its level, index and hash")
  void shouldReportEveryCompletedSubtree() {
    List<byte[]> leaves = leafHashes(77);
    Map<String, byte[]> seen = new HashMap<>();
    Frontier f = new Frontier();
    for (byte[] leaf : leaves) f.append(SHA, leaf, 0, (level, index, buf, off) -> seen.put(level + "/" + index, java.util.Arrays.copyOfRange(buf, off, off + 32)));
    int expected = 0;
    for (int level = 0; (1L << level) <= 77; level++) {
      long width = 1L << level;
      for (long index = 0; (index + 1) * width <= 77; index++) {
        expected++;
        assertThat(seen.get(level + "/" + index)).as("subtree %d/%d", level, index)
          .isEqualTo(mth(leaves.subList((int) (index * width), (int) ((index + 1) * width))));
      }
    }
    assertThat(seen).hasSize(expected);
  }

  @Test
  @DisplayName("every inclusion proof to 70 leaves equals the RFC's PATH and verifies; a wrong leaf, index, size, root or hash does not")
  void shouldProveAndVerifyInclusion() throws Exception {
    List<byte[]> leaves = leafHashes(70);
    Proofs.HashReader reader = reader(leaves);
    for (int n = 1; n <= 70; n++) {
      byte[] root = mth(leaves.subList(0, n));
      for (int m = 0; m < n; m++) {
        List<byte[]> proof = Proofs.inclusion(reader, SHA, m, n);
        assertThat(proof).as("PATH(%d, %d)", m, n).containsExactlyElementsOf(path(m, leaves.subList(0, n)));
        Proofs.verifyInclusion(SHA, m, n, leaves.get(m), proof, root);
        int mm = m;
        int nn = n;
        assertThatThrownBy(() -> Proofs.verifyInclusion(SHA, mm, nn, leaves.get((mm + 1) % 70), proof, root)).isInstanceOf(Proofs.ProofException.class);
        if (n > 1) {
          assertThatThrownBy(() -> Proofs.verifyInclusion(SHA, (mm + 1) % nn, nn, leaves.get(mm), proof, root)).isInstanceOf(Proofs.ProofException.class);
          assertThatThrownBy(() -> Proofs.verifyInclusion(SHA, mm, nn, leaves.get(mm), proof, mth(leaves.subList(0, nn - 1))))
            .isInstanceOf(Proofs.ProofException.class);
          for (int i = 0; i < proof.size(); i++) {
            List<byte[]> bad = new ArrayList<>(proof);
            byte[] flipped = bad.get(i).clone();
            flipped[7] ^= 1;
            bad.set(i, flipped);
            assertThatThrownBy(() -> Proofs.verifyInclusion(SHA, mm, nn, leaves.get(mm), bad, root)).isInstanceOf(Proofs.ProofException.class);
          }
          List<byte[]> shorter = proof.subList(0, proof.size() - 1);
          assertThatThrownBy(() -> Proofs.verifyInclusion(SHA, mm, nn, leaves.get(mm), shorter, root)).isInstanceOf(Proofs.ProofException.class);
        }
        assertThatThrownBy(() -> Proofs.verifyInclusion(SHA, mm, mm, leaves.get(mm), proof, root))
          .isInstanceOf(Proofs.ProofException.class).hasMessageContaining("not below the tree size");
      }
    }
  }

  @Test
  @DisplayName("every consistency proof to 70 leaves equals the RFC's PROOF and verifies; another tree's roots or a changed hash do not")
  void shouldProveAndVerifyConsistency() throws Exception {
    List<byte[]> leaves = leafHashes(70);
    List<byte[]> forged = new ArrayList<>(leaves);
    forged.set(3, TreeHash.leaf(SHA, new byte[] {42}));
    Proofs.HashReader reader = reader(leaves);
    for (int n = 1; n <= 70; n++) {
      byte[] second = mth(leaves.subList(0, n));
      for (int m = 1; m <= n; m++) {
        byte[] first = mth(leaves.subList(0, m));
        List<byte[]> proof = Proofs.consistency(reader, SHA, m, n);
        assertThat(proof).as("PROOF(%d, %d)", m, n).containsExactlyElementsOf(proof(m, leaves.subList(0, n)));
        Proofs.verifyConsistency(SHA, m, n, proof, first, second);
        if (m == n) continue;
        int mm = m;
        int nn = n;
        if (m > 3) {
          byte[] forgedFirst = mth(forged.subList(0, m));
          assertThatThrownBy(() -> Proofs.verifyConsistency(SHA, mm, nn, proof, forgedFirst, second))
            .as("a first tree with another leaf 3").isInstanceOf(Proofs.ProofException.class);
        }
        if (n > 3) {
          byte[] otherSecond = mth(forged.subList(0, n));
          assertThatThrownBy(() -> Proofs.verifyConsistency(SHA, mm, nn, proof, first, otherSecond))
            .as("a second tree with another leaf 3").isInstanceOf(Proofs.ProofException.class);
        }
        for (int i = 0; i < proof.size(); i++) {
          List<byte[]> bad = new ArrayList<>(proof);
          byte[] flipped = bad.get(i).clone();
          flipped[0] ^= (byte) 0x80;
          bad.set(i, flipped);
          assertThatThrownBy(() -> Proofs.verifyConsistency(SHA, mm, nn, bad, first, second)).isInstanceOf(Proofs.ProofException.class);
        }
      }
    }
    Proofs.verifyConsistency(SHA, 0, 5, List.of(), TreeHash.empty(SHA), mth(leaves.subList(0, 5)));
    assertThatThrownBy(() -> Proofs.verifyConsistency(SHA, 4, 4, List.of(), mth(leaves.subList(0, 4)), mth(forged.subList(0, 4))))
      .hasMessageContaining("two different roots");
    assertThatThrownBy(() -> Proofs.verifyConsistency(SHA, 5, 4, List.of(), leaves.get(0), leaves.get(0))).hasMessageContaining("smaller");
  }

  @Test
  void shouldRefuseAFrontierThatDoesNotFitItsSize() {
    assertThatThrownBy(() -> new Frontier(3, List.of(new byte[32]))).hasMessageContaining("1 roots for a size of 3");
    assertThatThrownBy(() -> new Frontier(1, List.of(new byte[31]))).hasMessageContaining("31 bytes");
  }

  // ---- the RFC's definitions, plainly (section 2.1.1, 2.1.3.1, 2.1.4.1) ------------------------------------------

  static List<byte[]> leafHashes(int n) {
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(TreeHash.leaf(SHA, ("entry " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return out;
  }

  static byte[] mth(List<byte[]> d) {
    if (d.isEmpty()) return TreeHash.empty(SHA);
    if (d.size() == 1) return d.get(0);
    int k = Integer.highestOneBit(d.size() - 1);
    return TreeHash.node(SHA, mth(d.subList(0, k)), mth(d.subList(k, d.size())));
  }

  static List<byte[]> path(int m, List<byte[]> d) {
    List<byte[]> out = new ArrayList<>();
    if (d.size() == 1) return out;
    int k = Integer.highestOneBit(d.size() - 1);
    if (m < k) {
      out.addAll(path(m, d.subList(0, k)));
      out.add(mth(d.subList(k, d.size())));
    } else {
      out.addAll(path(m - k, d.subList(k, d.size())));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  static List<byte[]> proof(int m, List<byte[]> d) {
    return subproof(m, d, true);
  }

  static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
    List<byte[]> out = new ArrayList<>();
    int n = d.size();
    if (m == n) {
      if (!b) out.add(mth(d));
      return out;
    }
    int k = Integer.highestOneBit(n - 1);
    if (m <= k) {
      out.addAll(subproof(m, d.subList(0, k), b));
      out.add(mth(d.subList(k, n)));
    } else {
      out.addAll(subproof(m - k, d.subList(k, n), false));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  /** The perfect subtrees' hashes of a tree, as tiles would serve them. */
  static Proofs.HashReader reader(List<byte[]> leaves) {
    return (level, index) -> {
      int width = 1 << level;
      return mth(leaves.subList((int) index * width, (int) (index + 1) * width));
    };
  }
}
