package io.landslide.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.infra.TestCertificates;
import io.landslide.runtime.ClusterSettings;
import io.landslide.runtime.Clustering;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The closed cluster plane: members whose certificates the cluster's CA signed talk over the event bus (mutual TLS);
 * a process on the network with a certificate from another CA, or none, reaches no member's bus even when it joins
 * Hazelcast; and one without the cluster key cannot even name the cluster.
 */
class ClusterPlaneIT {
  private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  private static final String OTHER_KEY = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
  private static final List<Vertx> started = new ArrayList<>();
  private static Path ours;
  private static Path theirs;
  private static String name;

  @BeforeAll
  static void certificates() throws Exception {
    ours = Files.createTempDirectory("cluster-tls");
    theirs = Files.createTempDirectory("cluster-tls-other");
    TestCertificates.make(ours, true);
    TestCertificates.make(theirs, true); // its own CA: unrelated to ours
    name = "plane-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Vertx v : started) v.close().await(30, TimeUnit.SECONDS);
  }

  private static Vertx member(String key, Path certs, boolean tls) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(Map.of("VOTING_CLUSTER_NAME", name, "VOTING_CLUSTER_KEY", key));
    if (tls) {
      env.putAll(Map.of("VOTING_CLUSTER_TLS_CERT", certs.resolve("server.crt").toString(), "VOTING_CLUSTER_TLS_KEY",
        certs.resolve("server.key").toString(), "VOTING_CLUSTER_TLS_CA", certs.resolve("ca.crt").toString()));
    }
    Vertx v = Clustering.build(Vertx.builder(), new VertxOptions(), ClusterSettings.fromEnv(env)).await(90, TimeUnit.SECONDS);
    started.add(v);
    return v;
  }

  @Test
  @DisplayName("Members of one CA exchange messages over mutual TLS; a member with another CA's certificate, or without TLS, reaches none; one without the key names another cluster")
  void shouldKeepStrangersOffTheBus() throws Exception {
    Vertx a = member(KEY, ours, true);
    Vertx b = member(KEY, ours, true);
    b.eventBus().<String>consumer("plane.echo", m -> m.reply("echo " + m.body())).completion().await(10, TimeUnit.SECONDS);
    DeliveryOptions quick = new DeliveryOptions().setSendTimeout(5_000);
    // Subscriptions spread through Hazelcast: retry until the member hears of the consumer, with a deadline.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String reply = null;
    while (reply == null) {
      try {
        reply = a.eventBus().<String>request("plane.echo", "hi", quick).await(10, TimeUnit.SECONDS).body();
      } catch (Exception notYet) {
        if (System.nanoTime() > deadline) throw notYet;
        Thread.sleep(200);
      }
    }
    assertThat(reply).isEqualTo("echo hi");

    Vertx stranger = member(KEY, theirs, true); // joins Hazelcast (it has the key), but its certificate is another CA's
    Vertx plain = member(KEY, ours, false); // no TLS at all
    Vertx keyless = member(OTHER_KEY, ours, true); // another key: another cluster name
    for (Vertx v : List.of(stranger, plain, keyless)) {
      assertThatThrownBy(() -> v.eventBus().<String>request("plane.echo", "forged", quick).await(20, TimeUnit.SECONDS))
        .as("a process outside the plane gets no answer from a member").isInstanceOf(Exception.class);
    }
    // The members still talk.
    assertThat(a.eventBus().<String>request("plane.echo", "still", quick).await(10, TimeUnit.SECONDS).body()).isEqualTo("echo still");
  }

  @Test
  @DisplayName("The cluster's name carries the key's digest; production refuses to cluster without the event bus's TLS")
  void shouldNameTheClusterByItsKey() {
    ClusterSettings withKey = ClusterSettings.fromEnv(Map.of("VOTING_CLUSTER_NAME", "landslide", "VOTING_CLUSTER_KEY", KEY));
    ClusterSettings otherKey = ClusterSettings.fromEnv(Map.of("VOTING_CLUSTER_NAME", "landslide", "VOTING_CLUSTER_KEY", OTHER_KEY));
    assertThat(withKey.hazelcastName()).startsWith("landslide-").hasSize("landslide-".length() + 16).isNotEqualTo(otherKey.hazelcastName());
    assertThat(ClusterSettings.fromEnv(Map.of("VOTING_CLUSTER_NAME", "landslide")).hazelcastName()).isEqualTo("landslide");
    assertThatThrownBy(() -> ClusterSettings.fromEnv(Map.of("VOTING_PROFILE", "production", "VOTING_CLUSTER_NAME", "landslide")))
      .hasMessageContaining("VOTING_CLUSTER_TLS_CERT");
    assertThatThrownBy(() -> ClusterSettings.fromEnv(Map.of("VOTING_CLUSTER_TLS_CERT", "/x"))).hasMessageContaining("go together");
  }
}
