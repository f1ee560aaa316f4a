package io.landslide.writer;

import io.landslide.runtime.ClusterSettings;
import io.landslide.runtime.PgSettings;
import io.landslide.codec.TallySeal;
import io.landslide.codec.Topics;
import io.landslide.runtime.Env;
import io.landslide.runtime.KafkaClientProperties;
import java.util.Map;

/**
 * Everything a writer process is configured with; read from the environment, validated at start.
 *
 * @param kafkaBootstrap {@code VOTING_KAFKA_BOOTSTRAP}, default {@value #DEFAULT_KAFKA}
 * @param topic          {@code VOTING_TOPIC}, default {@link Topics#VOTES}
 * @param group          {@code VOTING_WRITER_GROUP}, default {@value #DEFAULT_GROUP}
 * @param batchMax       {@code VOTING_BATCH_MAX}: most records in one transaction, default {@value #DEFAULT_BATCH_MAX}
 * @param batchMaxDelayMs {@code VOTING_BATCH_MAX_DELAY_MS}: the oldest record waits at most this long, default {@value #DEFAULT_BATCH_MAX_DELAY_MS}
 * @param pollTimeoutMs  {@code VOTING_POLL_TIMEOUT_MS}: how long an idle writer waits for records, default 100
 * @param httpPort       {@code VOTING_WRITER_HTTP_PORT}: health and metrics, default {@value #DEFAULT_HTTP_PORT} (0 = any)
 * @param consumers      {@code VOTING_WRITER_CONSUMERS}: consuming worker verticles in this process (each its own
 *                       consumer and connection, so one encodes while PostgreSQL commits another), default {@value #DEFAULT_CONSUMERS}
 * @param cluster        the cluster (writers publish tallies on its event bus)
 * @param pg             PostgreSQL
 * @param kafkaClient    client properties passed through to the consumer and the admin client ({@link KafkaClientProperties}:
 *                       {@code VOTING_KAFKA_CLIENT_*}, {@code VOTING_KAFKA_CLIENT_PROPERTIES}): TLS, SASL, MSK IAM
 * @param log            the vote log's key and timings ({@link LogConfig})
 * @param addressRetentionDays {@code VOTING_ADDRESS_RETENTION_DAYS}: days after a poll's close the voters' networks
 *                       kept with its votes are dropped ({@code AddressRetention}), default {@value #DEFAULT_ADDRESS_RETENTION_DAYS};
 *                       negative: kept for ever
 * @param tallySeal      {@code VOTING_CLUSTER_KEY}: authenticates the tally updates this writer publishes ({@link TallySeal};
 *                       the dev key by default, refused in production)
 */
public record WriterConfig(String kafkaBootstrap, String topic, String group, int batchMax, long batchMaxDelayMs,
                           long pollTimeoutMs, int httpPort, int consumers, ClusterSettings cluster, PgSettings pg,
                           Map<String, String> kafkaClient, LogConfig log, double addressRetentionDays, TallySeal tallySeal) {
  /** Default retention of voters' networks after a poll's close, in days. */
  public static final double DEFAULT_ADDRESS_RETENTION_DAYS = 30;
  /** Default Kafka. */
  public static final String DEFAULT_KAFKA = "localhost:9092";
  /** Default consumer group (and key of the stored offsets). */
  public static final String DEFAULT_GROUP = "landslide-writer";
  /** Default batch size bound. */
  public static final int DEFAULT_BATCH_MAX = 5000;
  /** Default batch time bound. */
  public static final long DEFAULT_BATCH_MAX_DELAY_MS = 50;
  /** Default consumers per process. */
  public static final int DEFAULT_CONSUMERS = 2;
  /** Default ops port. */
  public static final int DEFAULT_HTTP_PORT = 8081;

  /** Validates. */
  public WriterConfig {
    if (batchMax < 1) throw new IllegalArgumentException("VOTING_BATCH_MAX must be at least 1");
    if (batchMaxDelayMs < 0) throw new IllegalArgumentException("VOTING_BATCH_MAX_DELAY_MS must not be negative");
    if (pollTimeoutMs < 1) throw new IllegalArgumentException("VOTING_POLL_TIMEOUT_MS must be at least 1");
    if (httpPort < 0 || httpPort > 65535) throw new IllegalArgumentException("VOTING_WRITER_HTTP_PORT out of range");
    if (consumers < 1) throw new IllegalArgumentException("VOTING_WRITER_CONSUMERS must be at least 1");
    if (group == null || group.isBlank()) throw new IllegalArgumentException("VOTING_WRITER_GROUP is empty");
    kafkaClient = Map.copyOf(kafkaClient);
    if (log == null) throw new IllegalArgumentException("no log configuration");
    if (tallySeal == null) throw new IllegalArgumentException("no cluster key");
  }

  /** A configuration that passes no client properties (plain Kafka), with the log's defaults. */
  public WriterConfig(String kafkaBootstrap, String topic, String group, int batchMax, long batchMaxDelayMs,
                      long pollTimeoutMs, int httpPort, int consumers, ClusterSettings cluster, PgSettings pg) {
    this(kafkaBootstrap, topic, group, batchMax, batchMaxDelayMs, pollTimeoutMs, httpPort, consumers, cluster, pg, Map.of(), LogConfig.defaults(),
      DEFAULT_ADDRESS_RETENTION_DAYS, TallySeal.fromEnv(Map.of()));
  }

  /** @return this configuration with another log configuration */
  public WriterConfig withLog(LogConfig other) {
    return new WriterConfig(kafkaBootstrap, topic, group, batchMax, batchMaxDelayMs, pollTimeoutMs, httpPort, consumers, cluster, pg, kafkaClient, other,
      addressRetentionDays, tallySeal);
  }

  /** @return this configuration with another retention of voters' networks (days) */
  public WriterConfig withAddressRetentionDays(double days) {
    return new WriterConfig(kafkaBootstrap, topic, group, batchMax, batchMaxDelayMs, pollTimeoutMs, httpPort, consumers, cluster, pg, kafkaClient, log,
      days, tallySeal);
  }

  /**
   * @param own what a client sets itself
   * @return its properties: the bootstrap servers, the passed ones, its own
   */
  public Map<String, Object> kafkaClientProperties(Map<String, Object> own) {
    return KafkaClientProperties.forClient(kafkaBootstrap, kafkaClient, own);
  }

  /** @return the admin client's properties, as strings */
  public Map<String, String> kafkaAdminProperties() {
    return KafkaClientProperties.forAdmin(kafkaBootstrap, kafkaClient);
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static WriterConfig fromEnv(Map<String, String> env) {
    Env e = Env.of(env);
    return new WriterConfig(e.string("VOTING_KAFKA_BOOTSTRAP", DEFAULT_KAFKA),
      e.string("VOTING_TOPIC", Topics.VOTES),
      e.string("VOTING_WRITER_GROUP", DEFAULT_GROUP),
      e.intValue("VOTING_BATCH_MAX", DEFAULT_BATCH_MAX),
      e.longValue("VOTING_BATCH_MAX_DELAY_MS", DEFAULT_BATCH_MAX_DELAY_MS),
      e.longValue("VOTING_POLL_TIMEOUT_MS", 100),
      e.intValue("VOTING_WRITER_HTTP_PORT", DEFAULT_HTTP_PORT),
      e.intValue("VOTING_WRITER_CONSUMERS", DEFAULT_CONSUMERS),
      ClusterSettings.fromEnv(env),
      PgSettings.fromEnv(env),
      KafkaClientProperties.fromEnv(env),
      LogConfig.fromEnv(env),
      retentionDays(env),
      TallySeal.fromEnv(env));
  }

  private static double retentionDays(Map<String, String> env) {
    String v = env.get("VOTING_ADDRESS_RETENTION_DAYS");
    try {
      return v == null ? DEFAULT_ADDRESS_RETENTION_DAYS : Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("VOTING_ADDRESS_RETENTION_DAYS must be a number of days, not '" + v + "'");
    }
  }
}
