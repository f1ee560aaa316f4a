package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The processes' logs in a failure storm (issue 12): one JSON object per line; a Kafka outage that fails every vote is
 * logged once (with the poll), not once per vote; and no line holds a voter's token.
 */
class OutageLogsIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of("VOTING_KAFKA_DELIVERY_TIMEOUT_MS", "2000"));

  private static Path log(String process) {
    return f.stack.settings().dir().resolve(process + ".log");
  }

  private static List<String> linesFrom(Path file, long offset) throws Exception {
    byte[] all = Files.readAllBytes(file);
    String tail = new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset), StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    for (String l : tail.split("\n")) if (!l.isBlank()) out.add(l);
    return out;
  }

  @Test
  @DisplayName("Kafka down: 200 votes answered 503, logged as one JSON line with the poll (not one per vote), no token in any line")
  void shouldLogAnOutageOnceAsJson() throws Exception {
    int poll = f.createPoll("Outage " + System.nanoTime(), 2);
    long[] first = {750_000};
    VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 20);
    assertThat(driver.run(poll, first, VoteDriver.bearers(first), u -> 0, 1, false).await(60, TimeUnit.SECONDS).count(202)).isEqualTo(1);
    for (String p : new String[] {"edge", "writer"}) {
      for (String line : linesFrom(log(p), 0)) {
        if (line.startsWith("WARNING: ") || line.startsWith(" --add")) continue; // the JVM's own, before any logger (Hazelcast's module warning)
        assertThat(parse(line)).as(p + ": " + line).isNotNull();
      }
    }
    long offset = Files.size(log("edge"));

    f.stack.stop("kafka/broker");
    long[] users = new long[200];
    for (int i = 0; i < users.length; i++) users[i] = 750_001 + i;
    String[] bearers = VoteDriver.bearers(users);
    VoteDriver.Results r = driver.run(poll, users, bearers, u -> (int) (u % 2), 20, false).await(120, TimeUnit.SECONDS);
    driver.close();
    assertThat(r.count(503)).as("every vote refused, nothing recorded").isEqualTo(200);

    List<JsonObject> lines = new ArrayList<>();
    for (String line : linesFrom(log("edge"), offset)) {
      JsonObject j = parse(line);
      assertThat(j).as("one JSON object per line: " + line).isNotNull();
      assertThat(j.getString("ts")).isNotNull();
      assertThat(j.getString("level")).isNotNull();
      assertThat(j.getString("msg")).isNotNull();
      for (String b : bearers) assertThat(line).doesNotContain(b);
      assertThat(line).doesNotContain("eyJ");
      lines.add(j);
    }
    List<JsonObject> produce = lines.stream().filter(j -> j.getString("msg").startsWith("Kafka produce")).toList();
    assertThat(produce).as("the outage, once (and at most a summary), for 200 failed votes: " + lines).hasSizeBetween(1, 2);
    assertThat(produce.get(0).getString("msg")).startsWith("Kafka produce failing: ");
    assertThat(produce.get(0).getInteger("poll")).isEqualTo(poll);
    assertThat(produce.get(0).getString("state")).isEqualTo("failing");
    assertThat(produce.get(0).getString("requestId")).as("the first failing request's id, which its 503 carried").matches("[0-9a-f]{1,16}");
    assertThat(lines.size()).as("the whole log of the outage stays short: " + lines).isLessThan(20);
  }

  private static JsonObject parse(String line) {
    try {
      return new JsonObject(line);
    } catch (DecodeException e) {
      return null;
    }
  }
}
