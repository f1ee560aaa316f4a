package io.landslide.edge;

import io.landslide.codec.CorruptEventException;
import io.landslide.codec.ErrorCode;
import io.landslide.codec.TallyUpdateDescriptor;
import io.vertx.core.buffer.Buffer;
import io.landslide.dedup.VoterBitmap;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP event loop of the edge: routes, handlers, its own pipelined Redis connection. Deployed once per
 * core; the instances share the listening port, the poll cache, the Kafka producer and the PostgreSQL pool.
 */
public final class HttpEdgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEdgeVerticle.class);
  static final int POLL_BODY_LIMIT = 32 * 1024;

  private final EdgeConfig config;
  private final Shared shared;
  private final Function<io.vertx.core.Vertx, VoterBitmap> bitmaps;

  /**
   * What the process builds once and every instance shares.
   *
   * @param auth     tokens to voters
   * @param polls    the poll cache
   * @param store    PostgreSQL
   * @param finality results finality
   * @param producer the Kafka producer
   * @param metrics  the meters
   * @param health   health and metrics endpoints, given this instance's bitmap
   * @param spectators the live spectators of this process (for the connection cap)
   * @param accounts register and login, given this instance's response writer
   * @param rates    the process's rate limits
   * @param defences proof of work and abuse signals
   */
  public record Shared(Authenticator auth, PollCache polls, PollStore store, Finality finality, VoteProducer producer,
                       EdgeMetrics metrics, Function<VoterBitmap, Health> health, java.util.concurrent.atomic.AtomicInteger spectators,
                       Function<Http, AccountApi> accounts, RateLimits rates, Defences defences) {
  }

  /**
   * The process's rate limits, shared by its event loops.
   *
   * @param user a user's votes and challenges
   * @param ip   an address's votes
   * @param auth an address's registrations and logins
   */
  public record RateLimits(RateLimiter user, RateLimiter ip, RateLimiter auth) {
    /** @return all three */
    public java.util.List<RateLimiter> all() {
      return java.util.List.of(user, ip, auth);
    }
  }

  /**
   * @param config  the configuration
   * @param shared  the process-wide parts
   * @param bitmaps makes this instance's bitmap client
   */
  public HttpEdgeVerticle(EdgeConfig config, Shared shared, Function<io.vertx.core.Vertx, VoterBitmap> bitmaps) {
    this.config = config;
    this.shared = shared;
    this.bitmaps = bitmaps;
  }

  @Override
  public Future<?> start() {
    VoterBitmap bitmap = bitmaps.apply(vertx);
    Http http = new Http(config.retryAfterSeconds());
    LiveResults live = new LiveResults(vertx, shared.polls(), shared.store(), shared.finality(), shared.spectators(), config.maxSpectators(),
      config.liveFrameBudget(), config.liveResyncMs());
    ProofOfWork pow = new ProofOfWork(config.pow().secret().getBytes(java.nio.charset.StandardCharsets.UTF_8), config.pow().ttlSeconds(),
      System::currentTimeMillis);
    Router router = router(bitmap, http, live, pow);
    VoteHandler votes = new VoteHandler(shared.auth(), shared.polls(), bitmap, shared.producer(), pow, shared.defences(), shared.rates(),
      config.corsOrigins(), shared.metrics(), http);
    Future<Void> redis = bitmap.connect().recover(t -> {
      LOG.warn("redis unreachable at start ({}); votes will rely on PostgreSQL's key until it is back", t.getMessage());
      return Future.succeededFuture();
    });
    HttpServerOptions serverOptions = new HttpServerOptions();
    if (config.tlsCertPath() != null) {
      serverOptions.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(config.tlsCertPath())
        .setKeyPath(config.tlsKeyPath()));
    }
    Future<?> listen = vertx.createHttpServer(serverOptions.setPort(config.httpPort())
        .setMaxHeaderSize(8 * 1024).setMaxInitialLineLength(4 * 1024).setIdleTimeout(120).setDecompressionSupported(false)
        // Spectators only listen: anything they send is small (pings, pongs, a close).
        .setMaxWebSocketFrameSize(4 * 1024).setMaxWebSocketMessageSize(4 * 1024))
      .invalidRequestHandler(req -> refuseMalformed(req, http))
      .connectionHandler(c -> shared.metrics().connectionOpened(c))
      // The vote path skips the router: it is the hot path, and it reads its own bounded body.
      .requestHandler(req -> {
        if (req.method() == HttpMethod.POST && VoteHandler.matches(req.path())) votes.handle(req);
        else router.handle(req);
      }).listen();
    // Every instance hears every commit's shard counts (publish), and merges them into its own live views.
    Future<Void> tallies = vertx.eventBus().<Buffer>consumer(TallyUpdateDescriptor.ADDRESS, m -> {
      try {
        live.onTallies(TallyUpdateDescriptor.decode(m.body().getBytes()));
      } catch (CorruptEventException e) {
        LOG.warn("ignoring a malformed tally update: {}", e.getMessage());
      }
    }).completion();
    return Future.join(redis, listen, tallies);
  }

  /**
   * A request Netty could not decode (headers over 8 KiB, a request line over 4 KiB, a broken request): answered in
   * the contract's error shape, and the connection is closed after it (its framing can no longer be trusted).
   */
  private static void refuseMalformed(HttpServerRequest req, Http http) {
    Throwable cause = req.decoderResult().cause();
    ErrorCode code = cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? ErrorCode.HEADERS_TOO_LARGE
      : cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? ErrorCode.URI_TOO_LONG : ErrorCode.BAD_REQUEST;
    req.response().putHeader(HttpHeaders.CONNECTION, "close"); // closed once answered
    http.error(req.response(), code, null);
  }

  /** A poll's page (results, or the voter's page); an id that is not a poll id is 404. */
  private static void page(RoutingContext ctx, Http http, String file) {
    if (Http.id(ctx.pathParam("id")) < 0) http.error(ctx, ErrorCode.NOT_FOUND, null);
    else ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").sendFile(file);
  }

  /** Headers every routed response carries: pages may not be framed or sniffed, and run only the edge's own scripts. */
  private static void securityHeaders(RoutingContext ctx) {
    ctx.response().headers()
      .set("X-Content-Type-Options", "nosniff")
      .set("Referrer-Policy", "no-referrer")
      .set("X-Frame-Options", "DENY")
      .set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        + "connect-src 'self'; worker-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    ctx.next();
  }

  private Router router(VoterBitmap bitmap, Http http, LiveResults live, ProofOfWork pow) {
    Router r = Router.router(vertx);
    r.route().handler(HttpEdgeVerticle::securityHeaders);
    if (config.tlsCertPath() != null) {
      r.route().handler(ctx -> {
        ctx.response().putHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
        ctx.next();
      });
    }
    if (!config.corsOrigins().isEmpty()) {
      r.route().handler(io.vertx.ext.web.handler.CorsHandler.create().addOrigins(config.corsOrigins())
        .allowedMethods(java.util.Set.of(HttpMethod.GET, HttpMethod.POST)).allowedHeaders(java.util.Set.of("Authorization", "Content-Type"))
        .exposedHeaders(java.util.Set.of("Retry-After")).maxAgeSeconds(600));
    }
    PollApi api = new PollApi(shared.auth(), shared.polls(), shared.store(), live, bitmap,
      shared.defences().abuse().flagThreshold(), http);
    Health health = shared.health().apply(bitmap);
    SpectatorApi spectators = new SpectatorApi(shared.polls(), live, http);

    r.get("/api/v1/polls/:id/votes/me").handler(api::myVote);
    r.get("/api/v1/polls/:id/results").handler(api::results);
    r.get("/api/v1/polls/:id/challenge").handler(new ChallengeApi(shared.auth(), shared.polls(), pow, shared.defences(), shared.rates().user(), http)::challenge);
    r.get("/api/v1/polls/:id/flags").handler(api::flags);
    r.get("/api/v1/polls/:id/live").handler(spectators::webSocket);
    r.get("/api/v1/polls/:id/events").handler(spectators::events);
    r.get("/polls/:id").handler(ctx -> page(ctx, http, "webroot/poll.html"));
    r.get("/polls/:id/vote").handler(ctx -> page(ctx, http, "webroot/vote.html"));
    r.post("/api/v1/polls/:id/close").handler(api::close);
    r.post("/api/v1/polls/:id/bitmap/rebuild").handler(api::rebuildBitmap);
    r.get("/api/v1/polls/:id").handler(api::get);
    r.get("/api/v1/polls").handler(api::list);
    r.post("/api/v1/polls").handler(BodyHandler.create(false).setBodyLimit(POLL_BODY_LIMIT)).handler(api::create);
    AccountApi accounts = shared.accounts().apply(http);
    r.post("/api/v1/auth/register").handler(BodyHandler.create(false).setBodyLimit(AccountApi.BODY_LIMIT)).handler(accounts::register);
    r.post("/api/v1/auth/login").handler(BodyHandler.create(false).setBodyLimit(AccountApi.BODY_LIMIT)).handler(accounts::login);
    String jwks = Authenticator.jwks(config).encode();
    r.get("/.well-known/jwks.json").handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "public, max-age=300");
      Http.json(ctx, 200, jwks);
    });
    for (String prefix : new String[] {"", "/api/v1"}) {
      r.get(prefix + "/health/live").handler(health::live);
      r.get(prefix + "/health/ready").handler(health::ready);
      r.get(prefix + "/metrics").handler(health::metrics);
    }
    r.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(true).setMaxAgeSeconds(60));

    r.errorHandler(400, ctx -> http.error(ctx, ErrorCode.BAD_REQUEST, null));
    r.errorHandler(404, ctx -> http.error(ctx, ErrorCode.NOT_FOUND, null));
    r.errorHandler(405, ctx -> http.error(ctx, ErrorCode.METHOD_NOT_ALLOWED, null));
    r.errorHandler(413, ctx -> http.error(ctx, ErrorCode.PAYLOAD_TOO_LARGE, null));
    r.errorHandler(500, ctx -> {
      if (ctx.failure() != null) LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      http.error(ctx, ErrorCode.INTERNAL, null);
    });
    return r;
  }
}
