package io.landslide.codec.tlog;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Inclusion and consistency proofs of RFC 9162, section 2.1.3 and 2.1.4: made from the hashes of a tree's perfect
 * subtrees ({@link HashReader}: what tiles hold), and verified with nothing but the proof, the sizes and the roots.
 * Verification follows the RFC's algorithms step by step; a proof that fails says why.
 */
public final class Proofs {
  /** Reads the hash of a perfect subtree of a tree. */
  @FunctionalInterface
  public interface HashReader {
    /**
     * @param level the subtree's height (0: a leaf hash)
     * @param index its index among the subtrees of that height
     * @return its hash
     */
    byte[] hash(int level, long index);
  }

  /** A proof that does not hold, and why. */
  public static final class ProofException extends Exception {
    ProofException(String message) {
      super(message);
    }
  }

  private Proofs() {
  }

  /**
   * @param sha    a digest
   * @param leaves a whole tree's leaf hashes
   * @return its perfect subtrees' hashes, computed level by level once and kept in memory (a verifier holding every
   *     entry, a benchmark); a log serves them from tiles instead
   */
  public static HashReader inMemory(MessageDigest sha, List<byte[]> leaves) {
    List<byte[][]> levels = new ArrayList<>();
    byte[][] level = leaves.toArray(new byte[0][]);
    levels.add(level);
    while (level.length > 1) {
      byte[][] up = new byte[level.length / 2][];
      for (int i = 0; i < up.length; i++) up[i] = TreeHash.node(sha, level[2 * i], level[2 * i + 1]);
      levels.add(up);
      level = up;
    }
    return (height, index) -> levels.get(height)[(int) index];
  }

  /**
   * @param reader the tree's subtree hashes
   * @param sha    a digest
   * @param lo     the first leaf
   * @param hi     one past the last leaf
   * @return RFC 9162's MTH of the leaves {@code [lo, hi)}, where {@code lo} is where the RFC's recursion puts it
   */
  static byte[] rangeHash(HashReader reader, MessageDigest sha, long lo, long hi) {
    long n = hi - lo;
    if (n <= 0) throw new IllegalArgumentException("an empty range");
    if (Long.bitCount(n) == 1 && lo % n == 0) return reader.hash(Long.numberOfTrailingZeros(n), lo / n);
    long k = largestPowerOfTwoBelow(n);
    return TreeHash.node(sha, rangeHash(reader, sha, lo, lo + k), rangeHash(reader, sha, lo + k, hi));
  }

  /**
   * @param reader   the tree's subtree hashes
   * @param sha      a digest
   * @param index    the leaf
   * @param treeSize the tree's size
   * @return RFC 9162's PATH(index, D[treeSize]): the sibling hashes from the leaf up
   */
  public static List<byte[]> inclusion(HashReader reader, MessageDigest sha, long index, long treeSize) {
    if (index < 0 || index >= treeSize) throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + treeSize);
    List<byte[]> proof = new ArrayList<>();
    path(reader, sha, index, 0, treeSize, proof);
    return proof;
  }

  private static void path(HashReader reader, MessageDigest sha, long m, long lo, long hi, List<byte[]> out) {
    long n = hi - lo;
    if (n == 1) return;
    long k = largestPowerOfTwoBelow(n);
    if (m < k) {
      path(reader, sha, m, lo, lo + k, out);
      out.add(rangeHash(reader, sha, lo + k, hi));
    } else {
      path(reader, sha, m - k, lo + k, hi, out);
      out.add(rangeHash(reader, sha, lo, lo + k));
    }
  }

  /**
   * @param reader the larger tree's subtree hashes
   * @param sha    a digest
   * @param first  the smaller size, at least 1
   * @param second the larger size
   * @return RFC 9162's PROOF(first, D[second])
   */
  public static List<byte[]> consistency(HashReader reader, MessageDigest sha, long first, long second) {
    if (first < 1 || first > second) throw new IllegalArgumentException("no consistency proof from " + first + " to " + second);
    List<byte[]> proof = new ArrayList<>();
    subproof(reader, sha, first, 0, second, true, proof);
    return proof;
  }

  private static void subproof(HashReader reader, MessageDigest sha, long m, long lo, long hi, boolean whole, List<byte[]> out) {
    long n = hi - lo;
    if (m == n) {
      if (!whole) out.add(rangeHash(reader, sha, lo, hi));
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(reader, sha, m, lo, lo + k, whole, out);
      out.add(rangeHash(reader, sha, lo + k, hi));
    } else {
      subproof(reader, sha, m - k, lo + k, hi, false, out);
      out.add(rangeHash(reader, sha, lo, lo + k));
    }
  }

  /**
   * RFC 9162, 2.1.3.2.
   *
   * @throws ProofException when the leaf is not at that index in the tree of that root
   */
  public static void verifyInclusion(MessageDigest sha, long index, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] root)
    throws ProofException {
    if (index < 0 || index >= treeSize) throw new ProofException("leaf index " + index + " is not below the tree size " + treeSize);
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) throw new ProofException("the inclusion proof is longer than the tree is deep");
      if ((fn & 1) == 1 || fn == sn) {
        r = TreeHash.node(sha, p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        r = TreeHash.node(sha, r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) throw new ProofException("the inclusion proof is shorter than the tree is deep");
    if (!Arrays.equals(r, root)) throw new ProofException("the inclusion proof leads to another root: the leaf is not in this tree at " + index);
  }

  /**
   * RFC 9162, 2.1.4.2, with its edge cases: any tree is consistent with the empty one; equal sizes need equal roots
   * and an empty proof.
   *
   * @throws ProofException when the tree of {@code secondRoot} does not extend the tree of {@code firstRoot}
   */
  public static void verifyConsistency(MessageDigest sha, long first, long second, List<byte[]> proof, byte[] firstRoot, byte[] secondRoot)
    throws ProofException {
    if (first < 0 || first > second) throw new ProofException("a consistency proof from " + first + " to the smaller " + second);
    if (first == 0) {
      if (!proof.isEmpty()) throw new ProofException("a non-empty consistency proof from the empty tree");
      return;
    }
    if (first == second) {
      if (!proof.isEmpty()) throw new ProofException("a non-empty consistency proof between equal sizes");
      if (!Arrays.equals(firstRoot, secondRoot)) throw new ProofException("two different roots for the same size " + first);
      return;
    }
    if (proof.isEmpty()) throw new ProofException("an empty consistency proof from " + first + " to " + second);
    List<byte[]> path = new ArrayList<>(proof.size() + 1);
    if (Long.bitCount(first) == 1) path.add(firstRoot);
    path.addAll(proof);
    long fn = first - 1;
    long sn = second - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (int i = 1; i < path.size(); i++) {
      byte[] c = path.get(i);
      if (sn == 0) throw new ProofException("the consistency proof is longer than the tree is deep");
      if ((fn & 1) == 1 || fn == sn) {
        fr = TreeHash.node(sha, c, fr);
        sr = TreeHash.node(sha, c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        sr = TreeHash.node(sha, sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) throw new ProofException("the consistency proof is shorter than the tree is deep");
    if (!Arrays.equals(fr, firstRoot)) throw new ProofException("the consistency proof does not lead to the first root: size " + first + " is not a prefix");
    if (!Arrays.equals(sr, secondRoot)) throw new ProofException("the consistency proof does not lead to the second root of size " + second);
  }

  /** @return the largest power of two strictly below {@code n} (n at least 2) */
  static long largestPowerOfTwoBelow(long n) {
    return Long.highestOneBit(n - 1);
  }
}
