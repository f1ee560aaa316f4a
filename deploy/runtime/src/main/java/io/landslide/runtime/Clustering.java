package io.landslide.runtime;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds a process's Vert.x, clustered with Hazelcast when the settings say so: TCP/IP members on one machine,
 * a Kubernetes headless service in production. Edges and writers both boot through here.
 */
public final class Clustering {
  private Clustering() {
  }

  /**
   * @param builder a Vert.x builder (metrics already attached)
   * @param options the Vert.x options
   * @param c       the cluster settings
   * @return a clustered Vert.x, or a plain one when {@link ClusterSettings#enabled()} is false
   */
  public static Future<Vertx> build(VertxBuilder builder, VertxOptions options, ClusterSettings c) {
    if (!c.enabled()) return Future.succeededFuture(builder.with(options).build());
    options.getEventBusOptions().setHost(c.host()).setClusterPublicHost(c.host()).setPort(0);
    if (c.tls() != null) { // mutual TLS: a member takes and reaches only peers whose certificates the cluster's CA signed
      options.getEventBusOptions().setSsl(true)
        .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(c.tls().cert()).setKeyPath(c.tls().key()))
        .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(c.tls().ca()))
        .setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
    }
    // The name carries the cluster key's digest (ClusterSettings.hazelcastName): a stranger on the network cannot
    // name the cluster; Hazelcast binds and listens on the configured host only.
    Config hz = new Config().setClusterName(c.hazelcastName());
    hz.setProperty("hazelcast.socket.bind.any", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.local.localAddress", c.host());
    hz.getNetworkConfig().setPort(5701).setPortAutoIncrement(true).setPortCount(20);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (c.k8sServiceDns() != null) {
      join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", c.k8sServiceDns());
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(c.members());
    }
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered();
  }
}
