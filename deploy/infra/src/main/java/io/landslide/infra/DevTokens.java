package io.landslide.infra;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints HS256 tokens for the local profile (tests, the benchmark, the load kit), the same way
 * {@code deploy/local/token.sh} does. Never for production: production takes only ES256/RS256.
 */
public final class DevTokens {
  /** The documented dev secret (see README); the production profile refuses it. */
  public static final String DEV_SECRET = "landslide-dev-secret-do-not-use-in-production";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final Mac mac;

  /** @param secret the HS256 secret */
  public DevTokens(String secret) {
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @return a minter with the dev secret */
  public static DevTokens dev() {
    return new DevTokens(DEV_SECRET);
  }

  /**
   * @param user the user index
   * @return a voter token valid for an hour
   */
  public String voter(long user) {
    long now = System.currentTimeMillis() / 1000;
    return sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"" + user + "\",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}");
  }

  /**
   * @param user the user index
   * @return an admin token valid for 15 minutes (the longest an edge takes one)
   */
  public String admin(long user) {
    long now = System.currentTimeMillis() / 1000;
    return sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"" + user + "\",\"iat\":" + now + ",\"exp\":" + (now + 900) + ",\"roles\":[\"admin\"]}");
  }

  /**
   * @param user the scrutineer's user index
   * @return a token with the scrutineer role (a poll's private reconciliation), valid for 15 minutes
   */
  public String scrutineer(long user) {
    long now = System.currentTimeMillis() / 1000;
    return sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"" + user + "\",\"iat\":" + now + ",\"exp\":" + (now + 900) + ",\"roles\":[\"scrutineer\"]}");
  }

  /**
   * @param headerJson  the JOSE header, as is
   * @param payloadJson the claims, as is
   * @return {@code header.payload.HMAC-SHA256}
   */
  public synchronized String sign(String headerJson, String payloadJson) {
    String unsigned = b64(headerJson) + "." + b64(payloadJson);
    return unsigned + "." + B64.encodeToString(mac.doFinal(unsigned.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * @param s text
   * @return its UTF-8 bytes, base64url without padding
   */
  public static String b64(String s) {
    return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
