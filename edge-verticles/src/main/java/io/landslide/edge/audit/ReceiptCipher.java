package io.landslide.edge.audit;

import io.landslide.codec.Receipt;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Receipts that find their vote: a receipt is one AES block, {@code AES_k(voter index (uint32) || 96 random bits)}, the
 * random bits from the calling thread's DRBG ({@link Receipt#random()}). To anyone without the key it is 128 bits
 * indistinguishable from random, as unguessable as before; the edge opens it back to the voter's index and reads the
 * vote by its primary key {@code (poll, user)}, then checks the stored receipt is this one. So looking a receipt up needs
 * no index on receipts, which would cost every vote a random insert into a second B-tree of 300 million rows.
 *
 * <p>The log's entries commit to {@code SHA-256(poll || receipt)}: linking an entry to a person still needs the receipt
 * (even with the key: 2^96 guesses per voter). Anyone holding a receipt (its voter) could learn the voter's index
 * only with the key. One cipher per thread and key, no allocation but the receipt.
 */
public final class ReceiptCipher {
  private final List<byte[]> keys;
  private final ThreadLocal<Ciphers> ciphers;

  /** A thread's ciphers and buffer. */
  private static final class Ciphers {
    final Cipher encrypt;
    final Cipher[] decrypt;
    final byte[] in = new byte[16];
    final byte[] out = new byte[16];

    Ciphers(List<byte[]> keys) {
      try {
        encrypt = Cipher.getInstance("AES/ECB/NoPadding");
        encrypt.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.get(0), "AES"));
        decrypt = new Cipher[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
          decrypt[i] = Cipher.getInstance("AES/ECB/NoPadding");
          decrypt[i].init(Cipher.DECRYPT_MODE, new SecretKeySpec(keys.get(i), "AES"));
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no AES in this JVM", e);
      }
    }
  }

  /** @param keys the receipt keys: the first issues, all open */
  public ReceiptCipher(List<byte[]> keys) {
    if (keys.isEmpty()) throw new IllegalArgumentException("no receipt key");
    this.keys = List.copyOf(keys);
    this.ciphers = ThreadLocal.withInitial(() -> new Ciphers(this.keys));
  }

  /**
   * @param userId the voter's index, 1 to 2^32 - 1
   * @return a fresh receipt for the voter's vote
   */
  public Receipt issue(long userId) {
    Ciphers c = ciphers.get();
    Receipt random = Receipt.random();
    put(c.in, 0, (int) userId);
    put(c.in, 4, (int) (random.hi() >>> 32));
    put(c.in, 8, (int) random.hi());
    put(c.in, 12, (int) random.lo());
    crypt(c.encrypt, c.in, c.out);
    return new Receipt(get(c.out, 0), get(c.out, 8));
  }

  /**
   * @param receipt a receipt, maybe made up
   * @return the voter index each key opens it to (a made-up receipt opens to arbitrary indexes; the caller checks the
   *     stored receipt); 0 where an index is out of range
   */
  public long[] voters(Receipt receipt) {
    Ciphers c = ciphers.get();
    long[] out = new long[c.decrypt.length];
    put(c.in, 0, (int) (receipt.hi() >>> 32));
    put(c.in, 4, (int) receipt.hi());
    put(c.in, 8, (int) (receipt.lo() >>> 32));
    put(c.in, 12, (int) receipt.lo());
    for (int i = 0; i < c.decrypt.length; i++) {
      crypt(c.decrypt[i], c.in, c.out);
      out[i] = ((c.out[0] & 0xFFL) << 24) | ((c.out[1] & 0xFFL) << 16) | ((c.out[2] & 0xFFL) << 8) | (c.out[3] & 0xFFL);
    }
    return out;
  }

  private static void crypt(Cipher cipher, byte[] in, byte[] out) {
    try {
      cipher.doFinal(in, 0, 16, out, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void put(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static long get(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (b[at + i] & 0xFF);
    return v;
  }
}
