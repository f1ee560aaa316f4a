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

  /** @return the root of the empty tree: SHA-256 of nothing */
  public static byte[] empty(MessageDigest sha) {
    sha.reset();
    return sha.digest();
  }
}
