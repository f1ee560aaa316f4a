package io.landslide.load;

import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.http.HttpDsl.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.http.action.sse.SseInboundMessage;
import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Who watches the main poll: WebSocket spectators ({@code …/live}), server-sent-events spectators ({@code …/events}),
 * and readers of {@code GET …/results}. A spectator checks the first frame is the snapshot of this poll, then that no
 * frame's total or any option's count is lower than the previous frame's, until the run closes the poll and a frame
 * with {@code "final": true} arrives (or, when the run does not close it, a frame showing the reconciled count); then
 * that its last frame equals {@code GET …/results}.
 */
final class Spectators {
  static final String RESULTS = "results";
  static final String NEVER_BACK = "live: totals never went back";
  static final String LAST_FRAME = "live: last frame = results";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Spectators() {}

  /** Readers of {@code GET …/results}, {@code load.readers.rate} a second for the duration. */
  static PopulationBuilder readers() {
    return scenario("results readers")
      .exec(s -> s.set("poll", Target.main().id()))
      .exec(http(RESULTS).get("/api/v1/polls/#{poll}/results").check(
        status().is(200),
        jsonPath("$.poll").ofInt().is(s -> s.getInt("poll")),
        jsonPath("$.total").ofLong().gte(0L),
        jsonPath("$.options").ofList().transform(List::size).is(s -> Target.main().options())))
      .injectOpen(constantUsersPerSec(Knobs.READERS_RATE).during(Knobs.DURATION));
  }

  /** {@code load.spectators} WebSocket spectators, connected over the ramp. */
  static PopulationBuilder webSocket() {
    ChainBuilder connect = exec(ws("live: snapshot").connect("/api/v1/polls/#{poll}/live").await(Duration.ofSeconds(5)).on(
      ws.checkTextMessage("live: snapshot frame").check(bodyString().transformWithSession(Spectators::snapshot).is("ok"),
        bodyString().saveAs("lastFrame"))));
    ChainBuilder look = exec(ws.processUnmatchedMessages((messages, s) -> {
      List<String> frames = new ArrayList<>(messages.size());
      for (WsInboundMessage m : messages) if (m instanceof WsInboundMessage.Text t) frames.add(t.message());
      return frames(frames, s);
    }));
    return watch(scenario("spectators: WebSocket"), connect, look, exec(ws("live: close").close()), Knobs.SPECTATORS);
  }

  /** {@code load.sse.spectators} server-sent-events spectators, connected over the ramp. */
  static PopulationBuilder serverSentEvents() {
    ChainBuilder connect = exec(sse("sse: snapshot").get("/api/v1/polls/#{poll}/events").await(Duration.ofSeconds(5)).on(
      sse.checkMessage("sse: snapshot frame").check(bodyString().transform(Spectators::sseData)
        .transformWithSession(Spectators::snapshot).is("ok"), bodyString().transform(Spectators::sseData).saveAs("lastFrame"))));
    ChainBuilder look = exec(sse.processUnmatchedMessages((messages, s) -> {
      List<String> frames = new ArrayList<>(messages.size());
      for (SseInboundMessage m : messages) {
        String data = sseData(m.message());
        if (data != null) frames.add(data);
      }
      return frames(frames, s);
    }));
    return watch(scenario("spectators: SSE"), connect, look, exec(sse("sse: close").close()), Knobs.SSE_SPECTATORS);
  }

  /** Connect, look at the frames each second until done, close, then the two verdicts. */
  private static PopulationBuilder watch(ScenarioBuilder scenario, ChainBuilder connect, ChainBuilder look, ChainBuilder close, int users) {
    return scenario
      .exec(s -> s.set("poll", Target.main().id()).set("backwards", 0).set("frames", 0).set("final", false))
      .exec(connect)
      .asLongAs(s -> !done(s)).on(pause(Duration.ofSeconds(1)), look)
      .exec(look)
      .exec(close)
      .exec(http(NEVER_BACK).get("/api/v1/polls/#{poll}/results").check(
        status().is(200), bodyString().transformWithSession((body, s) -> s.getInt("backwards")).is(0)))
      .exec(http(LAST_FRAME).get("/api/v1/polls/#{poll}/results").check(
        status().is(200), bodyString().transformWithSession((body, s) -> said(Spectators.lastFrameVerdict(body, s))).is("ok")))
      .injectOpen(rampUsers(users).during(Math.max(1, Knobs.RAMP)));
  }

  /**
   * @return whether a spectator has seen what it waits for: after the close, the final frame; without a close, a
   *     frame with the reconciled count once the reconciliation settled; or the deadline ({@code load.settle} s
   *     after the close) passed
   */
  private static boolean done(Session s) {
    if (!Ledger.isClosed()) return false;
    if (System.currentTimeMillis() > Ledger.closedAt() + Knobs.SETTLE * 1000L) return true;
    if (Knobs.CLOSE) return s.getBoolean("final");
    JsonNode last = parse(s.contains("lastFrame") ? s.getString("lastFrame") : null);
    return last != null && last.path("total").asLong(-1) == Target.main().baseline() + Ledger.acceptedIn(Target.main().id());
  }

  /** The first frame: this poll's results. */
  private static String snapshot(String frame, Session s) {
    JsonNode f = parse(frame);
    if (f == null) return "not JSON: " + frame;
    if (f.path("poll").asInt(-1) != s.getInt("poll")) return "not this poll: " + frame;
    if (!f.path("total").canConvertToLong() || !f.path("options").isArray()) return "no total or options: " + frame;
    return "ok";
  }

  /** Frames since the last look (the snapshot aside): none under the previous one; the last one kept. Each parsed once. */
  private static Session frames(List<String> frames, Session s) {
    if (frames.isEmpty()) return s;
    String last = s.contains("lastFrame") ? s.getString("lastFrame") : null;
    JsonNode previous = parse(last);
    int backwards = s.getInt("backwards");
    boolean isFinal = s.getBoolean("final");
    for (String frame : frames) {
      Ledger.FRAMES.incrementAndGet();
      JsonNode f = parse(frame);
      if (f == null) continue;
      if (previous != null && wentBack(previous, f)) {
        backwards++;
        System.out.println("[load] a live frame went back: " + last + " then " + frame);
      }
      if (f.path("final").asBoolean(false)) isFinal = true;
      previous = f;
      last = frame;
    }
    Session next = s.set("backwards", backwards).set("frames", s.getInt("frames") + frames.size()).set("final", isFinal);
    return last == null ? next : next.set("lastFrame", last);
  }

  /** @return whether the later frame's total or an option's count is lower than the earlier one's */
  static boolean wentBack(JsonNode a, JsonNode b) {
    if (b.path("total").asLong() < a.path("total").asLong()) return true;
    JsonNode ao = a.path("options");
    JsonNode bo = b.path("options");
    for (int i = 0; i < Math.min(ao.size(), bo.size()); i++) {
      if (bo.get(i).path("count").asLong() < ao.get(i).path("count").asLong()) return true;
    }
    return false;
  }

  /** The last frame against {@code GET …/results}: the same total and counts; final after a close. */
  private static String lastFrameVerdict(String results, Session s) {
    String lastFrame = s.contains("lastFrame") ? s.getString("lastFrame") : null;
    JsonNode frame = parse(lastFrame);
    JsonNode now = parse(results);
    if (frame == null || now == null) return "no last frame (" + lastFrame + ") or results (" + results + ")";
    if (Knobs.CLOSE && !frame.path("final").asBoolean(false)) return "no final frame after the close; the last: " + lastFrame;
    if (Knobs.CLOSE && !now.path("final").asBoolean(false)) return "results not final after the final frame: " + results;
    if (frame.path("total").asLong(-1) != now.path("total").asLong(-2)) return "last frame " + lastFrame + " but results " + results;
    JsonNode fo = frame.path("options");
    JsonNode no = now.path("options");
    if (fo.size() != no.size()) return "options differ: " + lastFrame + " vs " + results;
    for (int i = 0; i < fo.size(); i++) {
      if (fo.get(i).path("count").asLong(-1) != no.get(i).path("count").asLong(-2)) return "counts differ: " + lastFrame + " vs " + results;
    }
    return "ok";
  }

  /** @return the verdict, printed unless ok (the report shows only that it failed) */
  private static String said(String verdict) {
    if (!verdict.equals("ok")) System.out.println("[load] " + LAST_FRAME + ": " + verdict);
    return verdict;
  }

  /**
   * @param message an SSE message as Gatling gives it ({@code {"event": …, "id": …, "data": …}}, the data inlined when
   *                it is JSON, else a string)
   * @return its data as text, or null when it has none
   */
  static String sseData(String message) {
    JsonNode m = parse(message);
    if (m == null) return null;
    JsonNode data = m.get("data");
    if (data == null || data.isNull()) return null;
    return data.isTextual() ? data.asText() : data.toString();
  }

  private static JsonNode parse(String json) {
    if (json == null) return null;
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
