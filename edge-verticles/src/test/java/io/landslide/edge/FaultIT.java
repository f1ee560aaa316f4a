package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.VoteEvent;
import io.landslide.dedup.BitmapOptions;
import io.landslide.infra.LocalKafka;
import io.landslide.infra.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge when Kafka or Redis is gone. */
class FaultIT {

  @Test
  @DisplayName("Kafka unreachable: 503 with Retry-After, bit released, nothing recorded; the same user succeeds once Kafka is back")
  void shouldAnswer503AndReleaseWhenKafkaIsDown(@TempDir Path dir) throws Exception {
    LocalKafka kafka = LocalKafka.start(dir);
    int port = kafka.port();
    int cport = Integer.parseInt(Files.readString(dir.resolve("server.properties")).lines()
      .filter(l -> l.startsWith("controller.quorum.voters")).findFirst().orElseThrow().replaceAll(".*:", ""));
    try (EdgeFixture f = EdgeFixture.started(kafka.bootstrap(), BitmapOptions.DEFAULT_REDIS_URI, 2000)) {
      int poll = f.openPoll();
      assertThat(f.vote(poll, TOKENS.voter(11), "{\"option\":0}").statusCode()).isEqualTo(202);

      kafka.stop();
      HttpResponse<Buffer> r = f.vote(poll, TOKENS.voter(12), "{\"option\":1}");
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unavailable");
      assertThat(r.getHeader("Retry-After")).isEqualTo("1");
      assertThat(f.bitSet(poll, 12)).as("bit released").isFalse();

      kafka = LocalKafka.start(dir, port, cport);
      long deadline = System.nanoTime() + 60_000_000_000L;
      HttpResponse<Buffer> retry;
      do {
        // The producer reconnects in the background; until then a vote may still get 503 (and release its bit).
        retry = f.vote(poll, TOKENS.voter(12), "{\"option\":1}");
      } while (retry.statusCode() == 503 && System.nanoTime() < deadline);
      assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
      assertThat(f.recorded(poll)).extracting(VoteEvent::userId).containsExactlyInAnyOrder(11L, 12L);
    } finally {
      kafka.stop();
    }
  }

  @Test
  @DisplayName("Redis unreachable: votes still succeed (PostgreSQL's key stays the guard)")
  void shouldAcceptVotesWithoutRedis() throws Exception {
    try (EdgeFixture f = EdgeFixture.started(TestStack.kafkaBootstrap(), "redis://127.0.0.1:1", 3000)) {
      int poll = f.openPoll();
      assertThat(f.vote(poll, TOKENS.voter(21), "{\"option\":0}").statusCode()).isEqualTo(202);
      // Without the bitmap the edge cannot tell a repeat; the writer's primary key refuses it (writer tests).
      assertThat(f.vote(poll, TOKENS.voter(21), "{\"option\":1}").statusCode()).isEqualTo(202);
      assertThat(f.recorded(poll)).hasSize(2);
    }
  }
}
