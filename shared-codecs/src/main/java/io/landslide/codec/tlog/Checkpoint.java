package io.landslide.codec.tlog;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The body of a C2SP tlog-checkpoint: the log's origin, its size in decimal, its root hash in base64, then optional
 * extension lines, each ending in a newline. Signed as a {@link SignedNote}.
 *
 * @param origin     the log's unique name (a schema-less URL: {@code vote.example.com/log/poll/42})
 * @param size       the tree's leaves
 * @param root       its root hash
 * @param extensions further lines (none empty)
 */
public record Checkpoint(String origin, long size, byte[] root, List<String> extensions) {
  /** Validates. */
  public Checkpoint {
    if (origin == null || origin.isEmpty() || origin.contains("\n")) throw new IllegalArgumentException("a checkpoint's origin must be one non-empty line");
    if (size < 0) throw new IllegalArgumentException("negative size");
    if (root.length != TreeHash.SIZE) throw new IllegalArgumentException("a root of " + root.length + " bytes");
    for (String e : extensions) {
      if (e.isEmpty() || e.contains("\n")) throw new IllegalArgumentException("an extension must be one non-empty line");
    }
    root = root.clone();
    extensions = List.copyOf(extensions);
  }

  /** @return the note text */
  public String text() {
    StringBuilder b = new StringBuilder(origin).append('\n').append(size).append('\n').append(Base64.getEncoder().encodeToString(root)).append('\n');
    for (String e : extensions) b.append(e).append('\n');
    return b.toString();
  }

  /**
   * @param text a checkpoint's note text (opened: {@link SignedNote#open})
   * @return the checkpoint
   * @throws IllegalArgumentException when it is not one, in its one spelling
   */
  public static Checkpoint parse(String text) {
    if (!text.endsWith("\n")) throw new IllegalArgumentException("a checkpoint ends with a newline");
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) throw new IllegalArgumentException("a checkpoint has an origin, a size and a root");
    if (!lines[1].matches("0|[1-9][0-9]{0,18}")) throw new IllegalArgumentException("not a tree size: " + lines[1]);
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 root hash: " + lines[2]);
    }
    if (!Base64.getEncoder().encodeToString(root).equals(lines[2])) throw new IllegalArgumentException("not the canonical base64 of a root: " + lines[2]);
    List<String> ext = new ArrayList<>();
    for (int i = 3; i < lines.length; i++) ext.add(lines[i]);
    return new Checkpoint(lines[0], Long.parseLong(lines[1]), root, ext);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c && c.text().equals(text());
  }

  @Override
  public int hashCode() {
    return text().hashCode();
  }

  @Override
  public String toString() {
    return "Checkpoint[" + text().replace('\n', ' ').trim() + "]";
  }
}
