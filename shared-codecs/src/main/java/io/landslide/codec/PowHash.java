package io.landslide.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash side of the contract's proof of work (shared/api-contract.md), shared by the edge that checks it and the
 * clients that solve it (tests, the load generator; the web page does the same in JavaScript): SHA-256 of the UTF-8
 * string {@code challenge:sub:pollId:nonce} must start with {@code difficulty} zero bits.
 */
public final class PowHash {
  private PowHash() {
  }

  /**
   * @param digest a hash
   * @return how many zero bits it starts with
   */
  public static int leadingZeroBits(byte[] digest) {
    int bits = 0;
    for (byte b : digest) {
      if (b == 0) {
        bits += 8;
        continue;
      }
      return bits + Integer.numberOfLeadingZeros(b & 0xFF) - 24;
    }
    return bits;
  }

  /**
   * @return the SHA-256 the contract hashes for this nonce
   */
  public static byte[] digest(MessageDigest sha256, String challenge, long userId, int pollId, String nonce) {
    return sha256.digest((challenge + ":" + userId + ":" + pollId + ":" + nonce).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The client's work.
   *
   * @param challenge  the challenge
   * @param userId     the user ({@code sub})
   * @param pollId     the poll
   * @param difficulty leading zero bits asked
   * @return the first nonce that solves it
   */
  public static long solve(String challenge, long userId, int pollId, int difficulty) {
    MessageDigest sha = sha256();
    for (long nonce = 0; ; nonce++) {
      if (leadingZeroBits(digest(sha, challenge, userId, pollId, Long.toString(nonce))) >= difficulty) return nonce;
    }
  }

  /** @return a new SHA-256 digest (not thread-safe: one per thread) */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }
}
