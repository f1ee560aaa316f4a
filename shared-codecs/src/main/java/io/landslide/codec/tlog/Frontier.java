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
 * <p>Each append reports every perfect subtree it completes ({@link Nodes}), leaf included: what a tile store keeps.
 * Not thread-safe.
 */
public final class Frontier {
  /** Receives each perfect subtree an append completes. */
  @FunctionalInterface
  public interface Nodes {
    /**
     * @param level  the subtree's height (0: the leaf itself)
     * @param index  its index among the subtrees of that height, left to right
     * @param hash   its hash
     */
    void completed(int level, long index, byte[] hash);
  }

  private static final Nodes NONE = (level, index, hash) -> { };

  private long size;
  private final ArrayList<byte[]> roots;

  /** An empty tree. */
  public Frontier() {
    this(0, List.of());
  }

  /**
   * A tree as stored.
   *
   * @param size  its leaves
   * @param roots its perfect subtrees' roots, largest first ({@link #roots()})
   * @throws IllegalArgumentException when the roots do not fit the size
   */
  public Frontier(long size, List<byte[]> roots) {
    if (size < 0) throw new IllegalArgumentException("negative size");
    if (roots.size() != Long.bitCount(size)) throw new IllegalArgumentException(roots.size() + " roots for a size of " + size);
    this.size = size;
    this.roots = new ArrayList<>(64);
    for (byte[] r : roots) {
      if (r.length != TreeHash.SIZE) throw new IllegalArgumentException("a root of " + r.length + " bytes");
      this.roots.add(r.clone());
    }
  }

  /** @return the leaves */
  public long size() {
    return size;
  }

  /** @return copies of the perfect subtrees' roots, largest first */
  public List<byte[]> roots() {
    List<byte[]> out = new ArrayList<>(roots.size());
    for (byte[] r : roots) out.add(r.clone());
    return out;
  }

  /**
   * @param sha      a digest
   * @param leafHash the new leaf's hash ({@link TreeHash#leaf})
   */
  public void append(MessageDigest sha, byte[] leafHash) {
    append(sha, leafHash, NONE);
  }

  /**
   * @param sha      a digest
   * @param leafHash the new leaf's hash
   * @param nodes    told of the leaf and of every perfect subtree it completes
   */
  public void append(MessageDigest sha, byte[] leafHash, Nodes nodes) {
    if (leafHash.length != TreeHash.SIZE) throw new IllegalArgumentException("a leaf hash of " + leafHash.length + " bytes");
    byte[] h = leafHash;
    long index = size;
    int level = 0;
    nodes.completed(0, index, h);
    // Each trailing one bit of the old size is a perfect subtree of that height the new leaf completes a twin of.
    for (long s = size; (s & 1) == 1; s >>>= 1) {
      h = TreeHash.node(sha, roots.remove(roots.size() - 1), h);
      level++;
      index >>>= 1;
      nodes.completed(level, index, h);
    }
    roots.add(h);
    size++;
  }

  /**
   * @param sha a digest
   * @return the tree's root (RFC 9162's MTH): the subtrees folded right to left
   */
  public byte[] root(MessageDigest sha) {
    if (roots.isEmpty()) return TreeHash.empty(sha);
    byte[] h = roots.get(roots.size() - 1);
    for (int i = roots.size() - 2; i >= 0; i--) h = TreeHash.node(sha, roots.get(i), h);
    return h;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Frontier[size=").append(size);
    for (byte[] r : roots) b.append(' ').append(java.util.HexFormat.of().formatHex(r, 0, 4));
    return b.append(']').toString();
  }
}
