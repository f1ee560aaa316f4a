package io.landslide.edge;

import io.landslide.codec.ClusterSettings;
import io.landslide.codec.PgSettings;
import io.landslide.codec.Topics;
import io.landslide.dedup.BitmapOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Everything an edge process is configured with; read from the environment, validated at start.
 *
 * @param httpPort          {@code VOTING_HTTP_PORT}, default {@value #DEFAULT_HTTP_PORT}
 * @param instances         {@code VOTING_EDGE_INSTANCES}: HTTP verticle instances, default one per core
 * @param profile           {@code VOTING_PROFILE}: {@code local} (HS256 dev tokens) or {@code production}
 * @param jwtSecret         {@code VOTING_JWT_SECRET}: HS256 secret of the local profile, default {@value #DEV_JWT_SECRET}
 * @param jwtPublicKeyPem   {@code VOTING_JWT_PUBLIC_KEY}: PEM public key of the production profile
 * @param jwtAlgorithm      {@code VOTING_JWT_ALGORITHM}: RS256 (default) or ES256, for the key this edge signs with
 *                          in production: an RS256 token costs ~40 CPU-us to verify here, an ES256 one ~1,100
 *                          (docs/benchmarks.md), and every vote is verified while only a login signs
 * @param jwks              {@code VOTING_JWT_JWKS}: production, a JWKS document ({@code {"keys": [...]}}) of the public keys
 *                          accepted, each with its {@code kid}: the current one and, during a rotation, the previous ones
 * @param jwtPrivateKeyPem  {@code VOTING_JWT_PRIVATE_KEY}: production, the PKCS#8 PEM key this edge signs login tokens with
 *                          (none: it issues no tokens)
 * @param jwtKid            {@code VOTING_JWT_KID}: the {@code kid} of that key; its public key must be in the JWKS
 * @param kafkaBootstrap    {@code VOTING_KAFKA_BOOTSTRAP}, default {@value #DEFAULT_KAFKA}
 * @param topic             {@code VOTING_TOPIC}, default {@link Topics#VOTES}
 * @param deliveryTimeoutMs {@code VOTING_KAFKA_DELIVERY_TIMEOUT_MS}: after this a produce has failed for sure, default {@value #DEFAULT_DELIVERY_TIMEOUT_MS}
 * @param writerGroup       {@code VOTING_WRITER_GROUP}: the writers' group, to tell when results are final
 * @param retryAfterSeconds {@code VOTING_RETRY_AFTER_SECONDS}: the {@code Retry-After} of a 503, default 2
 * @param votePartitions    {@code VOTING_VOTE_HASH_PARTITIONS}: hash sub-partitions of a new poll's votes, default {@value #DEFAULT_VOTE_PARTITIONS}
 * @param pgPoolSize        {@code VOTING_PG_POOL_SIZE}, default 8
 * @param maxSpectators     {@code VOTING_MAX_SPECTATORS}: WebSocket/SSE spectators one edge process takes (503 past
 *                          it), default the frame budget: at a full house each still gets a frame a second
 * @param liveFrameBudget   {@code VOTING_LIVE_FRAME_BUDGET}: frames per second the edge sends to all its spectators
 *                          together; past it, frames of a poll go out less often than every 100 ms. Default
 *                          {@value #DEFAULT_FRAMES_PER_LOOP} per HTTP event loop
 * @param bitmapCheckMs     {@code VOTING_BITMAP_CHECK_MS}: how often to check that Redis still holds open polls'
 *                          bitmaps (rebuilding them if not); 0 = never; default {@value #DEFAULT_BITMAP_CHECK_MS}
 * @param liveResyncMs      {@code VOTING_LIVE_RESYNC_MS}: live views re-read PostgreSQL's tallies this often (the
 *                          event bus brings changes in between; unclustered, the re-read is the only feed), default {@value #DEFAULT_LIVE_RESYNC_MS}
 * @param cluster           the cluster
 * @param pg                PostgreSQL
 * @param bitmap            Redis bitmaps
 * @param accounts          accounts and login tokens
 * @param pow               proof of work
 * @param rates             rate limits
 * @param abuse             abuse signals
 * @param tlsCertPath       {@code VOTING_TLS_CERT}: a PEM certificate chain; with {@code VOTING_TLS_KEY} the edge serves
 *                          HTTPS only (and sends HSTS). Unset: plain HTTP, for TLS ending at the load balancer
 * @param tlsKeyPath        {@code VOTING_TLS_KEY}: its PEM private key
 * @param corsOrigins       {@code VOTING_CORS_ORIGINS}: origins (comma-separated) whose pages may call the API from a
 *                          browser; none by default (same origin only)
 */
public record EdgeConfig(int httpPort, int instances, String profile, String jwtSecret, String jwtPublicKeyPem,
                         String jwtAlgorithm, String jwks, String jwtPrivateKeyPem, String jwtKid, String kafkaBootstrap, String topic, int deliveryTimeoutMs, String writerGroup, int retryAfterSeconds,
                         int votePartitions, int pgPoolSize, int maxSpectators, int liveFrameBudget, long bitmapCheckMs, long liveResyncMs,
                         ClusterSettings cluster, PgSettings pg, BitmapOptions bitmap,
                         AccountConfig accounts, PowConfig pow, RateLimitConfig rates,
                         AbuseConfig abuse, String tlsCertPath, String tlsKeyPath, List<String> corsOrigins) {
  /** Default HTTP port. */
  public static final int DEFAULT_HTTP_PORT = 8080;
  /** The dev-only HS256 secret: documented, refused by the production profile. */
  public static final String DEV_JWT_SECRET = "landslide-dev-secret-do-not-use-in-production";
  /** Default Kafka. */
  public static final String DEFAULT_KAFKA = "localhost:9092";
  /** Default produce deadline. */
  public static final int DEFAULT_DELIVERY_TIMEOUT_MS = 5000;
  /** Default hash sub-partitions per poll. */
  public static final int DEFAULT_VOTE_PARTITIONS = 4;
  /**
   * Default frame budget per HTTP event loop: a delivered frame costs the edge about 12 CPU-µs (mostly the
   * kernel's write), so 10,000 frames/s take about an eighth of a core (docs/benchmarks.md).
   */
  public static final int DEFAULT_FRAMES_PER_LOOP = 10_000;
  /** Default live re-read period. */
  public static final long DEFAULT_LIVE_RESYNC_MS = 2000;
  /** Default bitmap check period. */
  public static final long DEFAULT_BITMAP_CHECK_MS = 5000;
  /** Default writer group. */
  public static final String DEFAULT_WRITER_GROUP = "landslide-writer";

  /** Validates. */
  public EdgeConfig {
    if (httpPort < 0 || httpPort > 65535) throw new IllegalArgumentException("VOTING_HTTP_PORT out of range: " + httpPort);
    if (instances < 1) throw new IllegalArgumentException("VOTING_EDGE_INSTANCES must be at least 1");
    if (!profile.equals("local") && !profile.equals("production")) throw new IllegalArgumentException("VOTING_PROFILE must be local or production: " + profile);
    if (profile.equals("local") && jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
      throw new IllegalArgumentException("VOTING_JWT_SECRET must be at least 32 bytes");
    }
    if (profile.equals("production")) {
      if (jwtSecret.equals(DEV_JWT_SECRET)) throw new IllegalArgumentException("the dev JWT secret is refused in production");
      if (pow.secret().equals(PowConfig.DEV_SECRET)) throw new IllegalArgumentException("the dev proof-of-work secret is refused in production");
      if (!jwtAlgorithm.equals("ES256") && !jwtAlgorithm.equals("RS256")) throw new IllegalArgumentException("VOTING_JWT_ALGORITHM must be ES256 or RS256");
      List<JsonObject> keys = Tokens.publicKeys(jwks);
      if (keys.isEmpty() && (jwtPublicKeyPem == null || jwtPublicKeyPem.isBlank())) {
        throw new IllegalArgumentException("production needs VOTING_JWT_JWKS or VOTING_JWT_PUBLIC_KEY (PEM)");
      }
      if (jwtPrivateKeyPem != null && !jwtPrivateKeyPem.isBlank()
        && (jwtKid == null || keys.stream().noneMatch(k -> jwtKid.equals(k.getString("kid"))))) {
        throw new IllegalArgumentException("VOTING_JWT_KID must name a key of VOTING_JWT_JWKS: the edge's own tokens must verify");
      }
    }
    if (deliveryTimeoutMs < 1000) throw new IllegalArgumentException("VOTING_KAFKA_DELIVERY_TIMEOUT_MS must be at least 1000");
    if (retryAfterSeconds < 1) throw new IllegalArgumentException("VOTING_RETRY_AFTER_SECONDS must be at least 1");
    if (votePartitions < 1 || votePartitions > 256) throw new IllegalArgumentException("VOTING_VOTE_HASH_PARTITIONS must be 1..256");
    if (pgPoolSize < 1) throw new IllegalArgumentException("VOTING_PG_POOL_SIZE must be at least 1");
    if (maxSpectators < 0) throw new IllegalArgumentException("VOTING_MAX_SPECTATORS must not be negative");
    if (liveFrameBudget < 10) throw new IllegalArgumentException("VOTING_LIVE_FRAME_BUDGET must be at least 10 frames/s");
    if ((tlsCertPath == null) != (tlsKeyPath == null)) throw new IllegalArgumentException("VOTING_TLS_CERT and VOTING_TLS_KEY go together");
    for (String o : corsOrigins) {
      if (!o.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?")) throw new IllegalArgumentException("VOTING_CORS_ORIGINS: not an origin: " + o);
    }
    if (liveResyncMs < 100) throw new IllegalArgumentException("VOTING_LIVE_RESYNC_MS must be at least 100");
    if (bitmapCheckMs < 0) throw new IllegalArgumentException("VOTING_BITMAP_CHECK_MS must not be negative");
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static EdgeConfig fromEnv(Map<String, String> env) {
    int instances = Integer.parseInt(env.getOrDefault("VOTING_EDGE_INSTANCES", String.valueOf(Runtime.getRuntime().availableProcessors())));
    int frameBudget = Integer.parseInt(env.getOrDefault("VOTING_LIVE_FRAME_BUDGET", String.valueOf(DEFAULT_FRAMES_PER_LOOP * Math.max(1, instances))));
    return new EdgeConfig(
      Integer.parseInt(env.getOrDefault("VOTING_HTTP_PORT", String.valueOf(DEFAULT_HTTP_PORT))),
      instances,
      env.getOrDefault("VOTING_PROFILE", "local"),
      env.getOrDefault("VOTING_JWT_SECRET", DEV_JWT_SECRET),
      env.get("VOTING_JWT_PUBLIC_KEY"),
      env.getOrDefault("VOTING_JWT_ALGORITHM", "RS256"),
      env.get("VOTING_JWT_JWKS"),
      env.get("VOTING_JWT_PRIVATE_KEY"),
      env.get("VOTING_JWT_KID"),
      env.getOrDefault("VOTING_KAFKA_BOOTSTRAP", DEFAULT_KAFKA),
      env.getOrDefault("VOTING_TOPIC", Topics.VOTES),
      Integer.parseInt(env.getOrDefault("VOTING_KAFKA_DELIVERY_TIMEOUT_MS", String.valueOf(DEFAULT_DELIVERY_TIMEOUT_MS))),
      env.getOrDefault("VOTING_WRITER_GROUP", DEFAULT_WRITER_GROUP),
      Integer.parseInt(env.getOrDefault("VOTING_RETRY_AFTER_SECONDS", "2")),
      Integer.parseInt(env.getOrDefault("VOTING_VOTE_HASH_PARTITIONS", String.valueOf(DEFAULT_VOTE_PARTITIONS))),
      Integer.parseInt(env.getOrDefault("VOTING_PG_POOL_SIZE", "8")),
      Integer.parseInt(env.getOrDefault("VOTING_MAX_SPECTATORS", String.valueOf(frameBudget))),
      frameBudget,
      Long.parseLong(env.getOrDefault("VOTING_BITMAP_CHECK_MS", String.valueOf(DEFAULT_BITMAP_CHECK_MS))),
      Long.parseLong(env.getOrDefault("VOTING_LIVE_RESYNC_MS", String.valueOf(DEFAULT_LIVE_RESYNC_MS))),
      ClusterSettings.fromEnv(env),
      PgSettings.fromEnv(env),
      BitmapOptions.fromEnv(env),
      AccountConfig.fromEnv(env),
      PowConfig.fromEnv(env),
      RateLimitConfig.fromEnv(env),
      AbuseConfig.fromEnv(env),
      env.get("VOTING_TLS_CERT"),
      env.get("VOTING_TLS_KEY"),
      java.util.Arrays.stream(env.getOrDefault("VOTING_CORS_ORIGINS", "").split(",")).map(String::strip).filter(o -> !o.isEmpty()).toList());
  }
}
