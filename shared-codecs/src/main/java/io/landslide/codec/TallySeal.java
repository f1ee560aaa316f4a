package io.landslide.codec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tally updates authenticated on the cluster's event bus: a writer appends a tag, HMAC-SHA256 under the cluster key
 * ({@code VOTING_CLUSTER_KEY}, shared by edges and writers) of a domain string and the encoded updates, truncated to
 * {@value #TAG} bytes; an edge drops, and counts, any update whose tag does not verify. Any process that can reach
 * the bus could publish before: merge-by-max kept a forged count on air until the edges restarted.
 *
 * <p>A replayed genuine update changes nothing (counts are absolute and merged by max). One {@link Mac} per thread.
 */
public final class TallySeal {
  /** Bytes of the tag. */
  public static final int TAG = 16;
  /** The dev-only cluster key (base64): documented, refused by the production profile. */
  public static final String DEV_KEY = Base64.getEncoder().encodeToString("landslide-dev-cluster-key-do-not-use!".getBytes(StandardCharsets.US_ASCII));
  private static final byte[] DOMAIN = "landslide/tally/v1\0".getBytes(StandardCharsets.US_ASCII);

  private final ThreadLocal<Mac> macs;

  /** @param key the cluster key, 32 bytes or more */
  public TallySeal(byte[] key) {
    if (key.length < 32) throw new IllegalArgumentException("VOTING_CLUSTER_KEY must be 32 bytes or more");
    byte[] k = key.clone();
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(k, "HmacSHA256"));
        return m;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no HmacSHA256 in this JVM", e);
      }
    });
  }

  /**
   * @param env the environment
   * @return the seal of {@code VOTING_CLUSTER_KEY} (base64), or the dev key; the dev key is refused when
   *     {@code VOTING_PROFILE=production}
   */
  public static TallySeal fromEnv(Map<String, String> env) {
    String key = env.getOrDefault("VOTING_CLUSTER_KEY", DEV_KEY);
    if ("production".equals(env.get("VOTING_PROFILE")) && key.equals(DEV_KEY)) {
      throw new IllegalArgumentException("the dev cluster key is refused in production: set VOTING_CLUSTER_KEY");
    }
    try {
      return new TallySeal(Base64.getDecoder().decode(key.strip()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("VOTING_CLUSTER_KEY: " + e.getMessage());
    }
  }

  /**
   * @param message encoded tally updates
   * @return the message followed by its tag
   */
  public byte[] seal(byte[] message) {
    byte[] out = Arrays.copyOf(message, message.length + TAG);
    System.arraycopy(tag(message, message.length), 0, out, message.length, TAG);
    return out;
  }

  /**
   * @param sealed a message and its tag
   * @return the message
   * @throws CorruptEventException when the tag does not verify (forged, or another cluster's key)
   */
  public byte[] open(byte[] sealed) throws CorruptEventException {
    if (sealed.length < TAG) throw new CorruptEventException("a tally update without its tag");
    int n = sealed.length - TAG;
    if (!MessageDigest.isEqual(tag(sealed, n), Arrays.copyOfRange(sealed, n, sealed.length))) {
      throw new CorruptEventException("a tally update whose tag does not verify (forged, or another cluster's key)");
    }
    return Arrays.copyOf(sealed, n);
  }

  private byte[] tag(byte[] message, int length) {
    Mac m = macs.get();
    m.update(DOMAIN);
    m.update(message, 0, length);
    return Arrays.copyOf(m.doFinal(), TAG);
  }
}
