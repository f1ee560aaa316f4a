package io.landslide.edge;

import io.landslide.codec.CorruptEventException;
import io.landslide.codec.ErrorCode;
import io.landslide.codec.TallyUpdateDescriptor;
import io.landslide.dedup.VoterBitmap;
import io.landslide.edge.account.AccountApi;
import io.landslide.edge.account.Authenticator;
import io.landslide.edge.audit.AuditExport;
import io.landslide.edge.audit.LogApi;
import io.landslide.edge.audit.LogStore;
import io.landslide.edge.audit.ReceiptCipher;
import io.landslide.edge.defence.ChallengeApi;
import io.landslide.edge.defence.Defences;
import io.landslide.edge.defence.PowConfig;
import io.landslide.edge.defence.ProofOfWork;
import io.landslide.edge.defence.RateLimits;
import io.landslide.edge.http.Http;
import io.landslide.edge.http.HttpConfig;
import io.landslide.edge.http.SecurityHeaders;
import io.landslide.edge.http.SlowClients;
import io.landslide.edge.http.TrustedProxies;
import io.landslide.edge.live.LiveConfig;
import io.landslide.edge.live.LiveResults;
import io.landslide.edge.live.ResultsApi;
import io.landslide.edge.ops.EdgeMetrics;
import io.landslide.edge.ops.Health;
import io.landslide.edge.poll.Finality;
import io.landslide.edge.poll.PollApi;
import io.landslide.edge.poll.PollCache;
import io.landslide.edge.poll.PollStore;
import io.landslide.edge.vote.VoteHandler;
import io.landslide.edge.vote.VoteProducer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
  /** The HTTP contract with what this implementation adds (docs/openapi.yaml, packaged into the jar). */
  static final String OPENAPI = "openapi/openapi.yaml";

  private final HttpConfig config;
  private final LiveConfig liveConfig;
  private final PowConfig powConfig;
  private final Shared shared;
  private final Function<Vertx, VoterBitmap> bitmaps;
  private HttpServer server;
  private LiveResults live;

  /**
   * What the process builds once and every instance shares.
   *
   * @param auth     tokens to voters
   * @param polls    the poll cache
   * @param store    PostgreSQL
   * @param finality results finality
   * @param producer the Kafka producer
   * @param metrics  the meters
   * @param health   health and metrics endpoints (the process's one view)
   * @param spectators the live spectators of this process (for the connection cap)
   * @param accounts register and login, given this instance's response writer
   * @param rates    the process's rate limits
   * @param defences proof of work and abuse signals
   * @param jwks     the JWKS document served at {@code /.well-known/jwks.json}
   * @param log      the verifiable vote logs
   * @param receipts issues and opens receipts
   * @param spectatorCap live connections per client address, process-wide
   * @param adminTokens the lifetime and deny-list of admin tokens
   * @param tallySeal  authenticates tally updates from the bus (the cluster key)
   */
  public record Shared(Authenticator auth, PollCache polls, PollStore store, Finality finality, VoteProducer producer,
                       EdgeMetrics metrics, Health health, AtomicInteger spectators,
                       java.util.function.BiFunction<Http, ProofOfWork, AccountApi> accounts, RateLimits rates, Defences defences, String jwks, LogStore log,
                       ReceiptCipher receipts, io.landslide.edge.live.SpectatorCap spectatorCap,
                       io.landslide.edge.account.AdminTokens adminTokens, io.landslide.codec.TallySeal tallySeal,
                       io.landslide.edge.ops.ShowStats show, io.landslide.edge.ops.ControlRoom controlRoom) {
  }

  /**
   * @param config     the listener
   * @param liveConfig live results
   * @param powConfig  proof of work (this instance's checker)
   * @param shared     the process-wide parts
   * @param bitmaps    makes this instance's bitmap client
   */
  public HttpEdgeVerticle(HttpConfig config, LiveConfig liveConfig, PowConfig powConfig, Shared shared, Function<Vertx, VoterBitmap> bitmaps) {
    this.config = config;
    this.liveConfig = liveConfig;
    this.powConfig = powConfig;
    this.shared = shared;
    this.bitmaps = bitmaps;
  }

  @Override
  public Future<?> start() {
    VoterBitmap bitmap = bitmaps.apply(vertx);
    Http http = new Http(config.retryAfterSeconds());
    live = new LiveResults(vertx, shared.polls(), shared.store(), shared.finality(), shared.log(), shared.spectators(), liveConfig);
    live.onFrame(shared.metrics()::framePublished);
    live.showing(shared.show(), ms -> {
      shared.metrics().voteToScreen(ms);
      shared.show().voteToScreen(ms);
    });
    ProofOfWork pow = new ProofOfWork(powConfig.secret().getBytes(StandardCharsets.UTF_8), powConfig.ttlSeconds(), System::currentTimeMillis);
    Router router = router(bitmap, http, live, pow);
    VoteHandler votes = new VoteHandler(shared.auth(), shared.polls(), bitmap, shared.producer(), pow, shared.defences(), shared.rates(),
      config.corsOrigins(), shared.metrics(), http, shared.receipts(), shared.show());
    Future<Void> redis = bitmap.connect().recover(t -> {
      LOG.warn("redis unreachable at start ({}); votes will rely on PostgreSQL's key until it is back", t.getMessage());
      return Future.succeededFuture();
    });
    SlowClients slow = new SlowClients(vertx, config.headerTimeoutMs(), SlowClients.KEEP_ALIVE_MS, config.bodyTimeoutMs());
    HttpServerOptions serverOptions = new HttpServerOptions();
    if (config.tls()) {
      serverOptions.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tlsCertPath()).setKeyPath(config.tlsKeyPath()));
    }
    // Behind the NLB every connection opens with a PROXY header naming the client: req.remoteAddress() (rate limits,
    // abuse signals, the vote's address) is then the client's, and only the load balancers may say so.
    TrustedProxies proxies = config.proxyProtocol() ? new TrustedProxies(config.trustedProxies()) : null;
    if (proxies != null) serverOptions.setUseProxyProtocol(true);
    Future<?> listen = vertx.createHttpServer(serverOptions.setPort(config.port())
        .setMaxHeaderSize(8 * 1024).setMaxInitialLineLength(4 * 1024).setIdleTimeout(120).setDecompressionSupported(false)
        // No HTTP/2 cleartext unless configured (VOTING_HTTP_H2C): the load balancer speaks HTTP/1.1 to the edge, and
        // h2c upgrades have left a request unanswered here (a JDK client's upgraded stream hung until the idle timeout).
        .setHttp2ClearTextEnabled(config.h2c())
        // Spectators only listen: anything they send is small (pings, pongs, a close).
        .setMaxWebSocketFrameSize(4 * 1024).setMaxWebSocketMessageSize(4 * 1024))
      .invalidRequestHandler(req -> refuseMalformed(req, http))
      .connectionHandler(c -> {
        if (proxies == null || proxies.admit(c)) {
          // One close handler for both: a connection keeps only the last one set (the gauge once never went down).
          shared.metrics().connectionOpened();
          slow.opened(c);
          c.closeHandler(v -> {
            shared.metrics().connectionClosed();
            slow.closed(c);
          });
        }
      })
      // The vote path skips the router: it is the hot path, and it reads its own bounded body.
      .requestHandler(req -> {
        slow.request(req);
        if (req.method() == HttpMethod.POST && VoteHandler.matches(req.path())) votes.handle(req);
        else router.handle(req);
      }).listen().onSuccess(s -> server = s);
    // Every instance hears every commit's shard counts (publish), and merges them into its own live views.
    // Authenticated with the cluster key (TallySeal): anything else on the address is dropped and counted, and logged
    // at the 1st, 2nd, 4th, 8th... refusal rather than once each in a storm.
    Future<Void> tallies = vertx.eventBus().<Object>consumer(TallyUpdateDescriptor.ADDRESS, m -> {
      try {
        if (!(m.body() instanceof Buffer body)) throw new CorruptEventException("a tally update that is not bytes");
        live.onTallies(TallyUpdateDescriptor.decodeMessage(shared.tallySeal().open(body.getBytes())));
        shared.metrics().tallyTaken();
      } catch (CorruptEventException e) {
        long refused = shared.metrics().tallyRefused();
        if (Long.bitCount(refused) == 1) LOG.warn("tally update refused ({} so far): {}", refused, e.getMessage());
      }
    }).completion();
    return Future.join(redis, listen, tallies);
  }

  /**
   * Graceful: spectators are closed with a reconnect hint, the server stops accepting connections, and every request
   * in flight (a vote waiting for Kafka's ack) is answered before its connection closes, within the drain time.
   */
  @Override
  public Future<?> stop() {
    if (live != null) {
      int closed = live.closeAllForRestart();
      if (closed > 0) LOG.info("closed {} spectators with a reconnect hint", closed);
    }
    return server == null ? Future.succeededFuture() : server.shutdown(config.drainSeconds(), TimeUnit.SECONDS);
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

  private Router router(VoterBitmap bitmap, Http http, LiveResults live, ProofOfWork pow) {
    Router r = Router.router(vertx);
    r.route().handler(new SecurityHeaders(config.tls()));
    if (!config.corsOrigins().isEmpty()) {
      r.route().handler(CorsHandler.create().addOrigins(config.corsOrigins())
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST)).allowedHeaders(Set.of("Authorization", "Content-Type"))
        .exposedHeaders(Set.of("Retry-After")).maxAgeSeconds(600));
    }
    PollApi api = new PollApi(shared.auth(), shared.polls(), shared.store(), bitmap, shared.defences().abuse().flagThreshold(), http);
    ResultsApi results = new ResultsApi(shared.polls(), live, http, new io.landslide.edge.poll.Visibility(shared.auth()), shared.spectatorCap());

    r.get("/api/v1/polls/:id/votes/me").handler(api::myVote);
    r.get("/api/v1/polls/:id/results").handler(results::results);
    r.get("/api/v1/polls/:id/challenge").handler(new ChallengeApi(shared.auth(), shared.polls(), pow, shared.defences(), shared.rates().user(), http)::challenge);
    r.get("/api/v1/polls/:id/flags").handler(api::flags);
    r.get("/api/v1/polls/:id/live").handler(results::webSocket);
    r.get("/api/v1/polls/:id/events").handler(results::events);
    r.get("/polls/:id").handler(ctx -> page(ctx, http, "webroot/poll.html"));
    r.get("/polls/:id/vote").handler(ctx -> page(ctx, http, "webroot/vote.html"));
    r.get("/polls/:id/broadcast").handler(ctx -> page(ctx, http, "webroot/broadcast.html"));
    LogApi log = new LogApi(shared.polls(), shared.log(), shared.receipts(), http);
    r.get("/api/v1/audit/key").handler(log::key);
    r.get("/api/v1/polls/:id/log/checkpoint").handler(log::checkpoint);
    r.get("/api/v1/polls/:id/log/result").handler(log::result);
    r.get("/api/v1/polls/:id/log/consistency").handler(log::consistency);
    r.get("/api/v1/polls/:id/log/tile/*").handler(log::tile);
    r.get("/api/v1/polls/:id/receipts/:receipt").handler(log::receipt);
    AuditExport export = new AuditExport(shared.auth(), shared.polls(), shared.log(), http);
    r.get("/api/v1/admin/polls/:id/audit/bundle").handler(export::bundle);
    r.get("/api/v1/admin/polls/:id/audit/reconciliation").handler(export::reconciliation);
    io.landslide.edge.account.PersonalData personal = new io.landslide.edge.account.PersonalData(shared.auth(), shared.polls(), shared.store().pool(),
      shared.adminTokens(), http);
    r.get("/api/v1/me").handler(personal::export);
    r.delete("/api/v1/me").handler(BodyHandler.create(false).setBodyLimit(io.landslide.edge.account.PersonalData.BODY_LIMIT)).handler(personal::erase);
    r.post("/api/v1/admin/revocations").handler(BodyHandler.create(false).setBodyLimit(io.landslide.edge.account.RevocationApi.BODY_LIMIT))
      .handler(new io.landslide.edge.account.RevocationApi(shared.auth(), shared.adminTokens(), http)::revoke);
    r.post("/api/v1/polls/:id/close").handler(api::close);
    r.post("/api/v1/polls/:id/reveal").handler(api::reveal);
    r.post("/api/v1/polls/:id/open").handler(api::open);
    r.post("/api/v1/polls/:id/extend").handler(BodyHandler.create(false).setBodyLimit(POLL_BODY_LIMIT)).handler(api::extend);
    r.patch("/api/v1/polls/:id").handler(BodyHandler.create(false).setBodyLimit(POLL_BODY_LIMIT)).handler(api::edit);
    r.get("/api/v1/admin/polls/:id/actions").handler(api::actions);
    r.get("/api/v1/admin/polls/:id/panel").handler(new io.landslide.edge.ops.PanelApi(shared.auth(), shared.polls(), live, shared.controlRoom(), http)::panel);
    r.post("/api/v1/polls/:id/bitmap/rebuild").handler(api::rebuildBitmap);
    r.get("/api/v1/polls/:id").handler(api::get);
    r.get("/api/v1/polls").handler(api::list);
    r.post("/api/v1/polls").handler(BodyHandler.create(false).setBodyLimit(POLL_BODY_LIMIT)).handler(api::create);
    AccountApi accounts = shared.accounts().apply(http, pow);
    r.get("/api/v1/auth/challenge").handler(accounts::challenge);
    r.post("/api/v1/auth/register").handler(BodyHandler.create(false).setBodyLimit(AccountApi.BODY_LIMIT)).handler(accounts::register);
    r.post("/api/v1/auth/login").handler(BodyHandler.create(false).setBodyLimit(AccountApi.BODY_LIMIT)).handler(accounts::login);
    r.post("/api/v1/auth/token").handler(accounts.exchange()::exchange);
    io.landslide.edge.account.EmailVerification verification = accounts.verification();
    r.post("/api/v1/auth/verify").handler(BodyHandler.create(false).setBodyLimit(io.landslide.edge.account.EmailVerification.BODY_LIMIT))
      .handler(verification::verify);
    r.post("/api/v1/auth/verify/resend").handler(BodyHandler.create(false).setBodyLimit(io.landslide.edge.account.EmailVerification.BODY_LIMIT))
      .handler(verification::resend);
    // The operator console: a static page; everything it shows or does is the admin API's, with the admin's token.
    r.get("/console").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
      .sendFile("webroot/console.html"));
    r.get("/verify").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").sendFile("webroot/verify.html"));
    r.get("/.well-known/jwks.json").handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "public, max-age=300");
      Http.json(ctx, 200, shared.jwks());
    });
    r.get("/api/v1/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8")
      .putHeader("Cache-Control", "public, max-age=300").sendFile(OPENAPI));
    if (!config.separateOps()) EdgeOpsVerticle.mount(r, shared.health()); // else on the operations port only
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
