package io.landslide.edge.account;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.defence.RateLimiter;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A built-in account's e-mail verification: at registration (and on {@code POST /auth/verify/resend}) a link with a
 * 256-bit secret is mailed ({@link Mail}); the database keeps only the secret's SHA-256, for
 * {@value #TTL_HOURS} hours. {@code POST /auth/verify {"token"}} marks the account verified and spends every link of
 * it; the page at the link posts it (a link followed by a mail scanner's prefetch verifies nothing: the secret is in
 * the fragment, which no request carries). The next login's token carries {@code email_verified}.
 */
public final class EmailVerification {
  private static final Logger LOG = LoggerFactory.getLogger(EmailVerification.class);
  static final int TTL_HOURS = 24;
  public static final int BODY_LIMIT = 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pool;
  private final Mail.Sender mail;
  private final String publicUrl;
  private final RateLimiter addressLimit;
  private final Http http;

  /**
   * @param pool         PostgreSQL
   * @param mail         the sender
   * @param publicUrl    the site's address, for the link
   * @param addressLimit the per-network limit registration and login share
   * @param http         response writing
   */
  public EmailVerification(Pool pool, Mail.Sender mail, String publicUrl, RateLimiter addressLimit, Http http) {
    this.pool = pool;
    this.mail = mail;
    this.publicUrl = publicUrl;
    this.addressLimit = addressLimit;
    this.http = http;
  }

  /**
   * Mails a new link to an account's address. A failure is logged, not passed on: the account exists either way, and
   * a new link can be asked for.
   *
   * @param user  the account
   * @param email its address
   * @return done
   */
  Future<Void> send(long user, String email) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return pool.preparedQuery("INSERT INTO email_verifications (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))")
      .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash(token)), user, TTL_HOURS))
      .compose(x -> mail.send(email, "Confirm your e-mail address",
        "Open this link to confirm the address of your voting account (it works for " + TTL_HOURS + " hours):\n\n"
          + publicUrl + "/verify#token=" + token + "\n\nIf you did not register, ignore this message.\n"))
      .recover(t -> {
        LOG.warn("verification mail for user {} not sent: {}", user, t.getMessage());
        return Future.succeededFuture();
      });
  }

  /** @return whether the request's network is over the limit registration and login share (then answered 429) */
  private boolean limited(RoutingContext ctx) {
    if (addressLimit.tryAcquire(Http.networkKey(ctx.request()))) return false;
    http.error(ctx, ErrorCode.RATE_LIMITED, null);
    return true;
  }

  /** {@code POST /auth/verify {"token"}} → 200 {@code {"userId","verified":true}}; 400 {@code verification_invalid}. */
  public void verify(RoutingContext ctx) {
    if (limited(ctx)) return;
    Future.succeededFuture(ctx).map(c -> {
      JsonObject body = Http.jsonObject(c.body().asString());
      if (!(body.getValue("token") instanceof String t) || t.length() != 43 || !t.matches("[A-Za-z0-9_-]{43}")) {
        throw Rejection.of(ErrorCode.BAD_REQUEST, "Send {\"token\": <the token of the link>}.");
      }
      return t;
    }).compose(token -> pool.withTransaction(c -> c.preparedQuery("DELETE FROM email_verifications WHERE token_hash = $1 AND expires_at > now()"
          + " RETURNING user_id").execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash(token))))
        .compose(rows -> {
          if (rows.size() == 0) return Future.failedFuture(Rejection.of(ErrorCode.VERIFICATION_INVALID));
          long user = rows.iterator().next().getLong(0);
          return c.preparedQuery("UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1 AND issuer IS NULL")
            .execute(Tuple.of(user))
            .compose(x -> c.preparedQuery("DELETE FROM email_verifications WHERE user_id = $1").execute(Tuple.of(user)))
            .map(user);
        })))
      .onSuccess(user -> Http.json(ctx, 200, new JsonObject().put("userId", user).put("verified", true).encode()))
      .onFailure(t -> http.fail(ctx, t));
  }

  /**
   * {@code POST /auth/verify/resend {"email"}} → 202 whatever the address: a link goes out only to an unverified
   * account's, and the answer does not say whether one exists.
   */
  public void resend(RoutingContext ctx) {
    if (limited(ctx)) return;
    Future.succeededFuture(ctx).map(c -> {
      JsonObject body = Http.jsonObject(c.body().asString());
      if (!(body.getValue("email") instanceof String e) || !AccountApi.Credentials.isEmail(e.strip())) {
        throw Rejection.of(ErrorCode.BAD_REQUEST, "Send {\"email\": <the account's address>}.");
      }
      return e.strip();
    }).compose(email -> pool.preparedQuery("SELECT u.id, u.email FROM users u WHERE u.email_key = $1 AND u.email_verified_at IS NULL"
          // At most one new link a minute per account: resending cannot flood an inbox.
          + " AND NOT EXISTS (SELECT 1 FROM email_verifications v WHERE v.user_id = u.id"
          + " AND v.expires_at > now() + make_interval(hours => $2) - interval '1 minute')")
        .execute(Tuple.of(AccountApi.Credentials.key(email), TTL_HOURS))
        // Answered once the link is stored and handed to the sender: the same answer for any address (the time can
        // differ by that write; docs/security.md).
        .compose(rows -> rows.size() == 0 ? Future.<Void>succeededFuture() : send(rows.iterator().next().getLong(0), rows.iterator().next().getString(1))))
      .onSuccess(x -> Http.json(ctx, 202, new JsonObject().put("status", "sent if the address has an unverified account").encode()))
      .onFailure(t -> http.fail(ctx, t));
  }

  static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
