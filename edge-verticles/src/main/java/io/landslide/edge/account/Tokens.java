package io.landslide.edge.account;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The production profile's key set: public keys only, asymmetric only, each with its {@code kid}. */
public final class Tokens {
  /** JWK members that only a private key has: a JWKS that carries one is refused (it would be published). */
  private static final java.util.Base64.Encoder B64 = java.util.Base64.getUrlEncoder().withoutPadding();
  private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  private Tokens() {
  }

  /**
   * @param key an EC P-256 public key
   * @param kid its key id
   * @return its public JWK, as a JWKS of the production profile holds it
   */
  public static JsonObject publicJwk(java.security.interfaces.ECPublicKey key, String kid) {
    return new JsonObject().put("kty", "EC").put("crv", "P-256").put("kid", kid).put("alg", "ES256")
      .put("x", B64.encodeToString(unsigned32(key.getW().getAffineX()))).put("y", B64.encodeToString(unsigned32(key.getW().getAffineY())));
  }

  /** @return the coordinate as the 32 big-endian bytes a P-256 JWK holds */
  private static byte[] unsigned32(java.math.BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(32, b.length);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  /**
   * @param jwks a JWKS document, or null
   * @return its keys; throws {@link IllegalArgumentException} when one is not a public EC (P-256, ES256) or RSA (RS256)
   *         key with a {@code kid}
   */
  static List<JsonObject> publicKeys(String jwks) {
    if (jwks == null || jwks.isBlank()) return List.of();
    JsonArray keys;
    try {
      keys = new JsonObject(jwks).getJsonArray("keys");
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("VOTING_JWT_JWKS is not a JWKS document ({\"keys\": [...]})");
    }
    if (keys == null) throw new IllegalArgumentException("VOTING_JWT_JWKS has no \"keys\"");
    List<JsonObject> out = new ArrayList<>();
    for (Object o : keys) {
      if (!(o instanceof JsonObject k) || !(k.getValue("kid") instanceof String kid) || kid.isBlank()) {
        throw new IllegalArgumentException("every key of VOTING_JWT_JWKS needs a kid");
      }
      for (String m : PRIVATE_MEMBERS) {
        if (k.containsKey(m)) throw new IllegalArgumentException("key " + kid + " of VOTING_JWT_JWKS holds private material (" + m + ")");
      }
      boolean ec = "EC".equals(k.getString("kty")) && "P-256".equals(k.getString("crv")) && "ES256".equals(k.getString("alg", "ES256"));
      boolean rsa = "RSA".equals(k.getString("kty")) && "RS256".equals(k.getString("alg", "RS256"));
      if (!ec && !rsa) throw new IllegalArgumentException("key " + kid + " of VOTING_JWT_JWKS must be EC P-256 (ES256) or RSA (RS256)");
      out.add(k.copy().put("alg", ec ? "ES256" : "RS256").put("use", "sig"));
    }
    return out;
  }
}
