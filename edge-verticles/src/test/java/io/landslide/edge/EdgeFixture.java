package io.landslide.edge;

import io.landslide.infra.Ports;
import io.landslide.codec.VoteEvent;
import io.landslide.dedup.BitmapOptions;
import io.landslide.infra.DevTokens;
import io.landslide.infra.LocalKafka;
import io.landslide.infra.TestStack;
import io.landslide.runtime.PgSettings;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A running edge on the real stack (test database, shared broker, local Redis) and ways to look behind it.
 *
 * <p>A JUnit 5 extension: {@code @RegisterExtension static final EdgeFixture f = EdgeFixture.onSharedStack();} starts
 * the edge before the class's tests and closes it after them. A test that needs an edge of its own takes one with
 * {@code try (EdgeFixture f = EdgeFixture.started(settings)) {…}}.
 */
final class EdgeFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  static final DevTokens TOKENS = DevTokens.dev();
  static final int PARTITIONS = 4;
  static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

  private final Map<String, String> settings;
  Vertx client;
  WebClient http;
  EdgeMain edge;
  EdgeConfig config;
  String topic;
  String bootstrap;
  private Redis redis;

  private EdgeFixture(Map<String, String> settings) {
    this.settings = Map.copyOf(settings);
  }

  /**
   * @param settings environment variables that differ from the test defaults (see {@link #start})
   * @return a fixture that starts its edge when registered as an extension, or on {@link #start}
   */
  static EdgeFixture with(Map<String, String> settings) {
    return new EdgeFixture(settings);
  }

  /**
   * @param settings environment variables that differ from the test defaults
   * @return a started edge, for a try-with-resources block
   */
  static EdgeFixture started(Map<String, String> settings) {
    return with(settings).start();
  }

  /** @return an edge on the shared broker and the local Redis */
  static EdgeFixture onSharedStack() {
    return with(Map.of());
  }

  /**
   * @param bootstrap         the broker
   * @param redisUri          the Redis
   * @param deliveryTimeoutMs the produce deadline
   * @return a started edge on those
   */
  static EdgeFixture started(String bootstrap, String redisUri, int deliveryTimeoutMs) {
    return started(Map.of("VOTING_KAFKA_BOOTSTRAP", bootstrap, "VOTING_REDIS_URI", redisUri, "VOTING_KAFKA_DELIVERY_TIMEOUT_MS", String.valueOf(deliveryTimeoutMs)));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  /**
   * An edge configured the way production reads its configuration ({@link EdgeConfig#fromEnv}), from test defaults
   * (a fresh topic and writer group, the test database, unclustered, 2 event loops, rate limits off: all test traffic
   * comes from one address) and the test's own settings.
   *
   * @return this fixture, started
   */
  EdgeFixture start() {
    client = Vertx.vertx();
    this.bootstrap = settings.getOrDefault("VOTING_KAFKA_BOOTSTRAP", TestStack.kafkaBootstrap());
    this.topic = "votes-test-" + UUID.randomUUID();
    LocalKafka.ensureTopic(bootstrap, topic, PARTITIONS);
    PgSettings pg = TestStack.pg();
    Map<String, String> env = new HashMap<>(Map.of("VOTING_HTTP_PORT", String.valueOf(Ports.free()), "VOTING_EDGE_INSTANCES", "2",
      "VOTING_KAFKA_BOOTSTRAP", bootstrap, "VOTING_TOPIC", topic, "VOTING_KAFKA_DELIVERY_TIMEOUT_MS", "3000",
      "VOTING_WRITER_GROUP", "edge-test-" + UUID.randomUUID(), "VOTING_RETRY_AFTER_SECONDS", "1", "VOTING_VOTE_HASH_PARTITIONS", "2",
      "VOTING_PG_POOL_SIZE", "4", "VOTING_MAX_SPECTATORS", "1000"));
    env.putAll(Map.of("VOTING_LIVE_FRAME_BUDGET", "20000", "VOTING_BITMAP_CHECK_MS", "300", "VOTING_LIVE_RESYNC_MS", "100",
      "VOTING_CLUSTER_NAME", "none", "VOTING_RATE_USER", "0", "VOTING_RATE_IP", "0", "VOTING_RATE_AUTH", "0",
      "VOTING_ABUSE_ADDRESS_VOTES", "0"));
    env.putAll(Map.of("VOTING_PG_HOST", pg.host(), "VOTING_PG_PORT", String.valueOf(pg.port()), "VOTING_PG_DATABASE", pg.database(),
      "VOTING_PG_USER", pg.user(), "VOTING_PG_PASSWORD", pg.password()));
    env.putAll(settings);
    config = EdgeConfig.fromEnv(env);
    try {
      edge = EdgeMain.start(config).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("edge did not start", e);
    }
    // The test client looks like a browser (the abuse signals score clients that do not); tests about them say otherwise.
    http = WebClient.create(client, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(config.http().port()).setUserAgent(BROWSER));
    redis = Redis.createClient(client, BitmapOptions.DEFAULT_REDIS_URI);
    return this;
  }

  HttpResponse<Buffer> call(HttpMethod method, String path, String token, String body) {
    var req = http.request(method, path).putHeader("Accept-Language", "en");
    if (token != null) req.putHeader("Authorization", "Bearer " + token);
    try {
      return (body == null ? req.send() : req.sendBuffer(Buffer.buffer(body))).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path, e);
    }
  }

  HttpResponse<Buffer> vote(int poll, String token, String body) {
    return call(HttpMethod.POST, "/api/v1/polls/" + poll + "/votes", token, body);
  }

  /** Creates an open poll with three options through the API. */
  int openPoll() {
    return createPoll(new JsonObject().put("title", "Test poll").put("options", List.of("A", "B", "C")));
  }

  /**
   * @param adminToken an admin's token (the production profile refuses the dev tokens)
   * @return an open poll with three options
   */
  int openPollAs(String adminToken) {
    return createPoll(new JsonObject().put("title", "Test poll").put("options", List.of("A", "B", "C")), adminToken);
  }

  int createPoll(JsonObject body) {
    return createPoll(body, TOKENS.admin(1));
  }

  /** A poll opened a minute ago unless the body says when: a vote right at opening is an abuse signal. */
  private static JsonObject openedAMinuteAgo(JsonObject body) {
    return body.containsKey("opensAt") ? body : body.copy().put("opensAt", java.time.Instant.now().minusSeconds(60).toString());
  }

  private int createPoll(JsonObject body, String adminToken) {
    HttpResponse<Buffer> r = call(HttpMethod.POST, "/api/v1/polls", adminToken, openedAMinuteAgo(body).encode());
    if (r.statusCode() != 201) throw new IllegalStateException("create poll: " + r.statusCode() + " " + r.bodyAsString());
    return r.bodyAsJsonObject().getInteger("id");
  }

  /** Runs SQL on the test database as a writer's commit would (tallies, a poll's times). */
  static void commit(String sql) throws java.sql.SQLException {
    try (java.sql.Connection c = io.landslide.infra.Schema.connect(TestStack.pg()); java.sql.Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Every vote event on this fixture's topic for the poll (reads the whole topic). */
  List<VoteEvent> recorded(int poll) {
    return RecordedVotes.of(bootstrap, topic, PARTITIONS, poll);
  }

  boolean bitSet(int poll, long user) {
    try {
      return redis.send(Request.cmd(Command.GETBIT).arg(config.bitmap().key(poll, user)).arg(config.bitmap().offset(user)))
        .await(10, TimeUnit.SECONDS).toInteger() == 1;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws Exception {
    if (edge != null) edge.close().await(30, TimeUnit.SECONDS);
    if (client != null) client.close().await(10, TimeUnit.SECONDS);
    edge = null;
    client = null;
  }
}
