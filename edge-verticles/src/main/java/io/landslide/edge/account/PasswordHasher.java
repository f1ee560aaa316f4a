package io.landslide.edge.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (BouncyCastle's implementation) in the PHC string format
 * {@code $argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<hash>}, so the parameters travel with each hash
 * and can be raised later without invalidating stored ones. Passwords are NFC-normalised first, so the same
 * password typed on two keyboards hashes the same. CPU- and memory-hard on purpose: call it on a worker thread,
 * never on an event loop.
 */
public final class PasswordHasher {
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final int memoryKib;
  private final int iterations;
  private final int parallelism;
  private final SecureRandom random = new SecureRandom();
  private final String dummy;

  /**
   * @param memoryKib   memory per hash, KiB (OWASP's minimum for Argon2id: 19,456 with 2 iterations)
   * @param iterations  passes over the memory
   * @param parallelism lanes
   */
  public PasswordHasher(int memoryKib, int iterations, int parallelism) {
    this.memoryKib = memoryKib;
    this.iterations = iterations;
    this.parallelism = parallelism;
    this.dummy = hash("not a password of anyone's: verified against when an email is unknown");
  }

  /**
   * @param password the password
   * @return its PHC string, with a fresh random salt
   */
  String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] out = derive(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
    return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$" + B64.encodeToString(salt) + "$"
      + B64.encodeToString(out);
  }

  /**
   * @param password a password
   * @param phc      a stored PHC string
   * @return whether they match (constant time in the hash; a malformed string never matches)
   */
  boolean verify(String password, String phc) {
    String[] part = phc.split("\\$");
    if (part.length != 6 || !part[1].equals("argon2id") || !part[2].equals("v=19")) return false;
    int m;
    int t;
    int p;
    byte[] salt;
    byte[] expected;
    try {
      String[] params = part[3].split(",");
      if (params.length != 3 || !params[0].startsWith("m=") || !params[1].startsWith("t=") || !params[2].startsWith("p=")) return false;
      m = Integer.parseInt(params[0].substring(2));
      t = Integer.parseInt(params[1].substring(2));
      p = Integer.parseInt(params[2].substring(2));
      salt = B64D.decode(part[4]);
      expected = B64D.decode(part[5]);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (m < 8 || m > 4 * 1024 * 1024 || t < 1 || t > 64 || p < 1 || p > 16 || expected.length < 16 || expected.length > 64) return false;
    return MessageDigest.isEqual(derive(password, salt, m, t, p, expected.length), expected);
  }

  /**
   * Spends the same work as a real verification, for a login whose email is unknown: its answer then takes as
   * long as a wrong password's, and does not tell which part was wrong.
   *
   * @param password the password given
   */
  void verifyNobody(String password) {
    verify(password, dummy);
  }

  private static byte[] derive(String password, byte[] salt, int m, int t, int p, int length) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
      .withMemoryAsKB(m).withIterations(t).withParallelism(p).withSalt(salt).build();
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(params);
    byte[] out = new byte[length];
    g.generateBytes(Normalizer.normalize(password, Normalizer.Form.NFC).getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
