package io.landslide.codec.tlog;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a Merkle tree of {@link #size()} leaves: the roots of its perfect subtrees, largest first, one per
 * bit set in the size (so at most 64). It is all a log needs to append and to compute its root: stored beside the
 * votes it covers, in their transaction, it lets a writer killed mid-batch (or another writer taking over) extend the
 * same tree. Appending one leaf costs one hash per trailing one bit of the size, one on average.
 *
 * <p>The roots are kept packed, 32 bytes each ({@link #packed()}, the stored form), and an append hashes in place: a
 * writer appending a batch allocates nothing per vote. Each append reports every perfect subtree it completes
 * ({@link Nodes}), leaf included: what a tile store keeps. Not thread-safe.
 */
public final class Frontier {
  /** Receives each perfect subtree an append completes. */
  @FunctionalInterface
  public interface Nodes {
    /**
     * @param level the subtree's height (0: the leaf itself)
     * @param index its index among the subtrees of that height, left to right
     * @param buf   holds its hash, valid only during the call (copy what is kept)
     * @param off   where the hash's 32 bytes start
     */
    void completed(int level, long index, byte[] buf, int off);
  }

  private static final Nodes NONE = (level, index, buf, off) -> { };
  private static final int H = TreeHash.SIZE;

  private long size;
  /** The roots, largest first, {@code H} bytes each: {@code Long.bitCount(size)} of them. */
  private final byte[] roots = new byte[64 * H];
  private final byte[] scratch = new byte[TreeHash.NODE_INPUT];

  /** An empty tree. */
  public Frontier() {
  }

  /**
   * A tree as stored.
   *
   * @param size  its leaves
   * @param roots its perfect subtrees' roots, largest first ({@link #roots()})
   * @throws IllegalArgumentException when the roots do not fit the size
   */
  public Frontier(long size, List<byte[]> roots) {
    this(size, pack(roots));
  }

  /**
   * A tree as stored, packed.
   *
   * @param size   its leaves
   * @param packed its perfect subtrees' roots, largest first, 32 bytes each ({@link #packed()})
   * @throws IllegalArgumentException when the roots do not fit the size
   */
  public Frontier(long size, byte[] packed) {
    if (size < 0) throw new IllegalArgumentException("negative size");
    if (packed.length % H != 0) throw new IllegalArgumentException("a root of " + (packed.length % H) + " bytes");
    if (packed.length / H != Long.bitCount(size)) throw new IllegalArgumentException(packed.length / H + " roots for a size of " + size);
    this.size = size;
    System.arraycopy(packed, 0, roots, 0, packed.length);
  }

  private static byte[] pack(List<byte[]> roots) {
    byte[] out = new byte[roots.size() * H];
    for (int i = 0; i < roots.size(); i++) {
      byte[] r = roots.get(i);
      if (r.length != H) throw new IllegalArgumentException("a root of " + r.length + " bytes");
      System.arraycopy(r, 0, out, i * H, H);
    }
    return out;
  }

  /** @return the leaves */
  public long size() {
    return size;
  }

  /** @return copies of the perfect subtrees' roots, largest first */
  public List<byte[]> roots() {
    int n = Long.bitCount(size);
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(java.util.Arrays.copyOfRange(roots, i * H, (i + 1) * H));
    return out;
  }

  /** @return the roots, largest first, packed: 32 bytes each (the stored form) */
  public byte[] packed() {
    return java.util.Arrays.copyOf(roots, Long.bitCount(size) * H);
  }

  /**
   * @param sha      a digest
   * @param leafHash the new leaf's hash ({@link TreeHash#leaf})
   */
  public void append(MessageDigest sha, byte[] leafHash) {
    if (leafHash.length != H) throw new IllegalArgumentException("a leaf hash of " + leafHash.length + " bytes");
    append(sha, leafHash, 0, NONE);
  }

  /**
   * @param sha   a digest
   * @param buf   holds the new leaf's hash
   * @param off   where its 32 bytes start
   * @param nodes told of the leaf and of every perfect subtree it completes
   */
  public void append(MessageDigest sha, byte[] buf, int off, Nodes nodes) {
    int top = Long.bitCount(size); // the new leaf's slot
    System.arraycopy(buf, off, roots, top * H, H);
    long index = size;
    int level = 0;
    nodes.completed(0, index, roots, top * H);
    // Each trailing one bit of the old size is a perfect subtree of that height the new leaf completes a twin of:
    // the two fold into the left one's slot.
    for (long s = size; (s & 1) == 1; s >>>= 1) {
      top--;
      TreeHash.node(sha, scratch, roots, top * H, roots, (top + 1) * H, roots, top * H);
      level++;
      index >>>= 1;
      nodes.completed(level, index, roots, top * H);
    }
    size++;
  }

  /**
   * @param sha a digest
   * @return the tree's root (RFC 9162's MTH): the subtrees folded right to left
   */
  public byte[] root(MessageDigest sha) {
    int n = Long.bitCount(size);
    if (n == 0) return TreeHash.empty(sha);
    byte[] h = java.util.Arrays.copyOfRange(roots, (n - 1) * H, n * H);
    for (int i = n - 2; i >= 0; i--) TreeHash.node(sha, scratch, roots, i * H, h, 0, h, 0);
    return h;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Frontier[size=").append(size);
    for (int i = 0; i < Long.bitCount(size); i++) b.append(' ').append(java.util.HexFormat.of().formatHex(roots, i * H, i * H + 4));
    return b.append(']').toString();
  }
}
