package io.landslide.codec.tlog;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paths of C2SP tlog-tiles: {@code tile/<L>/<N>[.p/<W>]} for hash tiles, {@code tile/entries/<N>[.p/<W>]} for
 * entry bundles. Tiles have height 8: a full tile holds 256 hashes (or entries); a partial one {@code W} of 1 to 255.
 * {@code N} is written in groups of three digits, every group but the last prefixed with {@code x}
 * ({@code 1234067} is {@code x001/x234/067}). Parsing is strict: one spelling per tile, so a cache key is a tile.
 *
 * @param level the tile's level ({@code L}, 0 to 63), or {@link #ENTRIES} for an entry bundle
 * @param index the tile's index ({@code N})
 * @param width its hashes or entries: 256 for a full tile, 1 to 255 for a partial one
 */
public record TilePath(int level, long index, int width) {
  /** Hashes or entries in a full tile (a tile's height is 8). */
  public static final int FULL = 256;
  /** Tile height: the tree levels one tile spans. */
  public static final int HEIGHT = 8;
  /** The level of entry bundles. */
  public static final int ENTRIES = -1;
  private static final Pattern PATH = Pattern.compile("tile/(entries|0|[1-9][0-9]?)/((?:x[0-9]{3}/)*[0-9]{3})(?:\\.p/([1-9][0-9]{0,2}))?");

  /** Validates. */
  public TilePath {
    if (level != ENTRIES && (level < 0 || level > 63)) throw new IllegalArgumentException("tile level " + level);
    if (index < 0) throw new IllegalArgumentException("negative tile index");
    if (width < 1 || width > FULL) throw new IllegalArgumentException("tile width " + width);
  }

  /** @return whether the tile is full (immutable, cacheable for ever) */
  public boolean full() {
    return width == FULL;
  }

  /** @return the path, relative to the log's prefix */
  public String path() {
    StringBuilder b = new StringBuilder("tile/").append(level == ENTRIES ? "entries" : Integer.toString(level)).append('/');
    String n = Long.toString(index);
    int pad = (3 - n.length() % 3) % 3;
    n = "0".repeat(pad) + n;
    for (int i = 0; i < n.length(); i += 3) {
      if (i + 3 < n.length()) b.append('x').append(n, i, i + 3).append('/');
      else b.append(n, i, i + 3);
    }
    if (!full()) b.append(".p/").append(width);
    return b.toString();
  }

  /**
   * @param path a tile's path
   * @return the tile
   * @throws IllegalArgumentException when it is not a tile path in its one spelling
   */
  public static TilePath parse(String path) {
    Matcher m = PATH.matcher(path == null ? "" : path);
    if (!m.matches()) throw new IllegalArgumentException("not a tile path: " + path);
    int level = m.group(1).equals("entries") ? ENTRIES : Integer.parseInt(m.group(1));
    String digits = m.group(2).replace("x", "").replace("/", "");
    if (digits.length() > 18) throw new IllegalArgumentException("tile index too large: " + path);
    long index = Long.parseLong(digits);
    int width = m.group(3) == null ? FULL : Integer.parseInt(m.group(3));
    TilePath t = new TilePath(level, index, width);
    if (!t.path().equals(path)) throw new IllegalArgumentException("not the one spelling of its tile: " + path + " (" + t.path() + ")");
    return t;
  }
}
