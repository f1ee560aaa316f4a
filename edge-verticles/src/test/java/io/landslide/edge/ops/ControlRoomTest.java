package io.landslide.edge.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.landslide.codec.ErrorCode;
import io.landslide.codec.TallySeal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The control room's arithmetic: rates summed across edges over the window, the writers' lag, and vote-to-screen percentiles. */
class ControlRoomTest {
  private static final TallySeal SEAL = new TallySeal("a-cluster-key-of-thirty-two-bytes!".getBytes(StandardCharsets.US_ASCII));

  private static JsonObject edge(String node, long at, long accepted, long already, long spectators, long[] screen) {
    JsonArray v = new JsonArray();
    for (long n : screen) v.add(n);
    return new JsonObject().put("node", node).put("at", at).put("voteToScreen", v).put("polls", new JsonArray()
      .add(new JsonObject().put("poll", 5).put("accepted", accepted).put("flagged", accepted / 10).put("spectators", spectators)
        .put("refused", new JsonObject().put("already_voted", already)))
      .add(new JsonObject().put("poll", 6).put("accepted", 1_000_000L).put("refused", new JsonObject())));
  }

  private static long[] screen(int bucket, long n) {
    long[] b = new long[ShowStats.BUCKETS_MS.length + 1];
    b[bucket] = n;
    return b;
  }

  @Test
  void shouldSumTheRatesOfEveryEdgeOverTheWindowAndLeaveOutTheSilent() {
    ControlRoom room = new ControlRoom(new ShowStats(), SEAL);
    long now = System.currentTimeMillis();
    // Edge a: 1,000 votes/s for 10 s; edge b: 500/s; edge c stopped a minute ago.
    room.heardEdge(edge("a", now - 10_000, 0, 0, 40, screen(6, 0)));
    room.heardEdge(edge("a", now, 10_000, 200, 60, screen(6, 99)));
    room.heardEdge(edge("b", now - 5_000, 1_000, 0, 10, screen(7, 0)));
    room.heardEdge(edge("b", now - 1_000, 3_000, 40, 15, screen(7, 1)));
    room.heardEdge(edge("c", now - 60_000, 0, 0, 1000, screen(0, 0)));
    room.heardWriter(new JsonObject().put("node", "w1").put("at", now).put("lag", new JsonObject().put("0", 12).put("1", 3)).put("oldestVoteAgeSeconds", 0.4));
    room.heardWriter(new JsonObject().put("node", "w2").put("at", now - 500).put("lag", new JsonObject().put("2", 100)).put("oldestVoteAgeSeconds", 1.5));
    room.heardWriter(new JsonObject().put("node", "w3").put("at", now - 30_000).put("lag", new JsonObject().put("3", 999_999)));

    JsonObject p = room.panel(5);
    assertThat(p.getInteger("edges")).isEqualTo(2);
    assertThat(p.getInteger("writers")).isEqualTo(2);
    JsonObject rates = p.getJsonObject("votesPerSecond");
    assertThat(rates.getDouble("accepted")).isCloseTo(1_000 + 500, within(0.1));
    assertThat(rates.getJsonObject("refused").getDouble("already_voted")).isCloseTo(20 + 10, within(0.1));
    assertThat(rates.getDouble("flagged")).isCloseTo(150, within(0.1));
    assertThat(p.getJsonObject("sinceEdgesStarted").getLong("accepted")).isEqualTo(13_000);
    assertThat(p.getLong("spectators")).as("the stopped edge's spectators are gone").isEqualTo(75);
    JsonObject lag = p.getJsonObject("writerLag");
    assertThat(lag.getLong("records")).as("the silent writer's lag is left out").isEqualTo(115);
    assertThat(lag.getJsonObject("partitions").getLong("2")).isEqualTo(100);
    assertThat(lag.getDouble("oldestVoteAgeSeconds")).isEqualTo(1.5);
    JsonObject screen = p.getJsonObject("voteToScreen");
    assertThat(screen.getLong("commits")).isEqualTo(100);
    // 99 in the 50-100 ms bucket, 1 in 100-200 ms: the median inside the first, p99 at its top.
    assertThat(screen.getDouble("p50Seconds")).isBetween(0.05, 0.1);
    assertThat(screen.getDouble("p99Seconds")).isCloseTo(0.1, within(0.001));
    assertThat(room.panel(7).getJsonObject("votesPerSecond").getDouble("accepted")).as("a poll with no votes").isZero();
  }

  @Test
  void shouldEstimateQuantilesAsPrometheusDoes() {
    long[] c = new long[ShowStats.BUCKETS_MS.length + 1];
    c[0] = 50; // <= 1 ms
    c[1] = 50; // 1-2 ms
    assertThat(ControlRoom.quantile(c, 0.5)).isEqualTo(1.0);
    assertThat(ControlRoom.quantile(c, 0.75)).isEqualTo(1.5);
    long[] inf = new long[ShowStats.BUCKETS_MS.length + 1];
    inf[inf.length - 1] = 3;
    assertThat(ControlRoom.quantile(inf, 0.99)).as("+Inf answers the highest finite bound").isEqualTo(30_000.0);
  }

  @Test
  void shouldCountPerPollAndMeasureEachCommitOnce() {
    ShowStats s = new ShowStats();
    s.poll(5).accepted();
    s.poll(5).accepted();
    s.poll(5).refused(ErrorCode.ALREADY_VOTED);
    s.noPoll().refused(ErrorCode.POLL_NOT_FOUND);
    s.poll(5).spectators(1);
    s.voteToScreen(70);
    JsonObject snap = s.snapshot("me");
    JsonObject p5 = snap.getJsonArray("polls").stream().map(JsonObject.class::cast).filter(o -> o.getInteger("poll") == 5).findFirst().orElseThrow();
    assertThat(p5.getLong("accepted")).isEqualTo(2);
    assertThat(p5.getJsonObject("refused").getLong("already_voted")).isEqualTo(1);
    assertThat(p5.getLong("spectators")).isEqualTo(1);
    assertThat(snap.getJsonArray("voteToScreen").getLong(6)).as("70 ms: the 50-100 ms bucket").isEqualTo(1);
    assertThat(s.firstToScreen(42, 5)).isTrue();
    assertThat(s.firstToScreen(42, 5)).as("the second event loop to hear the commit").isFalse();
    assertThat(s.firstToScreen(42, 6)).isTrue();
  }

  @Test
  void shouldDropMessagesNotSealedWithTheClusterKey() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      ControlRoom room = new ControlRoom(new ShowStats(), SEAL);
      room.start(vertx).await(10, java.util.concurrent.TimeUnit.SECONDS);
      long now = System.currentTimeMillis();
      TallySeal intruder = new TallySeal("another-clusters-key-thirty-two!".getBytes(StandardCharsets.US_ASCII));
      byte[] forged = edge("x", now, 1_000_000, 0, 1_000_000, screen(0, 0)).toBuffer().getBytes();
      vertx.eventBus().publish(io.landslide.codec.ControlRoomAddresses.EDGES, Buffer.buffer(intruder.seal(forged)));
      vertx.eventBus().publish(io.landslide.codec.ControlRoomAddresses.EDGES, Buffer.buffer(forged));
      vertx.eventBus().publish(io.landslide.codec.ControlRoomAddresses.EDGES, "not bytes");
      vertx.eventBus().publish(io.landslide.codec.ControlRoomAddresses.EDGES, Buffer.buffer(SEAL.seal(edge("y", now, 7, 0, 3, screen(0, 0)).toBuffer().getBytes())));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (room.panel(5).getInteger("edges") < 2 && System.nanoTime() < deadline) Thread.sleep(20); // y and this edge itself
      JsonObject p = room.panel(5);
      assertThat(p.getInteger("edges")).as("y and this edge's own, never x").isEqualTo(2);
      assertThat(p.getLong("spectators")).isEqualTo(3);
      assertThat(p.getJsonObject("sinceEdgesStarted").getLong("accepted")).isEqualTo(7);
    } finally {
      vertx.close();
    }
  }

  @Test
  void shouldKeepTheMessageToThePollsOfTheMoment() {
    ShowStats s = new ShowStats();
    long t = 1_000_000_000L;
    ShowStats.PollCounters old = s.poll(1);
    old.accepted();
    s.poll(2).accepted();
    s.poll(3).spectators(1);
    assertThat(polls(s.snapshot("me", t))).containsExactlyInAnyOrder(1, 2, 3, 0);
    s.poll(2).accepted();
    // Six minutes on: poll 1 has not moved (left out), poll 2 moved since the last message, poll 3 is watched.
    assertThat(polls(s.snapshot("me", t + 6 * 60_000))).containsExactlyInAnyOrder(2, 3, 0);
    // An hour and more: poll 1 is forgotten; whoever kept its counters is told, and gets new ones.
    s.snapshot("me", t + 62 * 60_000);
    assertThat(old.retired()).isTrue();
    assertThat(s.poll(1)).isNotSameAs(old);
    assertThat(s.poll(3).retired()).as("watched: kept").isFalse();
  }

  private static java.util.List<Integer> polls(JsonObject snapshot) {
    return snapshot.getJsonArray("polls").stream().map(o -> ((JsonObject) o).getInteger("poll")).toList();
  }
}
