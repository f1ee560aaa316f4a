package io.landslide.codec.tlog;

/**
 * The log's key and its names: one Ed25519 key signs the checkpoints and results of every poll's log, and each poll's
 * log has its own origin, the key's name followed by {@code /poll/<id>}. The writers hold the signer key
 * ({@code VOTING_LOG_SIGNER_KEY}); the edges know only the verifier key ({@code VOTING_LOG_VERIFIER_KEY}), publish it,
 * and check every checkpoint they serve against it. Rotation: {@code docs/audit.md}.
 */
public final class LogKeys {
  /** The dev-only signer key of local stacks and tests: documented, refused by the production profile. */
  public static final String DEV_SIGNER = "PRIVATE+KEY+landslide.local/votes+bda852ed+AWqgv2SdZE4ovkvJcF80mQfKJFhlSoNbMwsYnhB/cGum";
  /** The verifier key of {@link #DEV_SIGNER}. */
  public static final String DEV_VERIFIER = "landslide.local/votes+bda852ed+Aa0h8agV4NJgz+QTaagzUI3hE08gu6LkGqX+3WfSNd8Y";

  private LogKeys() {
  }

  /**
   * @param keyName the log key's name
   * @param poll    the poll
   * @return the origin line of the poll's checkpoints
   */
  public static String origin(String keyName, int poll) {
    return keyName + "/poll/" + poll;
  }
}
