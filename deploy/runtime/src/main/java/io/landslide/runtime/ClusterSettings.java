package io.landslide.runtime;

import java.util.List;
import java.util.Map;

/**
 * How edges and writers find each other (the Hazelcast cluster behind Vert.x's clustered event bus), read the
 * same way by both.
 *
 * @param name    {@code VOTING_CLUSTER_NAME}: members of one cluster share it; default {@value #DEFAULT_NAME};
 *                the value {@code none} runs unclustered (live results then come from PostgreSQL alone)
 * @param host    {@code VOTING_CLUSTER_HOST}: the address this member binds and announces, default 127.0.0.1
 *                (in Kubernetes: the pod IP)
 * @param members {@code VOTING_CLUSTER_MEMBERS}: comma-separated TCP/IP members, default {@value #DEFAULT_MEMBERS}
 * @param k8sServiceDns {@code VOTING_CLUSTER_K8S_SERVICE}: a headless service's DNS name; when set, members are
 *                found through it instead of {@code members}
 * @param key     {@code VOTING_CLUSTER_KEY} (base64, the key tally updates are sealed with), or null: when set, the
 *                Hazelcast cluster's name carries a digest of it, so only a process holding the key names the cluster
 *                it may join
 * @param tls     the event bus's TLS ({@code VOTING_CLUSTER_TLS_CERT}, {@code _KEY}, {@code _CA}: PEM files), or null
 */
public record ClusterSettings(String name, String host, List<String> members, String k8sServiceDns, String key, Tls tls) {
  /**
   * The clustered event bus over mutual TLS: every member presents {@code cert} (and {@code key}), and takes only
   * peers whose certificates {@code ca} signed, both ways.
   *
   * @param cert this member's certificate (PEM)
   * @param key  its private key (PEM, PKCS#8)
   * @param ca   the CA every member's certificate is signed by (PEM)
   */
  public record Tls(String cert, String key, String ca) {
  }

  /** @return settings the way they were before the key and TLS (tests, benchmarks) */
  public ClusterSettings(String name, String host, List<String> members, String k8sServiceDns) {
    this(name, host, members, k8sServiceDns, null, null);
  }

  /** Default cluster name. */
  public static final String DEFAULT_NAME = "landslide";
  /** Default members: this machine (every port from 5701 on that Hazelcast may take is tried). */
  public static final String DEFAULT_MEMBERS = "127.0.0.1";

  /** Validates. */
  public ClusterSettings {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("VOTING_CLUSTER_NAME is empty");
    members = List.copyOf(members);
  }

  /**
   * @param env the environment
   * @return the settings; {@link #enabled()} false when {@code VOTING_CLUSTER_NAME=none}
   */
  public static ClusterSettings fromEnv(Map<String, String> env) {
    Env e = Env.of(env);
    String cert = e.optional("VOTING_CLUSTER_TLS_CERT");
    String tlsKey = e.optional("VOTING_CLUSTER_TLS_KEY");
    String ca = e.optional("VOTING_CLUSTER_TLS_CA");
    if ((cert == null) != (tlsKey == null) || (cert == null) != (ca == null)) {
      throw new IllegalArgumentException("VOTING_CLUSTER_TLS_CERT, VOTING_CLUSTER_TLS_KEY and VOTING_CLUSTER_TLS_CA go together");
    }
    boolean production = "production".equals(e.string("VOTING_PROFILE", "local"));
    String name = e.string("VOTING_CLUSTER_NAME", DEFAULT_NAME);
    if (production && !name.equals("none") && cert == null) {
      throw new IllegalArgumentException("production clusters its event bus over TLS: set VOTING_CLUSTER_TLS_CERT, _KEY and _CA");
    }
    return new ClusterSettings(name, e.string("VOTING_CLUSTER_HOST", "127.0.0.1"),
      env.containsKey("VOTING_CLUSTER_MEMBERS") ? e.list("VOTING_CLUSTER_MEMBERS") : List.of(DEFAULT_MEMBERS), e.optional("VOTING_CLUSTER_K8S_SERVICE"),
      e.optional("VOTING_CLUSTER_KEY"), cert == null ? null : new Tls(cert, tlsKey, ca));
  }

  /** @return settings that run unclustered */
  public static ClusterSettings none() {
    return new ClusterSettings("none", "127.0.0.1", List.of(), null);
  }

  /**
   * @return the Hazelcast cluster's name: {@code name}, and with a cluster key a digest of it (HMAC-SHA256 of a
   *     domain string, 16 hex digits), so a process without the key cannot name the cluster to join it
   */
  public String hazelcastName() {
    if (key == null) return name;
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(java.util.Base64.getDecoder().decode(key), "HmacSHA256"));
      byte[] d = mac.doFinal("landslide/hazelcast-cluster-name/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return name + "-" + java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("VOTING_CLUSTER_KEY is not a base64 key", e);
    }
  }

  /** @return whether to cluster at all */
  public boolean enabled() {
    return !name.equals("none");
  }
}
