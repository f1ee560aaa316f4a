package io.landslide.writer;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.landslide.codec.ClusterSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds this process's Vert.x, clustered with Hazelcast when the settings say so: TCP/IP members on one machine,
 * a Kubernetes headless service in production. (Edge and writer each have this class: neither may import the
 * other, and the codecs module holds no framework code.)
 */
final class Clustering {
  private Clustering() {
  }

  static Future<Vertx> build(VertxBuilder builder, VertxOptions options, ClusterSettings c) {
    if (!c.enabled()) return Future.succeededFuture(builder.with(options).build());
    options.getEventBusOptions().setHost(c.host()).setClusterPublicHost(c.host()).setPort(0);
    Config hz = new Config().setClusterName(c.name());
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
