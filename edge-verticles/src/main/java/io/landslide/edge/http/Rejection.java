package io.landslide.edge.http;

import io.landslide.codec.ErrorCode;
import java.util.EnumMap;
import java.util.Map;

/**
 * A request refused with a contract error code. Stackless, and one shared instance per code, so
 * rejecting (the common case in a duplicate storm or a bot flood) allocates nothing.
 */
public final class Rejection extends RuntimeException {
  private static final Map<ErrorCode, Rejection> SHARED = new EnumMap<>(ErrorCode.class);

  static {
    for (ErrorCode c : ErrorCode.values()) SHARED.put(c, new Rejection(c, null));
  }

  private final transient ErrorCode code;
  private final String detail;

  private Rejection(ErrorCode code, String detail) {
    super(code.code(), null, false, false);
    this.code = code;
    this.detail = detail;
  }

  /**
   * @param code the error code
   * @return the shared rejection for it, with the code's default message
   */
  public static Rejection of(ErrorCode code) {
    return SHARED.get(code);
  }

  /**
   * @param code   the error code
   * @param detail a message for people saying exactly what was wrong
   * @return a rejection with that message
   */
  public static Rejection of(ErrorCode code, String detail) {
    return new Rejection(code, detail);
  }

  /** @return the error code */
  public ErrorCode code() {
    return code;
  }

  /** @return the specific message, or null for the code's default */
  public String detail() {
    return detail;
  }
}
