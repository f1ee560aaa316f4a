package io.landslide.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRedisClusterIT {

  @Test
  void shouldStartThreeMastersWithAReplicaEachAndStopThemAll(@TempDir Path dir) {
    LocalRedisCluster cluster = LocalRedisCluster.start(dir);
    try {
      assertThat(cluster.ports()).hasSize(6).doesNotHaveDuplicates();
      assertThat(cluster.seeds().split(",")).hasSize(6).allSatisfy(s -> assertThat(s).startsWith("redis://127.0.0.1:"));
      for (int port : cluster.ports()) {
        assertThat(cluster.cli(port, "CLUSTER", "INFO")).contains("cluster_state:ok").contains("cluster_size:3")
          .contains("cluster_slots_assigned:16384");
      }
      assertThat(cluster.masterPorts()).hasSize(3);
      // keys with the same hash tag share a slot, and so a master
      assertThat(cluster.masterOf("{p:1}a")).isEqualTo(cluster.masterOf("{p:1}b"));
      int master = cluster.masterOf("k");
      assertThat(cluster.cli(master, "SET", "k", "v").strip()).isEqualTo("OK");
      assertThat(cluster.cli(master, "GET", "k").strip()).isEqualTo("v");
      for (int port : cluster.ports()) assertThat(Files.exists(dir.resolve("node-" + port).resolve("nodes.conf"))).isTrue();
    } finally {
      cluster.stop();
    }
    for (int port : cluster.ports()) {
      assertThat(cluster.cli(port, "PING").strip()).as("node " + port + " stopped").isNotEqualTo("PONG");
    }
    assertThat(dir).as("the caller's directory is left alone").exists();
  }
}
