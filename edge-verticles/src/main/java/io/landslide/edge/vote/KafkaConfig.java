package io.landslide.edge.vote;

import io.landslide.codec.Topics;
import io.landslide.runtime.Env;
import io.landslide.runtime.KafkaClientProperties;
import java.util.Map;

/**
 * Where accepted votes go; read from the environment, validated at start.
 *
 * @param bootstrap         {@code VOTING_KAFKA_BOOTSTRAP}, default {@value #DEFAULT_BOOTSTRAP}
 * @param topic             {@code VOTING_TOPIC}, default {@link Topics#VOTES}
 * @param deliveryTimeoutMs {@code VOTING_KAFKA_DELIVERY_TIMEOUT_MS}: after this a produce has failed for sure, default {@value #DEFAULT_DELIVERY_TIMEOUT_MS}
 * @param writerGroup       {@code VOTING_WRITER_GROUP}: the writers' group, to tell when results are final, default {@value #DEFAULT_WRITER_GROUP}
 * @param client            client properties passed through to the producer and the admin client ({@link KafkaClientProperties}:
 *                          {@code VOTING_KAFKA_CLIENT_*}, {@code VOTING_KAFKA_CLIENT_PROPERTIES}): TLS, SASL, MSK IAM
 */
public record KafkaConfig(String bootstrap, String topic, int deliveryTimeoutMs, String writerGroup, Map<String, String> client) {
  /** Default Kafka. */
  public static final String DEFAULT_BOOTSTRAP = "localhost:9092";
  /** Default produce deadline. */
  public static final int DEFAULT_DELIVERY_TIMEOUT_MS = 5000;
  /** Default writer group. */
  public static final String DEFAULT_WRITER_GROUP = "landslide-writer";

  /** Validates. */
  public KafkaConfig {
    if (bootstrap == null || bootstrap.isBlank()) throw new IllegalArgumentException("VOTING_KAFKA_BOOTSTRAP is empty");
    if (topic == null || topic.isBlank()) throw new IllegalArgumentException("VOTING_TOPIC is empty");
    if (deliveryTimeoutMs < 1000) throw new IllegalArgumentException("VOTING_KAFKA_DELIVERY_TIMEOUT_MS must be at least 1000");
    if (writerGroup == null || writerGroup.isBlank()) throw new IllegalArgumentException("VOTING_WRITER_GROUP is empty");
    client = Map.copyOf(client);
  }

  /**
   * @param own what a client sets itself
   * @return its properties: the bootstrap servers, the passed ones, its own
   */
  public Map<String, Object> clientProperties(Map<String, Object> own) {
    return KafkaClientProperties.forClient(bootstrap, client, own);
  }

  /** @return the admin client's properties, as strings */
  public Map<String, String> adminProperties() {
    return KafkaClientProperties.forAdmin(bootstrap, client);
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static KafkaConfig fromEnv(Env env) {
    return new KafkaConfig(env.string("VOTING_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP), env.string("VOTING_TOPIC", Topics.VOTES),
      env.intValue("VOTING_KAFKA_DELIVERY_TIMEOUT_MS", DEFAULT_DELIVERY_TIMEOUT_MS), env.string("VOTING_WRITER_GROUP", DEFAULT_WRITER_GROUP),
      KafkaClientProperties.fromEnv(env.asMap()));
  }
}
