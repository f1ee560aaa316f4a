package io.landslide.dedup.impl;

import java.nio.charset.StandardCharsets;

/**
 * Redis Cluster's hash slot of a key: CRC16 (XMODEM) of the key, or of its hash tag (the text between the first
 * '{' and the next '}', when not empty), modulo 16384. Pure; no allocation for ASCII keys (the bitmap's keys).
 */
final class KeySlot {
  /** Slots in a Redis Cluster. */
  static final int SLOTS = 16_384;
  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int b = 0; b < 8; b++) crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      TABLE[i] = crc & 0xFFFF;
    }
  }

  private KeySlot() {
  }

  /**
   * @param key a key
   * @return its slot, 0..16383
   */
  static int of(String key) {
    for (int i = 0; i < key.length(); i++) {
      if (key.charAt(i) >= 0x80) return of(key.getBytes(StandardCharsets.UTF_8));
    }
    int from = 0;
    int to = key.length();
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        from = open + 1;
        to = close;
      }
    }
    int crc = 0;
    for (int i = from; i < to; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ key.charAt(i)) & 0xFF]) & 0xFFFF;
    return crc & (SLOTS - 1);
  }

  /**
   * @param key a key's bytes
   * @return its slot, 0..16383
   */
  static int of(byte[] key) {
    int from = 0;
    int to = key.length;
    int open = indexOf(key, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(key, (byte) '}', open + 1);
      if (close > open + 1) {
        from = open + 1;
        to = close;
      }
    }
    int crc = 0;
    for (int i = from; i < to; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ key[i]) & 0xFF]) & 0xFFFF;
    return crc & (SLOTS - 1);
  }

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) if (a[i] == b) return i;
    return -1;
  }
}
