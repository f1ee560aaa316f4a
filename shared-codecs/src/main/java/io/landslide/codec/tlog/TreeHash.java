package io.landslide.codec.tlog;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hashing of RFC 9162 (Certificate Transparency 2.0), section 2.1.1: a leaf is {@code SHA-256(0x00 || entry)}, an
 * interior node {@code SHA-256(0x01 || left || right)}, the empty tree {@code SHA-256()}. The two prefixes keep a leaf
 * from ever passing for a node (second-preimage resistance).
 *
 * <p>A {@link MessageDigest} is not thread-safe: callers pass their own ({@link #sha256()}), one per thread.
 */
public final class TreeHash {
  /** Bytes of a hash. */
  public static final int SIZE = 32;
  private static final byte LEAF = 0x00;
  private static final byte NODE = 0x01;

  private TreeHash() {
  }

  /** @return a new SHA-256 digest */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  /**
   * @param sha   a digest (reset before and after)
   * @param entry the leaf's entry
   * @return its leaf hash
   */
  public static byte[] leaf(MessageDigest sha, byte[] entry) {
    sha.reset();
    sha.update(LEAF);
    return sha.digest(entry);
  }

  /**
   * @param sha a digest
   * @param buf holds the entry
   * @param off where it starts
   * @param len its length
   * @return its leaf hash
   */
  public static byte[] leaf(MessageDigest sha, byte[] buf, int off, int len) {
    sha.reset();
    sha.update(LEAF);
    sha.update(buf, off, len);
    return sha.digest();
  }

  /**
   * @return the hash of the node over these two subtrees
   */
  public static byte[] node(MessageDigest sha, byte[] left, byte[] right) {
    sha.reset();
    sha.update(NODE);
    sha.update(left);
    return sha.digest(right);
  }

  /** Bytes hashed for a node: the prefix and two hashes (the scratch {@link #node(MessageDigest, byte[], byte[], int, byte[], int, byte[], int)} needs). */
  public static final int NODE_INPUT = 1 + 2 * SIZE;

  /**
   * The node over two subtrees, allocating nothing: one update of the whole input (the digest's per-call cost
   * outweighs SHA-256's own on inputs this short), the hash written where it is wanted. {@code out} may be
   * {@code left} or {@code right}: both are read first.
   *
   * @param sha     a digest
   * @param scratch {@link #NODE_INPUT} bytes of the caller's
   */
  public static void node(MessageDigest sha, byte[] scratch, byte[] left, int leftOff, byte[] right, int rightOff, byte[] out, int outOff) {
    sha.reset();
    scratch[0] = NODE;
    System.arraycopy(left, leftOff, scratch, 1, SIZE);
    System.arraycopy(right, rightOff, scratch, 1 + SIZE, SIZE);
    sha.update(scratch, 0, NODE_INPUT);
    digestInto(sha, out, outOff);
  }

  /**
   * A leaf's hash, allocating nothing.
   *
   * @param sha     a digest
   * @param scratch at least {@code len + 1} bytes of the caller's
   * @param buf     holds the entry
   * @param off     where it starts
   * @param len     its length
   * @param out     where the hash goes
   * @param outOff  at which offset
   */
  public static void leaf(MessageDigest sha, byte[] scratch, byte[] buf, int off, int len, byte[] out, int outOff) {
    sha.reset();
    scratch[0] = LEAF;
    System.arraycopy(buf, off, scratch, 1, len);
    sha.update(scratch, 0, len + 1);
    digestInto(sha, out, outOff);
  }

  private static void digestInto(MessageDigest sha, byte[] out, int off) {
    try {
      sha.digest(out, off, SIZE);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("SHA-256 into 32 bytes", e);
    }
  }

  /** @return the root of the empty tree: SHA-256 of nothing */
  public static byte[] empty(MessageDigest sha) {
    sha.reset();
    return sha.digest();
  }
}
