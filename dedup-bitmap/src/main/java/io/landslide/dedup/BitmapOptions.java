package io.landslide.dedup;

import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configuration of a {@link VoterBitmap}.
 *
 * <p>Where Redis is: {@code VOTING_REDIS_MODE} ({@link Mode}) says how {@code VOTING_REDIS_URI} reads.
 * <ul>
 *   <li>{@code standalone} (the default): one {@code redis://} or {@code rediss://} URI, one server (a primary).</li>
 *   <li>{@code cluster} (Redis Cluster, AWS ElastiCache in cluster mode): one or more seed URIs, comma-separated
 *       ({@code redis://10.0.0.1:6379,redis://10.0.0.2:6379}, or the configuration endpoint alone). The bitmap asks a
 *       seed for the slot map ({@code CLUSTER SLOTS}) and talks to every master directly; the node addresses in the
 *       map inherit the first seed's scheme and credentials.</li>
 * </ul>
 * Credentials and TLS go in the URI, in either mode: {@code redis://:password@host:6379} (AUTH with the default user),
 * {@code redis://user:password@host:6379} (ACL user), {@code rediss://...} for TLS: the JVM's trust store (or
 * {@code VOTING_REDIS_CA}, below) checks the server's certificate, and the certificate must name the URI's host
 * ({@code HTTPS} host name verification, always on). Characters of a password that a URI reserves ({@code @ : / % ,}) must be percent-encoded.
 * A value that is not such a URI (list) fails, naming the variable. No message and no {@link #toString} of these
 * options shows a password ({@link #withoutPassword}).
 *
 * <p>{@code VOTING_REDIS_CA} (optional): the path of a PEM file of CA certificates (a private CA, a test CA). When
 * set, every connection to Redis (the bitmap's, in either mode, and those of {@link #redisOptions}) is TLS and trusts
 * those CAs instead of the JVM's trust store, host names still verified; every URI must then be {@code rediss://}.
 * Unset (or empty), the JVM's trust store. A file that cannot be read or holds no certificate fails at start, naming
 * the variable.
 *
 * @param redisUri  {@code VOTING_REDIS_URI}, default {@value #DEFAULT_REDIS_URI}; in cluster mode a comma-separated
 *                  list of seeds (see {@link #seeds})
 * @param chunkBits {@code VOTING_BITMAP_CHUNK_BITS}: each key holds 2^chunkBits users (default
 *                  {@value #DEFAULT_CHUNK_BITS}: 256 KiB a key, 143 keys for 300M users), so no single key
 *                  blocks Redis when first touched and a cluster spreads one poll over its slots
 * @param timeoutMs {@code VOTING_REDIS_TIMEOUT_MS}: a command not answered by then counts as
 *                  {@link VoterBitmap.Claim#UNKNOWN} (default {@value #DEFAULT_TIMEOUT_MS})
 * @param reconnectBackoffMs after a failed connect, how long to answer {@code UNKNOWN} at once instead of
 *                  reconnecting on every call (default {@value #DEFAULT_RECONNECT_BACKOFF_MS})
 * @param batchWindowMs {@code VOTING_REDIS_BATCH_WINDOW_MS}: claims wait up to this long to leave together in
 *                  one write (0: only natural batching behind the batch in flight); default {@value #DEFAULT_BATCH_WINDOW_MS}
 * @param prefix    {@code VOTING_BITMAP_PREFIX}: start of every key, default {@code vb:<VOTING_PG_DATABASE>:}. Poll ids are
 *                  per database, so a Redis shared by several databases (dev stack, tests, benchmark) must keep
 *                  their polls apart. In cluster mode it must not hold '}' either (hash tags, see
 *                  {@link #rebuildKey}).
 * @param mode      {@code VOTING_REDIS_MODE}: {@code standalone} (default) or {@code cluster}
 * @param redisCa   {@code VOTING_REDIS_CA}: the PEM CA bundle every Redis connection trusts, or null (the default:
 *                  as without this setting)
 */
public record BitmapOptions(String redisUri, int chunkBits, long timeoutMs, long reconnectBackoffMs, long batchWindowMs,
                            String prefix, Mode mode, String redisCa) {

  /** How the bitmap reaches Redis. */
  public enum Mode {
    /** One Redis server: every key on one connection. */
    STANDALONE,
    /** A Redis Cluster: each key on the master owning its slot; whole-poll operations visit every master. */
    CLUSTER
  }

  /** Default Redis. */
  public static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379";
  /** Default chunk size exponent. */
  public static final int DEFAULT_CHUNK_BITS = 21;
  /** Default command timeout. */
  public static final long DEFAULT_TIMEOUT_MS = 500;
  /** Default batching window. */
  public static final long DEFAULT_BATCH_WINDOW_MS = 1;
  /** Default reconnect backoff. */
  public static final long DEFAULT_RECONNECT_BACKOFF_MS = 1000;
  /** Host name verification of TLS connections to Redis (RFC 2818, as for HTTPS). */
  private static final String HOSTNAME_VERIFICATION = "HTTPS";
  /** The user information of a URI: after {@code //}, up to the {@code @} ending it (no {@code //} inside). */
  private static final Pattern USER_INFO = Pattern.compile("//((?:(?!//)[^@])*)@");

  /** Validates. */
  public BitmapOptions {
    if (mode == null) throw new IllegalArgumentException("VOTING_REDIS_MODE must be standalone or cluster");
    if (redisUri == null || !redisUri.startsWith("redis")) {
      throw new IllegalArgumentException("VOTING_REDIS_URI must be a redis:// URI: " + withoutPassword(redisUri));
    }
    List<String> uris = split(redisUri);
    if (mode == Mode.STANDALONE && uris.size() > 1 && uris.stream().allMatch(u -> u.startsWith("redis"))) {
      throw new IllegalArgumentException("VOTING_REDIS_URI must be one redis:// URI in standalone mode (VOTING_REDIS_MODE=cluster "
        + "takes several): " + withoutPassword(redisUri));
    }
    if (mode == Mode.CLUSTER) {
      if (uris.isEmpty()) throw new IllegalArgumentException("VOTING_REDIS_URI must list at least one seed: '" + withoutPassword(redisUri) + "'");
      for (String u : uris) checkUri(u);
      if (prefix != null && prefix.contains("}")) {
        throw new IllegalArgumentException("VOTING_BITMAP_PREFIX must not hold '}' in cluster mode: " + prefix);
      }
    }
    if (chunkBits < 10 || chunkBits > 32) throw new IllegalArgumentException("VOTING_BITMAP_CHUNK_BITS must be 10..32: " + chunkBits);
    if (timeoutMs <= 0) throw new IllegalArgumentException("VOTING_REDIS_TIMEOUT_MS must be positive: " + timeoutMs);
    if (reconnectBackoffMs < 0) throw new IllegalArgumentException("reconnect backoff must not be negative");
    if (prefix == null || prefix.isEmpty() || prefix.contains("*") || prefix.contains("{")) {
      throw new IllegalArgumentException("VOTING_BITMAP_PREFIX must be non-empty, without '*' or '{': " + prefix);
    }
    if (batchWindowMs < 0 || batchWindowMs >= timeoutMs) throw new IllegalArgumentException("VOTING_REDIS_BATCH_WINDOW_MS must be 0 or more, below the timeout");
    if (redisCa != null) {
      checkCa(redisCa);
      List<String> all = mode == Mode.STANDALONE ? List.of(redisUri) : uris;
      for (String u : all) {
        if (!u.startsWith("rediss://")) {
          throw new IllegalArgumentException("VOTING_REDIS_URI must be rediss:// (TLS) when VOTING_REDIS_CA is set: '"
            + withoutPassword(u) + "'");
        }
      }
    }
  }

  /**
   * Options without {@code VOTING_REDIS_CA}, as before it existed.
   *
   * @param redisUri           the Redis URI, or the seeds in cluster mode
   * @param chunkBits          each key holds 2^chunkBits users
   * @param timeoutMs          the command deadline
   * @param reconnectBackoffMs the reconnect backoff
   * @param batchWindowMs      the batching window
   * @param prefix             the key prefix
   * @param mode               standalone or cluster
   */
  public BitmapOptions(String redisUri, int chunkBits, long timeoutMs, long reconnectBackoffMs, long batchWindowMs, String prefix,
                       Mode mode) {
    this(redisUri, chunkBits, timeoutMs, reconnectBackoffMs, batchWindowMs, prefix, mode, null);
  }

  /**
   * Standalone options, as before cluster mode existed.
   *
   * @param redisUri           one Redis URI
   * @param chunkBits          each key holds 2^chunkBits users
   * @param timeoutMs          the command deadline
   * @param reconnectBackoffMs the reconnect backoff
   * @param batchWindowMs      the batching window
   * @param prefix             the key prefix
   */
  public BitmapOptions(String redisUri, int chunkBits, long timeoutMs, long reconnectBackoffMs, long batchWindowMs, String prefix) {
    this(redisUri, chunkBits, timeoutMs, reconnectBackoffMs, batchWindowMs, prefix, Mode.STANDALONE, null);
  }

  /** @return the defaults */
  public static BitmapOptions defaults() {
    return fromEnv(Map.of());
  }

  /**
   * Reads the options from the environment.
   *
   * @param env the environment
   * @return options with defaults for what is not set
   * @throws IllegalArgumentException naming the variable and its value, when a value does not parse or is out
   *                                  of range
   */
  public static BitmapOptions fromEnv(Map<String, String> env) {
    return new BitmapOptions(env.getOrDefault("VOTING_REDIS_URI", DEFAULT_REDIS_URI),
      (int) number(env, "VOTING_BITMAP_CHUNK_BITS", DEFAULT_CHUNK_BITS, true),
      number(env, "VOTING_REDIS_TIMEOUT_MS", DEFAULT_TIMEOUT_MS, false),
      DEFAULT_RECONNECT_BACKOFF_MS,
      number(env, "VOTING_REDIS_BATCH_WINDOW_MS", DEFAULT_BATCH_WINDOW_MS, false),
      env.getOrDefault("VOTING_BITMAP_PREFIX", prefixFor(env.getOrDefault("VOTING_PG_DATABASE", "landslide"))),
      mode(env.get("VOTING_REDIS_MODE")),
      path(env.get("VOTING_REDIS_CA")));
  }

  /** An unset or empty path: none. */
  private static String path(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static void checkCa(String path) {
    String problem = "VOTING_REDIS_CA must be the path of a readable PEM file of CA certificates: '" + path + "'";
    Path p;
    try {
      p = Path.of(path);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(problem, e);
    }
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) throw new IllegalArgumentException(problem + " (no such readable file)");
    try (InputStream in = Files.newInputStream(p)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new IllegalArgumentException(problem + " (it holds no certificate)");
      }
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(problem + " (" + e.getMessage() + ")", e);
    }
  }

  private static Mode mode(String value) {
    if (value == null) return Mode.STANDALONE;
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "standalone":
        return Mode.STANDALONE;
      case "cluster":
        return Mode.CLUSTER;
      default:
        throw new IllegalArgumentException("VOTING_REDIS_MODE must be standalone or cluster: '" + value + "'");
    }
  }

  private static List<String> split(String uris) {
    List<String> out = new ArrayList<>();
    for (String s : uris.split(",")) {
      if (!s.isBlank()) out.add(s.strip());
    }
    return out;
  }

  private static void checkUri(String uri) {
    try {
      URI u = new URI(uri);
      if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
        throw new IllegalArgumentException("VOTING_REDIS_URI: each seed must be a redis:// or rediss:// URI: '" + withoutPassword(uri) + "'");
      }
      if (u.getHost() == null || u.getHost().isEmpty()) {
        throw new IllegalArgumentException("VOTING_REDIS_URI: seed without a host: '" + withoutPassword(uri) + "'");
      }
    } catch (URISyntaxException e) {
      // Not chained: the cause's message repeats the whole input, password included.
      throw new IllegalArgumentException("VOTING_REDIS_URI: seed is not a URI: '" + withoutPassword(uri) + "' (" + e.getReason() + ")");
    }
  }

  /**
   * @return the Redis URIs: the one server in standalone mode, the seeds (in order, blanks dropped) in cluster mode
   */
  public List<String> seeds() {
    return mode == Mode.STANDALONE ? List.of(redisUri) : List.copyOf(split(redisUri));
  }

  /**
   * Client options for other Redis users beside the bitmap (the same Redis, the same mode, the same TLS settings): a
   * standalone client on the URI, or a cluster client on the seeds (single-key commands routed by slot).
   *
   * @return new client options
   */
  public RedisOptions redisOptions() {
    RedisOptions o = new RedisOptions();
    if (mode == Mode.STANDALONE) return withTls(o.setConnectionString(redisUri), redisUri);
    o.setType(RedisClientType.CLUSTER);
    for (String s : seeds()) o.addConnectionString(s);
    // The cluster's nodes are reached as the first seed is (RedisNodes does the same).
    return withTls(o, seeds().get(0));
  }

  /**
   * Client options for a connection to one Redis server, whatever the mode (the bitmap's own links: the standalone
   * server, or one master of a cluster), with these options' TLS settings.
   *
   * @param uri the server's URI
   * @return new standalone client options
   */
  public RedisOptions serverOptions(String uri) {
    return withTls(new RedisOptions().setConnectionString(uri), uri);
  }

  /**
   * TLS for a {@code rediss://} URI (with {@code VOTING_REDIS_CA} every URI is one): the host name verified, the
   * server's certificate checked against {@code VOTING_REDIS_CA} or else the JVM's trust store. Vert.x 5 refuses a
   * TLS connection whose client options name no host name verification algorithm ("Missing hostname verification
   * algorithm"), so {@code rediss://} needs these options even with the JVM's trust. A {@code redis://} URI keeps the
   * options exactly as Vert.x makes them.
   */
  private RedisOptions withTls(RedisOptions o, String uri) {
    if (redisCa == null && !uri.startsWith("rediss://")) return o;
    NetClientOptions net = new NetClientOptions(o.getNetClientOptions())
      .setSsl(true)
      .setHostnameVerificationAlgorithm(HOSTNAME_VERIFICATION);
    if (redisCa != null) net.setTrustOptions(new PemTrustOptions().addCertPath(redisCa));
    return o.setNetClientOptions(net);
  }

  /**
   * @param uris a Redis URI or a comma-separated list of them (any text, in fact)
   * @return the same with every password masked: {@code rediss://:***@host:6379}, {@code redis://user:***@host}
   *         (the user name stays); null for null
   */
  public static String withoutPassword(String uris) {
    if (uris == null) return null;
    Matcher m = USER_INFO.matcher(uris);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String info = m.group(1);
      int colon = info.indexOf(':');
      String masked = colon >= 0 ? info.substring(0, colon) + ":***" : "***";
      m.appendReplacement(out, Matcher.quoteReplacement("//" + masked + "@"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** @return the options, every password in the URI masked ({@link #withoutPassword}) */
  @Override
  public String toString() {
    return "BitmapOptions[redisUri=" + withoutPassword(redisUri) + ", chunkBits=" + chunkBits + ", timeoutMs=" + timeoutMs
      + ", reconnectBackoffMs=" + reconnectBackoffMs + ", batchWindowMs=" + batchWindowMs + ", prefix=" + prefix
      + ", mode=" + mode + ", redisCa=" + redisCa + "]";
  }

  /**
   * @param newMode standalone or cluster
   * @return these options in that mode
   */
  public BitmapOptions withMode(Mode newMode) {
    return new BitmapOptions(redisUri, chunkBits, timeoutMs, reconnectBackoffMs, batchWindowMs, prefix, newMode, redisCa);
  }

  /**
   * @param path a PEM CA bundle every Redis connection trusts ({@code VOTING_REDIS_CA}), or null for the default
   * @return these options with it
   */
  public BitmapOptions withRedisCa(String path) {
    return new BitmapOptions(redisUri, chunkBits, timeoutMs, reconnectBackoffMs, batchWindowMs, prefix, mode, path);
  }

  private static long number(Map<String, String> env, String name, long fallback, boolean isInt) {
    String value = env.get(name);
    if (value == null) return fallback;
    try {
      return isInt ? Integer.parseInt(value) : Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer: '" + value + "'", e);
    }
  }

  /**
   * @param database a database name
   * @return the default key prefix of polls of that database
   */
  public static String prefixFor(String database) {
    return "vb:" + database + ":";
  }

  /**
   * @param uri another Redis
   * @return these options pointing there
   */
  public BitmapOptions withRedisUri(String uri) {
    return new BitmapOptions(uri, chunkBits, timeoutMs, reconnectBackoffMs, batchWindowMs, prefix, mode, redisCa);
  }

  /**
   * @param newPrefix another key prefix
   * @return these options with it
   */
  public BitmapOptions withPrefix(String newPrefix) {
    return new BitmapOptions(redisUri, chunkBits, timeoutMs, reconnectBackoffMs, batchWindowMs, newPrefix, mode, redisCa);
  }

  /**
   * @param poll a poll id
   * @param user a user index
   * @return the Redis key holding the user's bit: {@code <prefix><poll>:<user >> chunkBits>}
   */
  public String key(int poll, long user) {
    return chunkKey(poll, user >>> chunkBits);
  }

  /**
   * @param poll  a poll id
   * @param chunk a chunk index
   * @return that chunk's key
   */
  public String chunkKey(int poll, long chunk) {
    return prefix + poll + ":" + chunk;
  }

  /**
   * The temporary key a rebuild writes a chunk's image to before OR-ing it into the chunk. Its hash tag is the chunk's
   * whole key, so in a cluster it sits in the chunk's slot ({@code BITOP} needs both in one slot), while different
   * chunks keep different slots; it starts with the prefix and stays outside {@link #pollPattern}.
   *
   * @param poll  a poll id
   * @param chunk a chunk index
   * @param run   an id of the rebuild run
   * @return {@code <prefix>rebuild:{<chunk key>}:<run>}
   */
  public String rebuildKey(int poll, long chunk, String run) {
    return prefix + "rebuild:{" + chunkKey(poll, chunk) + "}:" + run;
  }

  /**
   * The claims of a chunk whose vote is not known to be durable yet (a sorted set: user id by claim time). Its hash
   * tag is the chunk's whole key, so a claim sets the bit and records it in one atomic step on one slot; it stays
   * outside {@link #pollPattern}.
   *
   * @param chunkKey a chunk's key ({@link #key})
   * @return {@code <prefix>pending:{<chunk key>}}
   */
  public String pendingKey(String chunkKey) {
    return prefix + "pending:{" + chunkKey + "}";
  }

  /** @return the SCAN pattern of every poll's pending-claim keys */
  public String pendingPattern() {
    return prefix + "pending:*";
  }

  /**
   * @param poll a poll id
   * @return the SCAN pattern of the poll's pending-claim keys
   */
  public String pendingPattern(int poll) {
    return prefix + "pending:{" + prefix + poll + ":*";
  }

  /**
   * @param pendingKey a key of {@link #pendingKey}
   * @return the chunk key inside its braces
   */
  public String chunkOfPending(String pendingKey) {
    int open = pendingKey.indexOf('{', prefix.length());
    int close = pendingKey.lastIndexOf('}');
    if (open < 0 || close < open) throw new IllegalArgumentException("not a pending-claim key: " + pendingKey);
    return pendingKey.substring(open + 1, close);
  }

  /**
   * @param chunkKey a chunk key of this prefix
   * @return its poll id
   */
  public int pollOfChunk(String chunkKey) {
    int colon = chunkKey.indexOf(':', prefix.length());
    if (!chunkKey.startsWith(prefix) || colon < 0) throw new IllegalArgumentException("not a chunk key: " + chunkKey);
    return Integer.parseInt(chunkKey, prefix.length(), colon, 10);
  }

  /**
   * @param poll a poll id
   * @return the key that says the poll's bitmap is complete (outside {@link #pollPattern})
   */
  public String sentinelKey(int poll) {
    return prefix + "complete:" + poll;
  }

  /**
   * @param poll a poll id
   * @return the SCAN pattern of the poll's keys
   */
  public String pollPattern(int poll) {
    return prefix + poll + ":*";
  }

  /**
   * @param user a user index
   * @return the bit offset of the user inside its key
   */
  public long offset(long user) {
    return user & ((1L << chunkBits) - 1);
  }
}
