package io.landslide.runtime.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/** The log's format: one JSON object per line, fields from key-value pairs, credentials scrubbed, levels per prefix; and state logs. */
class JsonLogTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final JsonLog factory = new JsonLog(Level.INFO, Map.of("org.apache.kafka", Level.WARN), false, new PrintStream(bytes, true, StandardCharsets.UTF_8));

  private List<JsonObject> lines() {
    return Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n")).filter(l -> !l.isEmpty()).map(JsonObject::new).toList();
  }

  @Test
  void shouldWriteOneJsonObjectPerLine() {
    Logger log = factory.getLogger("io.landslide.edge.vote.VoteHandler");
    log.info("poll {} opened\nwith \"quotes\" and a tab\t", 42);
    log.atWarn().addKeyValue("poll", 42).addKeyValue("requestId", "r-1").log("Kafka produce failing");
    log.error("boom", new IllegalStateException("the cause"));
    List<JsonObject> lines = lines();
    assertThat(lines).hasSize(3);
    JsonObject first = lines.get(0);
    assertThat(first.getString("level")).isEqualTo("INFO");
    assertThat(first.getString("logger")).isEqualTo("VoteHandler");
    assertThat(first.getString("msg")).isEqualTo("poll 42 opened\nwith \"quotes\" and a tab\t");
    assertThat(first.getString("ts")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(first.getString("thread")).isNotEmpty();
    assertThat(lines.get(1).getInteger("poll")).isEqualTo(42);
    assertThat(lines.get(1).getString("requestId")).isEqualTo("r-1");
    assertThat(lines.get(2).getString("error")).isEqualTo("java.lang.IllegalStateException: the cause");
    assertThat(lines.get(2).getString("stack")).contains("JsonLogTest");
  }

  @Test
  void shouldNeverWriteACredential() {
    Logger log = factory.getLogger("io.landslide.edge.http.Http");
    String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    log.warn("refused Authorization: Bearer {} from {}", jwt, "10.0.0.1");
    log.warn("body {\"email\":\"a@b.example\",\"password\":\"correct horse battery\"}");
    log.atWarn().addKeyValue("header", "Bearer abcdefghijklmnop").log("token={}", "s3cr3t-value");
    String all = bytes.toString(StandardCharsets.UTF_8);
    assertThat(all).doesNotContain(jwt).doesNotContain("correct horse").doesNotContain("abcdefghijklmnop").doesNotContain("s3cr3t-value");
    assertThat(all).contains("[redacted]").contains("10.0.0.1").contains("a@b.example");
    assertThat(lines()).hasSize(3);
  }

  @Test
  void shouldTakeLevelsPerLoggerPrefix() {
    factory.getLogger("org.apache.kafka.clients.NetworkClient").info("chatty");
    factory.getLogger("org.apache.kafka.clients.NetworkClient").warn("worth a line");
    factory.getLogger("io.landslide.writer.WriterMain").debug("not at info");
    assertThat(lines()).extracting(j -> j.getString("msg")).containsExactly("worth a line");
  }

  @Test
  void shouldLogAStormOncePerChangeOfState() {
    long[] now = {1_000_000};
    StateLog kafka = new StateLog(factory.getLogger("io.landslide.edge.vote.VoteHandler"), "Kafka produce", 10_000, () -> now[0]);
    kafka.ok(); // nothing failing: nothing logged
    for (int i = 0; i < 5_000; i++) kafka.failed("TimeoutException: 30000 ms", "poll", 7);
    assertThat(lines()).hasSize(1);
    assertThat(lines().get(0).getString("msg")).isEqualTo("Kafka produce failing: TimeoutException: 30000 ms");
    assertThat(lines().get(0).getInteger("poll")).isEqualTo(7);
    assertThat(lines().get(0).getString("state")).isEqualTo("failing");
    now[0] += 10_000;
    kafka.failed("TimeoutException: 30000 ms", "poll", 7);
    assertThat(lines()).hasSize(2);
    assertThat(lines().get(1).getString("msg")).startsWith("Kafka produce still failing: 5000 failures in the last 10 s, 5001 since");
    now[0] += 3_000;
    for (int i = 0; i < 100; i++) kafka.ok();
    assertThat(lines()).hasSize(3);
    assertThat(lines().get(2).getString("msg")).isEqualTo("Kafka produce recovered after 13 s and 5001 failures");
    assertThat(lines().get(2).getString("level")).isEqualTo("INFO");
    // Without a success to report (a request's 500): a failure a whole period after the last is a new episode.
    StateLog internal = new StateLog(factory.getLogger("io.landslide.edge.http.Http"), "requests", 10_000, () -> now[0]);
    internal.failed("NullPointerException", null, null);
    now[0] += 60_000;
    internal.failed("IllegalStateException", null, null);
    assertThat(lines()).hasSize(5);
    assertThat(lines().get(4).getString("msg")).isEqualTo("requests failing: IllegalStateException");
  }
}
