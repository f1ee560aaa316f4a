package io.landslide.edge.account;

import io.landslide.codec.ErrorCode;
import io.landslide.edge.defence.RateLimiter;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.Rejection;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.text.Normalizer;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /auth/register} and {@code POST /auth/login}. Passwords are hashed with Argon2id on a small pool of
 * worker threads of their own (never an event loop, never the shared worker pool), with a bound on hashes queued:
 * past it, 503 with {@code Retry-After}. A failed login answers the same whichever part was wrong, after the same work.
 */
public final class AccountApi {
  public static final int BODY_LIMIT = 4 * 1024;
  static final int MIN_PASSWORD = 8;
  static final int MAX_PASSWORD = 1024;

  private final AccountStore store;
  private final PasswordHasher hasher;
  private final Authenticator.Issuer issuer;
  private final WorkerExecutor kdf;
  private final AtomicInteger queued;
  private final AccountConfig config;
  private final RateLimiter addressLimit;
  private final io.landslide.edge.defence.ProofOfWork pow;
  private final Http http;
  private EmailVerification verification;
  private TokenExchange exchange;

  /**
   * @param store  accounts
   * @param hasher password hashes
   * @param issuer signs tokens, or null where this edge issues none (production without a signing key)
   * @param kdf    the hashing threads
   * @param queued the process-wide count of hashes queued or running
   * @param config the configuration
   * @param addressLimit registrations and logins per IPv4 address and per IPv6 /64 ({@link Http#networkKey})
   * @param http   response writing
   */
  public AccountApi(AccountStore store, PasswordHasher hasher, Authenticator.Issuer issuer, WorkerExecutor kdf, AtomicInteger queued, AccountConfig config,
             RateLimiter addressLimit, Http http, io.landslide.edge.defence.ProofOfWork pow) {
    this.pow = pow;
    this.store = store;
    this.hasher = hasher;
    this.issuer = issuer;
    this.kdf = kdf;
    this.queued = queued;
    this.config = config;
    this.addressLimit = addressLimit;
    this.http = http;
  }

  /**
   * @param verification mails a verification link to each new account
   * @return this
   */
  public AccountApi verifyingWith(EmailVerification verification) {
    this.verification = verification;
    return this;
  }

  /**
   * @param exchange turns the identity provider's tokens into this service's
   * @return this
   */
  public AccountApi exchangingWith(TokenExchange exchange) {
    this.exchange = exchange;
    return this;
  }

  /** @return the e-mail verification (its routes), or null */
  public EmailVerification verification() {
    return verification;
  }

  /** @return the token exchange (its route), or null */
  public TokenExchange exchange() {
    return exchange;
  }

  /**
   * {@code GET /auth/challenge?email=}: a registration's proof of work, bound to the e-mail (its {@code sub} is the
   * e-mail's number, {@code poll} 0), so one solution registers one address. Limited like register and login.
   */
  public void challenge(RoutingContext ctx) {
    if (!addressLimit.tryAcquire(Http.networkKey(ctx.request()))) {
      http.error(ctx, ErrorCode.RATE_LIMITED, null);
      return;
    }
    String raw = ctx.request().getParam("email");
    String email = raw == null ? null : raw.strip();
    if (email == null || !Credentials.isEmail(email)) {
      http.error(ctx, ErrorCode.BAD_REQUEST, "Ask with ?email=<the address to register>.");
      return;
    }
    long sub = emailNumber(Credentials.key(email));
    Http.json(ctx, 200, pow.challenge(0, sub, config.registerDifficulty()).put("sub", Long.toString(sub)).put("poll", 0).encode());
  }

  /** @return the number a registration's proof of work is bound to: 32 bits of SHA-256 of the normalised e-mail */
  static long emailNumber(String emailKey) {
    byte[] h = io.landslide.codec.PowHash.sha256().digest(("landslide-register\n" + emailKey).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return ((h[0] & 0xffL) << 24 | (h[1] & 0xffL) << 16 | (h[2] & 0xffL) << 8 | (h[3] & 0xffL)) + 1;
  }

  /** {@code POST /auth/register {"email","password","pow"?}} → 201 {@code {"userId"}}; 400; 403 {@code challenge_required}; 409 {@code email_taken}. */
  public void register(RoutingContext ctx) {
    credentials(ctx)
      .compose(cred -> {
        int difficulty = config.registerDifficulty();
        if (difficulty > 0 && !pow.verify(cred.pow(), 0, emailNumber(cred.emailKey()), difficulty)) {
          return Future.failedFuture(Rejection.of(ErrorCode.CHALLENGE_REQUIRED,
            "A proof of work is required to register: GET /api/v1/auth/challenge?email=<the address>."));
        }
        return Future.succeededFuture(cred);
      })
      .compose(cred -> store.exists(cred.emailKey()).compose(taken -> {
        // The same work whether the address is taken or not: a taken one is hashed too, so the answer's timing does
        // not tell an attacker which e-mail addresses have accounts (the contract's 409 still says so: docs/security.md).
        if (taken) return hashing(() -> hasher.hash(cred.password())).compose(h -> Future.failedFuture(Rejection.of(ErrorCode.EMAIL_TAKEN)));
        return hashing(() -> hasher.hash(cred.password()))
          .compose(hash -> store.create(cred.email(), cred.emailKey(), hash))
          .compose(id -> id == null ? Future.failedFuture(Rejection.of(ErrorCode.EMAIL_TAKEN))
            : verification == null ? Future.succeededFuture(id) : verification.send(id, cred.email()).map(id));
      }))
      .onSuccess(id -> Http.json(ctx, 201, new JsonObject().put("userId", id).encode()))
      .onFailure(t -> http.fail(ctx, t));
  }

  /** {@code POST /auth/login {"email","password"}} → 200 {@code {"token","expiresIn"}}; 401 {@code invalid_credentials}. */
  public void login(RoutingContext ctx) {
    credentials(ctx)
      .compose(cred -> store.find(cred.emailKey()).compose(account -> hashing(() -> {
        if (account == null) {
          hasher.verifyNobody(cred.password());
          return null;
        }
        return hasher.verify(cred.password(), account.passwordHash()) ? account : null;
      })))
      .compose(account -> {
        if (account == null) return Future.failedFuture(Rejection.of(ErrorCode.INVALID_CREDENTIALS));
        if (issuer == null) return Future.failedFuture(Rejection.of(ErrorCode.UNAVAILABLE, "This edge issues no tokens."));
        // What a poll's eligibility needs, signed into the token: the vote path reads it without a lookup.
        JsonObject claims = new JsonObject().put("sub", Long.toString(account.id())).put("created_at", account.createdAt());
        if (account.verified()) claims.put("email_verified", true);
        if (!account.roles().isEmpty()) claims.put("roles", new JsonArray(account.roles()));
        // A privileged account's token lives minutes (AdminTokens), a voter's the show.
        boolean privileged = account.roles().contains("admin") || account.roles().contains("scrutineer");
        long ttl = privileged ? Math.min(config.tokenTtlSeconds(), config.adminTokenMaxSeconds()) : config.tokenTtlSeconds();
        String token = issuer.sign(claims, ttl);
        return Future.succeededFuture(new JsonObject().put("token", token).put("expiresIn", ttl));
      })
      .onSuccess(json -> Http.json(ctx, 200, json.encode()))
      .onFailure(t -> http.fail(ctx, t));
  }

  /** @return the body's credentials, once the caller's address is within its limit (checked first: it is cheap) */
  private Future<Credentials> credentials(RoutingContext ctx) {
    if (!addressLimit.tryAcquire(Http.networkKey(ctx.request()))) return Future.failedFuture(Rejection.of(ErrorCode.RATE_LIMITED));
    return Future.succeededFuture(ctx).map(c -> Credentials.parse(Http.jsonObject(c.body().asString())));
  }

  private <T> Future<T> hashing(Callable<T> work) {
    if (queued.incrementAndGet() > config.maxHashesQueued()) {
      queued.decrementAndGet();
      return Future.failedFuture(Rejection.of(ErrorCode.UNAVAILABLE, "Too many sign-ins at once; retry after the delay given."));
    }
    return kdf.executeBlocking(work, false).onComplete(ar -> queued.decrementAndGet());
  }

  /**
   * A validated register or login body.
   *
   * @param email    the email as given (trimmed)
   * @param emailKey its normalised form (NFC, lower case): what uniqueness and login compare
   * @param password the password
   */
  record Credentials(String email, String emailKey, String password, JsonObject pow) {
    /** @return the normalised key of an e-mail (what makes two spellings one account) */
    static String key(String email) {
      return Normalizer.normalize(email, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    static Credentials parse(JsonObject o) {
      if (!(o.getValue("email") instanceof String raw) || !(o.getValue("password") instanceof String password)) {
        throw bad("Send {\"email\": <string>, \"password\": <string>}.");
      }
      String email = raw.strip();
      if (!isEmail(email)) throw bad("email is not an email address.");
      int length = password.codePointCount(0, password.length());
      if (length < MIN_PASSWORD || length > MAX_PASSWORD) throw bad("password must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters.");
      if (password.chars().anyMatch(c -> c == 0)) throw bad("password has a NUL character.");
      Object pow = o.getValue("pow");
      if (pow != null && !(pow instanceof JsonObject)) throw bad("pow must be an object: {challenge, expires, signature, nonce}.");
      return new Credentials(email, key(email), password, (JsonObject) pow);
    }

    /** A pragmatic check (RFC 5321 lengths, one {@code @}, a dotted domain, no spaces or controls), not a full RFC 5322 parser. */
    static boolean isEmail(String s) {
      if (s.length() < 3 || s.length() > 254) return false;
      int at = s.indexOf('@');
      if (at < 1 || at > 64 || at != s.lastIndexOf('@')) return false;
      String domain = s.substring(at + 1);
      if (domain.length() < 3 || !domain.contains(".") || domain.startsWith(".") || domain.endsWith(".") || domain.contains("..")
        || domain.startsWith("-")) {
        return false;
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '<' || c == '>' || c == '"' || c == '\\' || c == ',') return false;
      }
      if (s.codePoints().anyMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) return false; // a lone surrogate
      return !s.startsWith(".") && !s.substring(0, at).endsWith(".") && !s.substring(0, at).contains("..");
    }

    private static Rejection bad(String message) {
      return Rejection.of(ErrorCode.BAD_REQUEST, message);
    }
  }
}
