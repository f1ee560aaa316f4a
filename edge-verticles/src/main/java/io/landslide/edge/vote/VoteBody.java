package io.landslide.edge.vote;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * Parses a vote body, {@code {"option": <integer>, "pow"?: {…}}}. Nearly every vote is exactly
 * {@code {"option":N}}: a strict byte scanner takes that shape without allocating; anything else (other
 * spacing, a {@code pow}, escapes, unknown fields) goes through the full JSON parser, so both paths accept
 * and refuse the same documents. A key twice ({@code {"option":0,"option":1}}) is refused on both: the scanner takes
 * one key only, the full path checks with {@link io.landslide.edge.http.StrictJson} first.
 */
public final class VoteBody {
  /** Returned for a body that is not a vote. */
  static final long INVALID = Long.MIN_VALUE;
  private static final byte[] OPTION = "\"option\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private VoteBody() {
  }

  /**
   * @param body the request body
   * @return the option (any integer, range-checked later against the poll), or {@link #INVALID}
   */
  static long option(Buffer body) {
    long fast = fastOption(body);
    return fast != INVALID ? fast : option(parse(body));
  }

  /**
   * The allocation-free scanner: {@code ws { ws "option" ws : ws -?digits ws } ws} and nothing else (so no {@code pow}).
   *
   * @param b the request body
   * @return the option, or {@link #INVALID} when the body is not of that exact shape (it may still be a vote: {@link #parse})
   */
  static long fastOption(Buffer b) {
    if (b == null) return INVALID;
    int n = b.length();
    int i = skip(b, 0, n);
    if (i >= n || b.getByte(i) != '{') return INVALID;
    i = skip(b, i + 1, n);
    if (i + OPTION.length > n) return INVALID;
    for (byte c : OPTION) if (b.getByte(i++) != c) return INVALID;
    i = skip(b, i, n);
    if (i >= n || b.getByte(i) != ':') return INVALID;
    i = skip(b, i + 1, n);
    boolean negative = i < n && b.getByte(i) == '-';
    if (negative) i++;
    int start = i;
    long v = 0;
    while (i < n && b.getByte(i) >= '0' && b.getByte(i) <= '9') {
      if (i - start >= 12) return INVALID; // far out of range: let the full parser decide its type
      v = v * 10 + (b.getByte(i++) - '0');
    }
    if (i == start || (i - start > 1 && b.getByte(start) == '0')) return INVALID;
    i = skip(b, i, n);
    if (i >= n || b.getByte(i) != '}') return INVALID;
    return skip(b, i + 1, n) == n ? (negative ? -v : v) : INVALID;
  }

  private static int skip(Buffer b, int i, int n) {
    while (i < n) {
      byte c = b.getByte(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      i++;
    }
    return i;
  }

  /**
   * The full JSON parser, for every body the scanner did not take (other spacing, a {@code pow}, escapes, unknown
   * fields): parse once, then read the option ({@link #option(JsonObject)}) and the proof of work from the result.
   *
   * @param body the request body
   * @return the body as a JSON object, or null when it is not one
   */
  static JsonObject parse(Buffer body) {
    if (body == null || body.length() == 0) return null;
    if (!io.landslide.edge.http.StrictJson.unambiguous(body.getBytes())) return null; // a key twice: 400, whichever the decoder keeps
    try {
      return Json.decodeValue(body) instanceof JsonObject obj ? obj : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  /**
   * @param obj a parsed body, or null
   * @return its option, or {@link #INVALID} when it is not a vote (no integer option, or a {@code pow} that is not an object)
   */
  static long option(JsonObject obj) {
    if (obj == null) return INVALID;
    Object option = obj.getValue("option");
    if (!(option instanceof Integer || option instanceof Long)) return INVALID;
    Object pow = obj.getValue("pow");
    if (pow != null && !(pow instanceof JsonObject)) return INVALID;
    return ((Number) option).longValue();
  }
}
