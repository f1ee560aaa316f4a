package io.landslide.codec;

/** The range of user indexes (JWT {@code sub}): the bit position of a voter in a poll's bitmap. */
public final class UserIds {
  /** The smallest user index. */
  public static final long MIN = 1L;
  /** The largest user index, 2^32 - 1. */
  public static final long MAX = 0xFFFF_FFFFL;

  private UserIds() {
  }

  /**
   * Parses a decimal user index without allocating.
   *
   * @param s the text, e.g. a JWT {@code sub}
   * @return the index, or -1 when {@code s} is not a decimal number in [{@link #MIN}, {@link #MAX}]
   */
  public static long parse(CharSequence s) {
    if (s == null) return -1;
    int n = s.length();
    if (n == 0 || n > 10) return -1;
    long v = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v >= MIN && v <= MAX ? v : -1;
  }
}
