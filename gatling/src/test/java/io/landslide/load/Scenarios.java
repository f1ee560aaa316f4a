package io.landslide.load;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scenarios and their injection profiles. Every response is checked: its status, the contract's error code
 * ({@code shared/api-contract.md}) where one is expected, and the body's fields. Request names are what the gates
 * ({@link Gates}) and the report refer to:
 * <ul>
 *   <li>{@code vote}, {@code my vote}: the show's voters (distinct users, then {@code GET …/votes/me});
 *   <li>{@code storm: first vote}, {@code storm: retry}: users who retry after their 202 (each retry 409
 *       {@code already_voted});
 *   <li>{@code race vote}: {@code load.race.width} requests of one user at once (one 202, the others 409);
 *   <li>{@code results}: readers of {@code GET …/results};
 *   <li>{@code live: snapshot}, {@code live: totals never went back}: WebSocket spectators;
 *   <li>{@code reconcile: …}: the reconciliation after the run.
 * </ul>
 */
final class Scenarios {
  static final String VOTE = "vote";
  static final String RESULTS = "results";
  static final String RECONCILE_TOTAL = "reconcile: counted = 202s";
  static final String RECONCILE_RACES = "reconcile: one 202 per race";
  static final String SPECTATOR_VERDICT = "live: totals never went back";

  private static final Pattern TOTAL = Pattern.compile("\"total\"\\s*:\\s*(\\d+)");
  private static final Pattern COUNT = Pattern.compile("\"count\"\\s*:\\s*(\\d+)");

  private Scenarios() {}

  static HttpProtocolBuilder protocol() {
    HttpProtocolBuilder p = http.baseUrl(Knobs.BASE_URL)
      .wsBaseUrl(Knobs.BASE_URL.replaceFirst("^http", "ws"))
      .acceptHeader("application/json")
      .userAgentHeader("landslide-gatling")
      // Warm Gatling's HTTP stack up on the target itself (its default is an outside site), and never answer a
      // results read from a cache: every read is the server's.
      .warmUp(Knobs.BASE_URL + "/health/live")
      .disableCaching()
      .wsUnmatchedInboundMessageBufferSize(10_000);
    return Knobs.SHARE_CONNECTIONS ? p.shareConnections() : p;
  }

  // ---- the show's voters ------------------------------------------------------------------------------------------

  /** The show's shape: a ramp as the lines open, the peak, then a tail decaying to a trickle. */
  static List<OpenInjectionStep> showShape() {
    List<OpenInjectionStep> steps = new ArrayList<>();
    double rate = Knobs.RATE;
    if (Knobs.RAMP > 0) steps.add(rampUsersPerSec(Math.max(rate * 0.05, 0.5)).to(rate).during(Knobs.RAMP));
    if (Knobs.PEAK > 0) steps.add(constantUsersPerSec(rate).during(Knobs.PEAK));
    if (Knobs.tail() > 0) steps.add(rampUsersPerSec(rate * Knobs.TAIL_START).to(rate * Knobs.TAIL_END).during(Knobs.tail()));
    return steps;
  }

  static PopulationBuilder voters() {
    return scenario("voters")
      .exec(begin())
      .feed(Identities.voters())
      .exec(vote(VOTE).check(accepted()))
      .exec(record())
      .doIf(Scenarios::was202).then(
        exec(http("my vote").get("/api/v1/polls/#{poll}/votes/me").header("Authorization", "Bearer #{token}")
          .check(status().is(200), jsonPath("$").ofMap().transformWithSession(Scenarios::myVote).is("ok"))))
      .exec(end())
      .injectOpen(showShape());
  }

  // ---- the duplicate storm ----------------------------------------------------------------------------------------

  /** Users who vote, get their 202, and vote again {@code load.storm.retries} times: each retry 409 already_voted. */
  static PopulationBuilder retriers() {
    return scenario("storm: retry after 202")
      .exec(begin())
      .feed(Identities.voters())
      .exec(vote("storm: first vote").check(accepted()))
      .exec(record())
      .doIf(Scenarios::was202).then(
        repeat(Knobs.STORM_RETRIES).on(
          pause(Duration.ofMillis(100), Duration.ofMillis(1000)),
          exec(s -> s.remove("status")),
          exec(vote("storm: retry").check(refused(409, "already_voted"))),
          exec(record())))
      .exec(end())
      .injectOpen(constantUsersPerSec(Knobs.STORM_RATE).during(Knobs.DURATION));
  }

  /** {@code load.races} races, spread over the duration: {@code load.race.width} users at once, all the same viewer. */
  static PopulationBuilder races() {
    int width = Knobs.RACE_WIDTH;
    List<OpenInjectionStep> steps = new ArrayList<>();
    long spacingMs = Math.max(500, Knobs.DURATION * 1000L / Math.max(1, Knobs.RACES));
    for (int i = 0; i < Knobs.RACES; i++) {
      if (i > 0) steps.add(nothingFor(Duration.ofMillis(spacingMs)));
      steps.add(atOnceUsers(width));
    }
    return scenario("storm: races")
      .exec(begin())
      .feed(Identities.racers(width))
      .exec(vote("race vote")
        .check(status().saveAs("status"), status().in(202, 409))
        .checkIf((response, s) -> response.status().code() == 202)
        .then(jsonPath("$").ofMap().transformWithSession(Scenarios::receipt).is("ok"))
        .checkIf((response, s) -> response.status().code() == 409)
        .then(jsonPath("$.error").is("already_voted")))
      .exec(s -> {
        int st = statusOf(s);
        Ledger.vote(st);
        Ledger.race(s.getLong("user"), st, width);
        return s;
      })
      .exec(end())
      .injectOpen(steps);
  }

  // ---- results readers --------------------------------------------------------------------------------------------

  static PopulationBuilder readers() {
    return scenario("results readers")
      .exec(s -> s.set("poll", Target.pollId()))
      .exec(results(RESULTS))
      .injectOpen(constantUsersPerSec(Knobs.READERS_RATE).during(Knobs.DURATION));
  }

  private static HttpRequestActionBuilder results(String name) {
    return http(name).get("/api/v1/polls/#{poll}/results").check(
      status().is(200),
      jsonPath("$.poll").ofInt().is(s -> s.getInt("poll")),
      jsonPath("$.total").ofLong().gte(0L),
      jsonPath("$.options").ofList().transform(List::size).is(s -> Target.options()));
  }

  // ---- WebSocket spectators ---------------------------------------------------------------------------------------

  /**
   * Spectators connected over the ramp, each watching until the voters are done: the first frame is the snapshot (the
   * poll's results), then every frame's total and counts are at least the last ones (a count never goes back).
   */
  static PopulationBuilder spectators() {
    return scenario("spectators")
      .exec(s -> s.set("poll", Target.pollId()).set("lastTotal", -1L).set("backwards", 0).set("frames", 0))
      .exec(ws("live: snapshot").connect("/api/v1/polls/#{poll}/live").await(Duration.ofSeconds(5)).on(
        ws.checkTextMessage("live: snapshot frame").check(
          jsonPath("$.poll").ofInt().is(s -> s.getInt("poll")),
          jsonPath("$.total").ofLong().saveAs("lastTotal"),
          bodyString().saveAs("lastFrame"))))
      .asLongAs(s -> !Ledger.votersDone()).on(
        pause(Duration.ofSeconds(1)),
        exec(ws.processUnmatchedMessages(Scenarios::frames)))
      .exec(ws.processUnmatchedMessages(Scenarios::frames))
      .exec(ws("live: close").close())
      .exec(http(SPECTATOR_VERDICT).get("/api/v1/polls/#{poll}/results").check(
        status().is(200),
        bodyString().transformWithSession((body, s) -> s.getInt("backwards")).is(0)))
      .injectOpen(rampUsers(Knobs.SPECTATORS).during(Math.max(1, Knobs.RAMP)));
  }

  /** Frames since the last look: each one's total and counts never under the previous frame's. */
  private static Session frames(List<WsInboundMessage> messages, Session s) {
    String last = s.contains("lastFrame") ? s.getString("lastFrame") : null;
    int backwards = s.getInt("backwards");
    int frames = s.getInt("frames");
    for (WsInboundMessage m : messages) {
      if (!(m instanceof WsInboundMessage.Text t)) continue;
      String frame = t.message();
      frames++;
      Ledger.FRAMES.incrementAndGet();
      if (last != null && wentBack(last, frame)) {
        backwards++;
        System.out.println("[load] a live frame went back: " + last + " then " + frame);
      }
      last = frame;
    }
    Session next = s.set("backwards", backwards).set("frames", frames);
    return last == null ? next : next.set("lastFrame", last);
  }

  static boolean wentBack(String before, String after) {
    Matcher a = TOTAL.matcher(before);
    Matcher b = TOTAL.matcher(after);
    if (a.find() && b.find() && Long.parseLong(b.group(1)) < Long.parseLong(a.group(1))) return true;
    Matcher ca = COUNT.matcher(before);
    Matcher cb = COUNT.matcher(after);
    while (ca.find() && cb.find()) {
      if (Long.parseLong(cb.group(1)) < Long.parseLong(ca.group(1))) return true;
    }
    return false;
  }

  // ---- the reconciliation -----------------------------------------------------------------------------------------

  /**
   * One user that waits until every vote-producing user is done, then until the poll's counted total
   * ({@code GET …/results}) minus the total before the run equals the 202s received (at most {@code load.settle}
   * seconds), then checks it: the request {@value #RECONCILE_TOTAL} fails when they differ. With races, the request
   * {@value #RECONCILE_RACES} fails unless every race got exactly one 202.
   */
  static PopulationBuilder reconcile(boolean races) {
    ChainBuilder chain = exec(s -> s.set("poll", Target.pollId()).set("counted", -1L))
      .asLongAs(s -> !Ledger.votersDone()).on(pause(Duration.ofMillis(500)))
      .exec(s -> s.set("settleUntil", System.currentTimeMillis() + Knobs.SETTLE * 1000L))
      .asLongAs(s -> s.getLong("counted") != Target.baseline() + Ledger.ACCEPTED.get()
          && System.currentTimeMillis() < s.getLong("settleUntil")).on(
        exec(http("reconcile: wait for the count").get("/api/v1/polls/#{poll}/results")
          .check(status().is(200), jsonPath("$.total").ofLong().saveAs("counted"))),
        pause(Duration.ofMillis(500)))
      .exec(http(RECONCILE_TOTAL).get("/api/v1/polls/#{poll}/results").check(
        status().is(200),
        jsonPath("$.total").ofLong().saveAs("counted"),
        jsonPath("$.total").ofLong().transform(t -> t - Target.baseline()).is(s -> Ledger.ACCEPTED.get())))
      .exec(s -> {
        Ledger.counted(s.getLong("counted") - Target.baseline());
        return s;
      });
    if (races) {
      chain = chain.exec(http(RECONCILE_RACES).get("/api/v1/polls/#{poll}/results").check(
        status().is(200),
        bodyString().transform(b -> Ledger.racesBad()).is(0)));
    }
    return scenario("reconcile").exec(chain).injectOpen(atOnceUsers(1));
  }

  // ---- shared pieces ----------------------------------------------------------------------------------------------

  private static HttpRequestActionBuilder vote(String name) {
    return http(name).post("/api/v1/polls/#{poll}/votes")
      .header("Authorization", "Bearer #{token}")
      .header("Content-Type", "application/json")
      .body(io.gatling.javaapi.core.CoreDsl.StringBody("{\"option\": #{option}}"));
  }

  /** A vote that must be accepted: 202 with a receipt for this poll and option. */
  private static io.gatling.javaapi.core.CheckBuilder[] accepted() {
    return new io.gatling.javaapi.core.CheckBuilder[] {
      status().saveAs("status"),
      status().is(202),
      jsonPath("$").ofMap().transformWithSession(Scenarios::receipt).is("ok"),
      jsonPath("$.receipt").optional().saveAs("receipt")
    };
  }

  /** A vote that must be refused with this status and error code. */
  private static io.gatling.javaapi.core.CheckBuilder[] refused(int status, String error) {
    return new io.gatling.javaapi.core.CheckBuilder[] {
      status().saveAs("status"),
      status().is(status),
      jsonPath("$.error").is(error),
      jsonPath("$.message").exists()
    };
  }

  /** A 202's body: the receipt, this poll, this option. */
  private static String receipt(Map<String, Object> body, Session s) {
    if (!(body.get("receipt") instanceof String r) || r.isEmpty()) return "no receipt in " + body;
    if (!(body.get("poll") instanceof Number p) || p.intValue() != s.getInt("poll")) return "not this poll: " + body;
    if (!(body.get("option") instanceof Number o) || o.intValue() != s.getInt("option")) return "not this option: " + body;
    return "ok";
  }

  /** {@code GET …/votes/me} right after a 202: accepted (on its way) or counted, with the option and receipt voted. */
  private static String myVote(Map<String, Object> body, Session s) {
    Object status = body.get("status");
    if ("accepted".equals(status)) return "ok";
    if (!"counted".equals(status)) return "status " + status + " after a 202: " + body;
    if (!(body.get("option") instanceof Number o) || o.intValue() != s.getInt("option")) return "counted another option: " + body;
    String receipt = s.contains("receipt") ? s.getString("receipt") : null;
    if (receipt != null && !receipt.replace("-", "").equalsIgnoreCase(String.valueOf(body.get("receipt")).replace("-", ""))) {
      return "counted another receipt: " + body + " (202 said " + receipt + ")";
    }
    return "ok";
  }

  private static ChainBuilder begin() {
    return exec(s -> {
      Ledger.begin();
      return s;
    });
  }

  private static ChainBuilder end() {
    return exec(s -> {
      Ledger.end();
      return s;
    });
  }

  private static ChainBuilder record() {
    return exec(s -> {
      Ledger.vote(statusOf(s));
      return s;
    });
  }

  private static boolean was202(Session s) {
    return statusOf(s) == 202;
  }

  /** @return the last vote's status, or -1 when it got no HTTP answer */
  private static int statusOf(Session s) {
    return s.contains("status") ? s.getInt("status") : -1;
  }
}
