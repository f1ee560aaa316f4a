package io.landslide.edge.audit;

import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.runtime.Env;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What an edge knows of the verifiable vote log ({@code docs/audit.md}).
 *
 * @param verifier    {@code VOTING_LOG_VERIFIER_KEY}: the log's public key (signed-note verifier key text), published at
 *                    {@code /api/v1/audit/key}; every checkpoint is checked against it before it is served. Default the
 *                    documented dev key {@link LogKeys#DEV_VERIFIER}, refused in production
 * @param receiptKeys {@code VOTING_RECEIPT_KEYS}: AES keys (base64, 16 or 32 bytes, comma-separated) that seal a voter's
 *                    index into the receipts this edge issues, so a receipt finds its vote without an index on
 *                    receipts; the first issues, all are tried on a lookup (rotation: add the new key first, keep the
 *                    old ones while their receipts matter). Every edge must have the same list. Default the documented
 *                    dev key {@link #DEV_RECEIPT_KEY}, refused in production
 */
public record AuditConfig(SignedNote.Verifier verifier, List<byte[]> receiptKeys) {
  /** The dev-only receipt key (base64 of {@code landslide-dev-rk}): documented, refused by the production profile. */
  public static final String DEV_RECEIPT_KEY = "bGFuZHNsaWRlLWRldi1yaw==";

  /** Validates. */
  public AuditConfig {
    if (receiptKeys.isEmpty()) throw new IllegalArgumentException("VOTING_RECEIPT_KEYS is empty");
    for (byte[] k : receiptKeys) {
      if (k.length != 16 && k.length != 32) throw new IllegalArgumentException("a receipt key must be 16 or 32 bytes, not " + k.length);
    }
    receiptKeys = List.copyOf(receiptKeys);
  }

  /** @return the dev keys */
  public static AuditConfig defaults() {
    return new AuditConfig(SignedNote.Verifier.parse(LogKeys.DEV_VERIFIER), List.of(Base64.getDecoder().decode(DEV_RECEIPT_KEY)));
  }

  /**
   * @param e          the environment
   * @param production whether the production profile refuses the dev keys
   * @return the configuration
   */
  public static AuditConfig fromEnv(Env e, boolean production) {
    String vkey = e.string("VOTING_LOG_VERIFIER_KEY", LogKeys.DEV_VERIFIER);
    List<String> keys = e.list("VOTING_RECEIPT_KEYS");
    if (keys.isEmpty()) keys = List.of(DEV_RECEIPT_KEY);
    if (production && vkey.equals(LogKeys.DEV_VERIFIER)) throw new IllegalArgumentException("the dev log key is refused in production: set VOTING_LOG_VERIFIER_KEY");
    if (production && keys.contains(DEV_RECEIPT_KEY)) throw new IllegalArgumentException("the dev receipt key is refused in production: set VOTING_RECEIPT_KEYS");
    List<byte[]> raw = new ArrayList<>();
    for (String k : keys) {
      try {
        raw.add(Base64.getDecoder().decode(k.strip()));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("VOTING_RECEIPT_KEYS: not base64");
      }
    }
    return new AuditConfig(SignedNote.Verifier.parse(vkey.strip()), raw);
  }

  @Override
  public String toString() {
    return "AuditConfig[verifier=" + verifier.text() + ", receiptKeys=" + receiptKeys.size() + "]";
  }
}
