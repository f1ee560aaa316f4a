package io.landslide.codec;

import java.nio.charset.StandardCharsets;

/**
 * The stable error codes of the HTTP contract ({@code shared/api-contract.md}), each with its HTTP status,
 * a default message for people, and whether a client may retry the same request later.
 * Mapped to HTTP in this one place, {@code Retry-After} included; bodies are pre-encoded so rejections on the hot path
 * allocate nothing. Every code is listed in {@code docs/openapi.yaml} (a test fails when one is missing).
 */
public enum ErrorCode {
  BAD_REQUEST(400, "bad_request", "The request body is not valid for this endpoint.", false),
  VERIFICATION_INVALID(400, "verification_invalid", "This verification link is unknown, used or expired: ask for a new one.", false),
  UNAUTHORIZED(401, "unauthorized", "A valid bearer token is required.", false),
  INVALID_CREDENTIALS(401, "invalid_credentials", "Email or password is wrong.", false),
  CHALLENGE_REQUIRED(403, "challenge_required", "A proof of work is required: GET /api/v1/polls/{id}/challenge.", false),
  FORBIDDEN(403, "forbidden", "This call needs the admin role.", false),
  RESULTS_HIDDEN(403, "results_hidden", "This poll's results are hidden until they are revealed; its vote log is published with them.", true),
  NOT_ELIGIBLE(403, "not_eligible", "This poll requires what this account lacks (a verified account, or one older than the poll's opening).", false),
  NOT_FOUND(404, "not_found", "No such resource.", false),
  POLL_NOT_FOUND(404, "poll_not_found", "No such poll.", false),
  RECEIPT_NOT_FOUND(404, "receipt_not_found", "No counted vote of this poll has this receipt in a signed checkpoint.", true),
  METHOD_NOT_ALLOWED(405, "method_not_allowed", "This method is not allowed here.", false),
  ALREADY_VOTED(409, "already_voted", "You have already voted in this poll.", false),
  POLL_NOT_OPEN(409, "poll_not_open", "This poll has not opened yet.", true),
  POLL_STARTED(409, "poll_started", "This poll has opened (or opens within seconds): it can no longer be edited; close it, extend it or reveal its results.", false),
  EMAIL_TAKEN(409, "email_taken", "An account with this email exists.", false),
  POLL_CLOSED(410, "poll_closed", "This poll is closed.", false),
  PAYLOAD_TOO_LARGE(413, "payload_too_large", "The request body is too large.", false),
  URI_TOO_LONG(414, "uri_too_long", "The request line is too long.", false),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type", "Send application/json.", false),
  INVALID_OPTION(422, "invalid_option", "No such option in this poll.", false),
  RATE_LIMITED(429, "rate_limited", "Too many requests; retry after the delay given.", true, true),
  HEADERS_TOO_LARGE(431, "headers_too_large", "The request headers are too large.", false),
  INTERNAL(500, "internal", "Something went wrong on our side.", true),
  UNAVAILABLE(503, "unavailable", "The vote could not be made durable and was not recorded; retry after the delay given.", true, true);

  private final int status;
  private final String code;
  private final String message;
  private final boolean retriable;
  private final boolean retryAfter;
  private final byte[] body;

  ErrorCode(int status, String code, String message, boolean retriable) {
    this(status, code, message, retriable, false);
  }

  ErrorCode(int status, String code, String message, boolean retriable, boolean retryAfter) {
    this.status = status;
    this.code = code;
    this.message = message;
    this.retriable = retriable;
    this.retryAfter = retryAfter;
    this.body = json(code, message).getBytes(StandardCharsets.UTF_8);
  }

  /** @return the HTTP status */
  public int status() {
    return status;
  }

  /** @return the stable code clients switch on */
  public String code() {
    return code;
  }

  /** @return the default message for people */
  public String message() {
    return message;
  }

  /** @return whether the same request may succeed later (the {@code Retriable} marker) */
  public boolean retriable() {
    return retriable;
  }

  /** @return whether an answer with this code carries a {@code Retry-After} header (the client is told when to retry) */
  public boolean retryAfter() {
    return retryAfter;
  }

  /** @return the pre-encoded JSON body with the default message; do not modify */
  public byte[] body() {
    return body;
  }

  /**
   * @param message a specific message for people
   * @return the JSON body {@code {"error": code, "message": message}}
   */
  public String body(String message) {
    return json(code, message);
  }

  private static String json(String code, String message) {
    StringBuilder sb = new StringBuilder(message.length() + code.length() + 32).append("{\"error\":\"").append(code).append("\",\"message\":\"");
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.append("\"}").toString();
  }
}
