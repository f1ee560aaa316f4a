package io.landslide.edge;

import io.landslide.dedup.VoterBitmap;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.util.concurrent.atomic.AtomicInteger;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The edge process: builds every part once, deploys one {@link HttpEdgeVerticle} per core. */
public final class EdgeMain {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeMain.class);

  private final Vertx vertx;
  private final VoteProducer producer;
  private final int port;

  private EdgeMain(Vertx vertx, VoteProducer producer, int port) {
    this.vertx = vertx;
    this.producer = producer;
    this.port = port;
  }

  /** Starts an edge configured from the environment; exits 1 when it cannot serve. */
  public static void main(String[] args) {
    EdgeConfig config = EdgeConfig.fromEnv(System.getenv());
    start(config).onSuccess(edge -> {
      LOG.info("edge ready on http://localhost:{}/ (profile {}, kafka {}, topic {})", edge.port(), config.profile(), config.kafkaBootstrap(), config.topic());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> edge.close().await(), "edge-shutdown"));
    }).onFailure(t -> {
      LOG.error("edge failed to start: {}", t.toString(), t);
      System.exit(1);
    });
  }

  /**
   * Builds and starts an edge.
   *
   * @param config its configuration
   * @return the running edge; fails when a dependency is missing or the port is taken
   */
  public static Future<EdgeMain> start(EdgeConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setJvmMetricsEnabled(true)
        // Per-request and per-command meters cost more than the vote path itself; the app's own meters count what matters.
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER).addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER).addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory("redis"));
    return Clustering.build(Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry)), options, config.cluster())
      .compose(vertx -> start(config, registry, vertx));
  }

  private static Future<EdgeMain> start(EdgeConfig config, PrometheusMeterRegistry registry, Vertx vertx) {
    PgConnectOptions pgOptions = new PgConnectOptions().setHost(config.pg().host()).setPort(config.pg().port())
      .setDatabase(config.pg().database()).setUser(config.pg().user()).setPassword(config.pg().password())
      .setCachePreparedStatements(true);
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(config.pgPoolSize())).connectingTo(pgOptions).using(vertx).build();
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", config.kafkaBootstrap()));
    VoteProducer producer = VoteProducer.create(config);
    PollStore store = new PollStore(pool, config.votePartitions(), config.writerGroup(), config.topic());
    PollCache polls = new PollCache(store);
    EdgeMetrics metrics = new EdgeMetrics(registry);
    AccountStore accountStore = new AccountStore(pool);
    PasswordHasher hasher = new PasswordHasher(config.accounts().kdfMemoryKib(), config.accounts().kdfIterations(), 1);
    WorkerExecutor kdf = vertx.createSharedWorkerExecutor("landslide-kdf", config.accounts().kdfThreads());
    AtomicInteger hashesQueued = new AtomicInteger();
    RateLimitConfig rc = config.rates();
    HttpEdgeVerticle.RateLimits rates = new HttpEdgeVerticle.RateLimits(new RateLimiter(rc.user(), rc.windowMs(), rc.pushAfter(), System::currentTimeMillis),
      new RateLimiter(rc.ip(), rc.windowMs(), rc.pushAfter(), System::currentTimeMillis), new RateLimiter(rc.auth(), rc.windowMs(), rc.pushAfter(), System::currentTimeMillis));
    metrics.rateLimits(rates.all());
    RateLimitSync rateSync = new RateLimitSync(vertx, Redis.createClient(vertx, new RedisOptions().setConnectionString(config.bitmap().redisUri())
      .setMaxPoolSize(4).setMaxPoolWaiting(64)), "rl:" + config.pg().database() + ":", rates.all(), rc.syncMs(), rc.windowMs());
    AbuseSignals abuse = new AbuseSignals(config.abuse().flagThreshold(), config.abuse().addressVotes(), System::currentTimeMillis);
    vertx.setPeriodic(AbuseSignals.WINDOW_MS, t -> abuse.evictIdle());
    HttpEdgeVerticle.Shared shared = new HttpEdgeVerticle.Shared(new Authenticator(vertx, config), polls, store,
      new Finality(admin, store, config.topic()), producer, metrics,
      bitmap -> new Health(vertx, store, bitmap, admin, registry), metrics.spectators(),
      http -> new AccountApi(accountStore, hasher, Authenticator.issuer(vertx, config), kdf, hashesQueued, config.accounts(), rates.auth(), http),
      rates, new Defences(config.pow(), abuse, config.abuse().powBonus()));

    EdgeMain edge = new EdgeMain(vertx, producer, config.httpPort());
    return producer.warm(vertx, Duration.ofSeconds(30))
      .compose(v -> polls.start(vertx, PgSubscriber.subscriber(vertx, pgOptions)))
      .compose(v -> rateSync.start())
      .onSuccess(v -> new BitmapGuard(polls, VoterBitmap.create(vertx, config.bitmap()), pool).start(vertx, config.bitmapCheckMs()))
      .compose(v -> vertx.deployVerticle(() -> new HttpEdgeVerticle(config, shared, vx -> VoterBitmap.create(vx, config.bitmap())),
        new DeploymentOptions().setInstances(config.instances())))
      .map(id -> edge)
      .recover(t -> {
        new Thread(edge::close, "edge-abandon").start(); // close() blocks; never on an event loop
        return Future.failedFuture(t);
      });
  }

  /** @return the HTTP port */
  public int port() {
    return port;
  }

  /** @return the event bus the writers' tally updates arrive on (clustered, or this process's own) */
  io.vertx.core.eventbus.EventBus eventBus() {
    return vertx.eventBus();
  }

  /**
   * Flushes and closes the producer (blocking), then Vert.x. Call from outside Vert.x (a shutdown hook,
   * a test): a future completed on a context that is closing would never be heard of.
   *
   * @return completes when Vert.x has closed
   */
  public Future<Void> close() {
    if (io.vertx.core.Context.isOnVertxThread()) throw new IllegalStateException("close the edge from outside Vert.x");
    producer.close();
    return vertx.close();
  }
}
