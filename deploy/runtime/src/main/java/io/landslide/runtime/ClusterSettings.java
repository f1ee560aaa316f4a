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
 */
public record ClusterSettings(String name, String host, List<String> members, String k8sServiceDns) {
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
    return new ClusterSettings(e.string("VOTING_CLUSTER_NAME", DEFAULT_NAME), e.string("VOTING_CLUSTER_HOST", "127.0.0.1"),
      env.containsKey("VOTING_CLUSTER_MEMBERS") ? e.list("VOTING_CLUSTER_MEMBERS") : List.of(DEFAULT_MEMBERS), e.optional("VOTING_CLUSTER_K8S_SERVICE"));
  }

  /** @return settings that run unclustered */
  public static ClusterSettings none() {
    return new ClusterSettings("none", "127.0.0.1", List.of(), null);
  }

  /** @return whether to cluster at all */
  public boolean enabled() {
    return !name.equals("none");
  }
}
