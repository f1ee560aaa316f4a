package io.landslide.edge;

import io.landslide.dedup.BitmapOptions;
import io.landslide.edge.account.AccountConfig;
import io.landslide.edge.account.JwtConfig;
import io.landslide.edge.audit.AuditConfig;
import io.landslide.edge.defence.DefenceConfig;
import io.landslide.edge.defence.PowConfig;
import io.landslide.edge.http.HttpConfig;
import io.landslide.edge.live.LiveConfig;
import io.landslide.edge.poll.PollConfig;
import io.landslide.edge.vote.KafkaConfig;
import io.landslide.edge.vote.ReconcileConfig;
import io.landslide.runtime.ClusterSettings;
import io.landslide.runtime.Env;
import io.landslide.runtime.PgSettings;
import java.util.Map;

/**
 * Everything an edge process is configured with, one record per concern; read from the environment and validated
 * at start, each part by its own record (a bad value fails naming its variable). {@link EdgeMain} hands each
 * component only its own part.
 *
 * @param http     the public listener
 * @param jwt      tokens: profile, keys
 * @param kafka    where accepted votes go
 * @param live     live results to spectators
 * @param polls    polls and their store
 * @param defences proof of work, rate limits, abuse signals
 * @param accounts accounts and login tokens
 * @param cluster  the cluster
 * @param pg       PostgreSQL
 * @param bitmap   Redis bitmaps
 * @param reconcile settling claims left pending
 * @param audit     the vote log's public key and the receipt keys
 * @param tallySeal {@code VOTING_CLUSTER_KEY}: authenticates the writers' tally updates on the event bus (the dev key by
 *                  default, refused in production)
 */
public record EdgeConfig(HttpConfig http, JwtConfig jwt, KafkaConfig kafka, LiveConfig live, PollConfig polls, DefenceConfig defences,
                         AccountConfig accounts, ClusterSettings cluster, PgSettings pg, BitmapOptions bitmap,
                         ReconcileConfig reconcile, AuditConfig audit, io.landslide.codec.TallySeal tallySeal) {
  /** How much longer than the producer's delivery timeout a pending claim must be before it is settled. */
  public static final long RECONCILE_MARGIN_MS = 5_000;

  /** Validates what spans parts: production refuses every dev default. */
  public EdgeConfig {
    if (jwt.production() && defences.pow().secret().equals(PowConfig.DEV_SECRET)) {
      throw new IllegalArgumentException("the dev proof-of-work secret (VOTING_POW_SECRET) is refused in production");
    }
    // A vote waits for Kafka's ack up to the delivery timeout: the slow-client limit on a request with a body must outlast it.
    if (http.bodyTimeoutMs() < kafka.deliveryTimeoutMs() + 1000) {
      throw new IllegalArgumentException("VOTING_HTTP_BODY_TIMEOUT_MS must be at least VOTING_KAFKA_DELIVERY_TIMEOUT_MS + 1000 ("
        + (kafka.deliveryTimeoutMs() + 1000) + ")");
    }
    // A claim younger than a produce can take may still have its vote on the way: settling it could free a voter
    // whose vote is then counted, and the voter's second vote would be refused after a 202.
    if (reconcile.graceMs() < kafka.deliveryTimeoutMs() + RECONCILE_MARGIN_MS) {
      throw new IllegalArgumentException("VOTING_RECONCILE_GRACE_MS must be at least VOTING_KAFKA_DELIVERY_TIMEOUT_MS + "
        + RECONCILE_MARGIN_MS + " (" + (kafka.deliveryTimeoutMs() + RECONCILE_MARGIN_MS) + ")");
    }
  }

  /**
   * @param env the environment
   * @return the configuration, defaults for what is not set
   */
  public static EdgeConfig fromEnv(Map<String, String> env) {
    Env e = Env.of(env);
    KafkaConfig kafka = KafkaConfig.fromEnv(e);
    // By default a request with a body may take the delivery timeout and 5 s more (a vote waiting for Kafka's ack).
    HttpConfig http = HttpConfig.fromEnv(e, Math.max(HttpConfig.DEFAULT_BODY_TIMEOUT_MS, kafka.deliveryTimeoutMs() + 5000L));
    return new EdgeConfig(http, JwtConfig.fromEnv(e), kafka, LiveConfig.fromEnv(e, http.instances()), PollConfig.fromEnv(e),
      DefenceConfig.fromEnv(env), AccountConfig.fromEnv(env), ClusterSettings.fromEnv(env), PgSettings.fromEnv(env), BitmapOptions.fromEnv(env),
      ReconcileConfig.fromEnv(e), AuditConfig.fromEnv(e, JwtConfig.fromEnv(e).production()), io.landslide.codec.TallySeal.fromEnv(env));
  }
}
