package io.landslide.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.infra.TestStack;
import io.landslide.runtime.ClusterSettings;
import io.landslide.runtime.PgSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A writer is ready while it can commit: PostgreSQL answers. Kafka gone only degrades it. */
class WriterReadinessIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static WriterMain start(String bootstrap, PgSettings pg) throws Exception {
    return WriterMain.start(new WriterConfig(bootstrap, "votes-ready-" + UUID.randomUUID(), "ready-" + UUID.randomUUID(), 100, 20, 50, 0, 1,
      ClusterSettings.none(), pg)).await(60, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> ready(WriterMain w) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + w.opsPort() + "/health/ready")).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("Kafka unreachable: 200 DEGRADED (it can still commit what it has); PostgreSQL unreachable: 503")
  void shouldBeReadyWhileItCanCommit() throws Exception {
    WriterMain noKafka = start("127.0.0.1:1", TestStack.pg());
    try {
      HttpResponse<String> r = ready(noKafka);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("\"status\":\"DEGRADED\"").contains("\"postgres\":\"UP\"").contains("\"kafka\":\"DOWN\"");
    } finally {
      noKafka.close().await(30, TimeUnit.SECONDS);
    }
    PgSettings nowhere = new PgSettings("127.0.0.1", 1, "landslide_test", "root", "");
    WriterMain noPg = start(TestStack.kafkaBootstrap(), nowhere);
    try {
      HttpResponse<String> r = ready(noPg);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.body()).contains("\"status\":\"DOWN\"").contains("\"postgres\":\"DOWN\"");
    } finally {
      noPg.close().await(30, TimeUnit.SECONDS);
    }
  }
}
