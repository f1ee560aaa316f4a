package io.landslide.edge.defence;

import io.landslide.codec.PowHash;
import io.landslide.edge.poll.Poll;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless proof-of-work challenges (shared/api-contract.md): a random challenge, its expiry and difficulty, bound
 * to one user and one poll by an HMAC-SHA256 signature, so the edge checks a solution without storing anything.
 * The client finds a decimal {@code nonce} such that SHA-256 of {@code challenge:sub:pollId:nonce} (UTF-8) starts
 * with {@code difficulty} zero bits. A solution for another user or poll, an expired one or a tampered one fails.
 * Difficulty 0 turns the check off.
 *
 * <p>Not thread-safe (it holds a {@link Mac} and a {@link MessageDigest}): one instance per event loop.
 */
public final class ProofOfWork {
  /** The hash the client must partially invert. */
  static final String ALGORITHM = "SHA-256";
  /** The highest difficulty a poll may ask (about 4 billion hashes on average: minutes of a phone's CPU). */
  /** The hardest proof of work a poll may ask (leading zero bits). */
  public static final int MAX_DIFFICULTY = Poll.MAX_DIFFICULTY;
  private static final int CHALLENGE_BYTES = 16;
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();

  private final Mac mac;
  private final MessageDigest sha256;
  private final SecureRandom random = new SecureRandom();
  private final long ttlSeconds;
  private final LongSupplier clockMillis;

  /**
   * @param secret      the HMAC key (the same on every edge)
   * @param ttlSeconds  how long a challenge stays valid
   * @param clockMillis the clock
   */
  public ProofOfWork(byte[] secret, long ttlSeconds, LongSupplier clockMillis) {
    try {
      this.mac = Mac.getInstance("HmacSHA256");
      this.mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      this.sha256 = PowHash.sha256();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no HmacSHA256/SHA-256 in this JVM", e);
    }
    this.ttlSeconds = ttlSeconds;
    this.clockMillis = clockMillis;
  }

  /**
   * @param pollId     the poll
   * @param userId     the user (the token's {@code sub})
   * @param difficulty leading zero bits asked
   * @return the contract's challenge JSON
   */
  public JsonObject challenge(int pollId, long userId, int difficulty) {
    byte[] raw = new byte[CHALLENGE_BYTES];
    random.nextBytes(raw);
    String challenge = B64URL.encodeToString(raw);
    long expires = clockMillis.getAsLong() / 1000 + ttlSeconds;
    return new JsonObject().put("algorithm", ALGORITHM).put("challenge", challenge).put("difficulty", difficulty)
      .put("expires", expires).put("signature", B64URL.encodeToString(sign(challenge, expires, difficulty, userId, pollId)));
  }

  /**
   * @param pow        the vote's {@code pow} object, or null
   * @param pollId     the poll voted in
   * @param userId     the voter
   * @param difficulty the difficulty in force for this vote
   * @return whether the proof of work is valid (always, at difficulty 0)
   */
  public boolean verify(JsonObject pow, int pollId, long userId, int difficulty) {
    if (difficulty <= 0) return true;
    if (pow == null || !(pow.getValue("challenge") instanceof String challenge) || challenge.length() > 64
      || !(pow.getValue("expires") instanceof Number expiresNumber) || !(pow.getValue("signature") instanceof String signature)
      || signature.length() > 64) {
      return false;
    }
    String nonce = nonce(pow.getValue("nonce"));
    long expires = expiresNumber.longValue();
    if (nonce == null || expires < clockMillis.getAsLong() / 1000) return false;
    byte[] given;
    try {
      given = B64URL_DECODER.decode(signature);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (!MessageDigest.isEqual(given, sign(challenge, expires, difficulty, userId, pollId))) return false;
    return PowHash.leadingZeroBits(PowHash.digest(sha256, challenge, userId, pollId, nonce)) >= difficulty;
  }

  /** @return the nonce as its decimal string (a JSON string of digits, or a non-negative integer), or null */
  private static String nonce(Object v) {
    if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue() >= 0 ? v.toString() : null;
    if (!(v instanceof String s) || s.isEmpty() || s.length() > 20) return null;
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return null;
    return s;
  }

  private byte[] sign(String challenge, long expires, int difficulty, long userId, int pollId) {
    return mac.doFinal(("landslide-pow-v1\n" + challenge + "\n" + expires + "\n" + difficulty + "\n" + userId + "\n" + pollId)
      .getBytes(StandardCharsets.UTF_8));
  }
}
