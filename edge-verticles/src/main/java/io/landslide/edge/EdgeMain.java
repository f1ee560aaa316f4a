package io.landslide.edge;

import io.landslide.dedup.VoterBitmap;
import io.landslide.edge.account.AccountApi;
import io.landslide.edge.account.AccountStore;
import io.landslide.edge.account.AdminTokens;
import io.landslide.edge.account.Authenticator;
import io.landslide.edge.audit.LogStore;
import io.landslide.edge.audit.ReceiptCipher;
import io.landslide.edge.account.PasswordHasher;
import io.landslide.edge.defence.AbuseSignals;
import io.landslide.edge.defence.DefenceConfig;
import io.landslide.edge.defence.Defences;
import io.landslide.edge.defence.RateLimitSync;
import io.landslide.edge.defence.RateLimits;
import io.landslide.edge.ops.Dependencies;
import io.landslide.edge.ops.EdgeMetrics;
import io.landslide.edge.ops.Health;
import io.landslide.edge.poll.BitmapGuard;
import io.landslide.edge.poll.Finality;
import io.landslide.edge.poll.PollCache;
import io.landslide.edge.poll.PollStore;
import io.landslide.edge.poll.PollVoters;
import io.landslide.edge.poll.WrittenVotes;
import io.landslide.edge.vote.Reconciliation;
import io.landslide.edge.vote.VoteProducer;
import io.landslide.runtime.Boot;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.EventBus;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge process: builds every part once, each from its own part of the configuration, deploys the
 * {@link EdgeJobsVerticle} (the periodic jobs), then one {@link HttpEdgeVerticle} per event loop.
 */
public final class EdgeMain {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeMain.class);
  /** How long a reconciliation waits for the writers to commit the topic's end offsets before it tries next time. */
  private static final long RECONCILE_CATCH_UP_MS = 30_000;
  /** Identity-provider subjects whose voter index an edge keeps (about 100 bytes each). */
  private static final int IDENTITIES_CACHED = 100_000;

  private final Vertx vertx;
  private final VoteProducer producer;
  private final Dependencies dependencies;
  private final int port;
  private final int drainSeconds;
  private String httpDeployment;
  private EdgeOpsVerticle ops;

  private EdgeMain(Vertx vertx, VoteProducer producer, Dependencies dependencies, int port, int drainSeconds) {
    this.vertx = vertx;
    this.producer = producer;
    this.dependencies = dependencies;
    this.port = port;
    this.drainSeconds = drainSeconds;
  }

  /** Starts an edge configured from the environment; exits 1 when it cannot serve. */
  public static void main(String[] args) {
    EdgeConfig config = EdgeConfig.fromEnv(System.getenv());
    Boot.run("edge", start(config), edge -> LOG.info("edge ready on http://localhost:{}/ (profile {}, kafka {}, topic {})", edge.port(),
      config.jwt().profile(), config.kafka().bootstrap(), config.kafka().topic()), EdgeMain::close);
  }

  /**
   * Builds and starts an edge.
   *
   * @param config its configuration
   * @return the running edge; fails when a dependency is missing or the port is taken
   */
  public static Future<EdgeMain> start(EdgeConfig config) {
    // Building the clients blocks (the Kafka producer resolves its bootstrap servers, loads and checks its config):
    // never on an event loop. Deploying them does not.
    return Boot.start(config.cluster(), b -> b.vertx().executeBlocking(() -> build(config, b.registry(), b.vertx()), false)
      .compose(built -> deploy(config, b.vertx(), built)));
  }

  /** What {@link #build} makes once per process, before anything is deployed. */
  private record Built(EdgeJobsVerticle jobs, HttpEdgeVerticle.Shared shared, VoteProducer producer, Dependencies dependencies) {
  }

  private static Built build(EdgeConfig config, PrometheusMeterRegistry registry, Vertx vertx) {
    // TLS from the same settings as every JDBC connection (VOTING_PG_SSLMODE, VOTING_PG_SSLROOTCERT); the pool and
    // the LISTEN subscriber below share these options.
    PgConnectOptions pgOptions = new PgConnectOptions().setHost(config.pg().host()).setPort(config.pg().port())
      .setDatabase(config.pg().database()).setUser(config.pg().user()).setPassword(config.pg().password())
      .setSslMode(io.vertx.pgclient.SslMode.of(config.pg().sslMode().value())).setSslOptions(config.pg().vertxSslOptions())
      .setCachePreparedStatements(true);
    // A bounded wait for a connection: under overload a read is answered 503 with Retry-After in a couple of seconds
    // (Http.fail), instead of queueing without bound for the pool's default 30 s.
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(config.polls().pgPoolSize())
        .setConnectionTimeout((int) config.polls().pgWaitMs()).setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setMaxWaitQueueSize(config.polls().pgWaitQueue()))
      .connectingTo(pgOptions).using(vertx).build();
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, config.kafka().adminProperties());
    VoteProducer producer = VoteProducer.create(config.kafka());
    PollStore store = new PollStore(pool, config.polls().votePartitions(), config.kafka().writerGroup(), config.kafka().topic());
    PollCache polls = new PollCache(store);
    EdgeMetrics metrics = new EdgeMetrics(registry);
    Dependencies dependencies = new Dependencies(registry);
    DefenceConfig dc = config.defences();
    RateLimits rates = RateLimits.of(dc.rates(), System::currentTimeMillis);
    metrics.rateLimits(rates.all());
    // The rate-limit keys of one database share a hash tag: in Redis Cluster a sync's pipelined batch goes to one
    // shard (a few busy keys every 100 ms); the blocks channel is cluster-wide either way.
    RateLimitSync rateSync = new RateLimitSync(vertx, Redis.createClient(vertx, config.bitmap().redisOptions().setMaxPoolSize(4).setMaxPoolWaiting(64)),
      "rl:{" + config.pg().database() + "}:", rates.all(), dc.rates().syncMs(), dc.rates().windowMs());
    AbuseSignals abuse = new AbuseSignals(dc.abuse().flagThreshold(), dc.abuse().addressVotes(), System::currentTimeMillis);
    AccountStore accountStore = new AccountStore(pool);
    PasswordHasher hasher = new PasswordHasher(config.accounts().kdfMemoryKib(), config.accounts().kdfIterations(), 1);
    WorkerExecutor kdf = vertx.createSharedWorkerExecutor("landslide-kdf", config.accounts().kdfThreads());
    AtomicInteger hashesQueued = new AtomicInteger();
    VoterBitmap jobsBitmap = VoterBitmap.create(vertx, config.bitmap());
    // One health view per process: the jobs verticle probes into it, every listener reads it.
    Health health = new Health(vertx, store, jobsBitmap, admin, registry, dependencies);
    Finality finality = new Finality(admin, store, config.kafka().topic());
    AdminTokens adminTokens = new AdminTokens(pool, config.accounts().adminTokenMaxSeconds());
    io.landslide.edge.account.OidcTokens oidc = null;
    if (config.accounts().oidc().enabled()) {
      oidc = new io.landslide.edge.account.OidcTokens(vertx, config.accounts().oidc(), new io.landslide.edge.account.Identities(pool, IDENTITIES_CACHED),
        config.jwt().maxLifetimeSeconds());
      oidc.start(); // a failed first fetch is logged and retried: the provider's tokens wait for its keys, nothing else does
    }
    Authenticator auth = new Authenticator(vertx, config.jwt(), adminTokens, oidc);
    io.landslide.edge.account.Mail.Sender mail = io.landslide.edge.account.Mail.sender(vertx, config.accounts().mail());
    Authenticator.Issuer issuer = Authenticator.issuer(vertx, config.jwt());
    io.landslide.edge.ops.ShowStats show = new io.landslide.edge.ops.ShowStats();
    io.landslide.edge.ops.ControlRoom controlRoom = new io.landslide.edge.ops.ControlRoom(show, config.tallySeal());
    HttpEdgeVerticle.Shared shared = new HttpEdgeVerticle.Shared(auth, polls, store,
      finality, producer, metrics, health, metrics.spectators(),
      (http, pow) -> new AccountApi(accountStore, hasher, issuer, kdf, hashesQueued, config.accounts(), rates.auth(), http, pow)
        .verifyingWith(new io.landslide.edge.account.EmailVerification(pool, mail, config.accounts().mail().publicUrl(), rates.auth(), http))
        .exchangingWith(new io.landslide.edge.account.TokenExchange(auth, issuer, config.accounts().tokenTtlSeconds(), http)),
      rates, new Defences(dc.pow(), abuse, dc.abuse().powBonus()), Authenticator.jwks(config.jwt()).encode(),
      new LogStore(pool, config.audit().verifier()), new ReceiptCipher(config.audit().receiptKeys()),
      new io.landslide.edge.live.SpectatorCap(config.live().perAddress()), adminTokens, config.tallySeal(), show, controlRoom);
    Reconciliation reconciliation = new Reconciliation(jobsBitmap, new WrittenVotes(vertx, finality, store, RECONCILE_CATCH_UP_MS),
      config.reconcile(), registry);
    EdgeJobsVerticle jobs = new EdgeJobsVerticle(polls, PgSubscriber.subscriber(vertx, pgOptions), producer, rateSync, abuse,
      new BitmapGuard(polls, jobsBitmap, new PollVoters(pool)), config.polls().bitmapCheckMs(), health, reconciliation, adminTokens, controlRoom);
    return new Built(jobs, shared, producer, dependencies);
  }

  private static Future<EdgeMain> deploy(EdgeConfig config, Vertx vertx, Built built) {
    EdgeMain edge = new EdgeMain(vertx, built.producer(), built.dependencies(), config.http().port(), config.http().drainSeconds());
    return vertx.deployVerticle(built.jobs())
      .compose(id -> vertx.deployVerticle(() -> new HttpEdgeVerticle(config.http(), config.live(), config.defences().pow(), built.shared(),
        vx -> VoterBitmap.create(vx, config.bitmap())), new DeploymentOptions().setInstances(config.http().instances())))
      .compose(id -> {
        edge.httpDeployment = id;
        if (!config.http().separateOps()) return Future.succeededFuture(edge);
        EdgeOpsVerticle ops = new EdgeOpsVerticle(config.http().opsPort(), built.shared().health());
        return vertx.deployVerticle(ops).map(opsId -> {
          edge.ops = ops;
          return edge;
        });
      })
      .recover(t -> {
        new Thread(edge::close, "edge-abandon").start(); // close() blocks; never on an event loop
        return Future.failedFuture(t);
      });
  }

  /** @return the HTTP port */
  public int port() {
    return port;
  }

  /** @return the operations port, or the HTTP port when health and metrics share it */
  public int opsPort() {
    return ops == null ? port : ops.actualPort();
  }

  /** @return the event bus the writers' tally updates arrive on (clustered, or this process's own) */
  EventBus eventBus() {
    return vertx.eventBus();
  }

  /**
   * Shuts the edge down gracefully (SIGTERM runs this from the shutdown hook): readiness turns 503 {@code DRAINING};
   * the HTTP verticles close their spectators with a reconnect hint, stop accepting connections and answer every
   * request in flight (a vote: 202 once Kafka acknowledged, or 503) within the drain time; only then is the producer
   * flushed and closed, and Vert.x with the jobs. Call from outside Vert.x (a shutdown hook, a test): it blocks.
   *
   * @return completes when Vert.x has closed
   */
  public Future<Void> close() {
    if (Context.isOnVertxThread()) throw new IllegalStateException("close the edge from outside Vert.x");
    long started = System.nanoTime();
    dependencies.drain();
    if (httpDeployment != null) {
      try {
        vertx.undeploy(httpDeployment).await(drainSeconds + 5L, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("HTTP verticles did not stop within the drain time: {}", e.toString());
      }
    }
    producer.close();
    LOG.info("edge drained in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return vertx.close();
  }
}
