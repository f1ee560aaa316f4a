package io.landslide.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * After the injection: one user that waits until every vote-producing user is done, then, for each poll of the run,
 * until its counted total ({@code GET …/results}) minus its total before the run equals the 202s received (at most
 * {@code load.settle} seconds), and checks it ({@value #TOTAL}, {@value #POW_TOTAL}): a vote lost, or counted without a
 * 202 (or twice), fails it. Then the verdicts of the parts that ran (one 202 per race, the flood cut to the limit, the
 * bots' votes flagged), and, when the run closes its polls ({@code load.close}), the close ({@code close: …}) and a
 * late vote that must get 410 {@code poll_closed}. Spectators wait for this user before looking for their last frame.
 */
final class Reconcile {
  static final String TOTAL = "reconcile: counted = 202s";
  static final String POW_TOTAL = "reconcile: counted = 202s (proof of work)";
  static final String WARM_UP_TOTAL = "reconcile: counted = 202s (warm-up)";
  static final String RACES = "reconcile: one 202 per race";
  static final String FLOOD = "bots: flood cut to the limit";
  static final String FLAGGED = "bots: flagged = bots' 202s";
  static final String LATE = "close: late vote refused";

  private Reconcile() {}

  /**
   * @param parts the parts the simulation runs
   * @return the reconciling user
   */
  static PopulationBuilder of(Plan parts) {
    Target.Poll main = Target.main();
    Target.Poll pow = parts.powPoll() ? Target.pow() : null;
    ChainBuilder chain = exec(s -> s.set("settleUntil", Long.MAX_VALUE))
      .asLongAs(s -> !Ledger.votersDone()).on(pause(Duration.ofMillis(500)))
      .exec(s -> s.set("settleUntil", System.currentTimeMillis() + Knobs.SETTLE * 1000L))
      .exec(total(main, TOTAL));
    if (pow != null) chain = chain.exec(total(pow, POW_TOTAL));
    Target.Poll warmUp = Target.warmUp();
    if (warmUp != null) chain = chain.exec(total(warmUp, WARM_UP_TOTAL));
    if (parts.races()) {
      chain = chain.exec(http(RACES).get("/api/v1/polls/" + main.id() + "/results")
        .check(status().is(200), bodyString().transform(b -> Ledger.racesBad()).is(0)));
    }
    if (parts.flood()) {
      chain = chain.exec(http(FLOOD).get("/api/v1/polls/" + main.id() + "/results")
        .check(status().is(200), bodyString().transform(b -> Bots.floodVerdict()).is("ok")));
    }
    if (parts.flags()) {
      chain = chain.exec(http(FLAGGED).get("/api/v1/polls/" + main.id() + "/flags").header("Authorization", "Bearer " + Target.adminToken())
        .check(status().is(200), jsonPath("$.flagged").ofLong().transform(flagged -> flagVerdict(main, flagged)).is("ok")));
    }
    if (Knobs.CLOSE) {
      List<Target.Poll> polls = new ArrayList<>(List.of(main));
      if (pow != null) polls.add(pow);
      if (warmUp != null) polls.add(warmUp);
      for (Target.Poll p : polls) {
        String which = p == main ? "(main)" : p == pow ? "(proof of work)" : "(warm-up)";
        chain = chain.exec(http("close: poll " + which).post("/api/v1/polls/" + p.id() + "/close")
          .header("Authorization", "Bearer " + Target.adminToken())
          .check(status().is(200), jsonPath("$.status").is("closed")));
      }
      chain = chain
        .feed(Identities.voters(main))
        .exec(Requests.vote(LATE).check(Requests.refused(410, "poll_closed")))
        .exec(Requests.record());
    }
    chain = chain.exec(s -> {
      Ledger.closed();
      return s;
    });
    return scenario("reconcile").exec(chain).injectOpen(atOnceUsers(1));
  }

  /**
   * @return whether the count is what the run's answers allow: its 202s, plus at most the votes in doubt (no answer,
   *     or a 503 that may have been counted); with none in doubt, exactly the 202s
   */
  private static boolean settled(Target.Poll poll, long total) {
    return withinDoubt(total - poll.baseline(), Ledger.acceptedIn(poll.id()), poll);
  }

  /** @return whether {@code n} is {@code accepted}, or more by at most the poll's answers in doubt */
  private static boolean withinDoubt(long n, long accepted, Target.Poll poll) {
    return n >= accepted && n <= accepted + Ledger.inDoubtIn(poll.id());
  }

  /** @return "ok" when the flagged votes are the bots' 202s (plus at most the main poll's votes in doubt) */
  private static String flagVerdict(Target.Poll main, long flagged) {
    long bots = Ledger.BOT_ACCEPTED.get();
    if (withinDoubt(flagged, bots, main)) return "ok";
    return "flagged " + flagged + ", but the scripts received " + bots + " 202s (and the poll " + Ledger.inDoubtIn(main.id()) + " answers in doubt)";
  }

  private static String verdict(Target.Poll poll, long total) {
    if (settled(poll, total)) return "ok";
    return "counted " + (total - poll.baseline()) + ", but the run received " + Ledger.acceptedIn(poll.id()) + " 202s and "
      + Ledger.inDoubtIn(poll.id()) + " answers in doubt";
  }

  /** Waits for the poll's count to reach its 202s (the deadline is the session's {@code settleUntil}), then checks it. */
  private static ChainBuilder total(Target.Poll poll, String name) {
    String path = "/api/v1/polls/" + poll.id() + "/results";
    return exec(s -> s.set("counted", -1L))
      .asLongAs(s -> !settled(poll, s.getLong("counted")) && System.currentTimeMillis() < s.getLong("settleUntil")).on(
        exec(http("reconcile: wait for the count").get(path)
          .check(status().is(200), jsonPath("$.total").ofLong().saveAs("counted"))),
        pause(Duration.ofMillis(500)))
      .exec(http(name).get(path).check(
        status().is(200),
        jsonPath("$.total").ofLong().saveAs("counted"),
        jsonPath("$.total").ofLong().transform(t -> verdict(poll, t)).is("ok")))
      .exec(s -> {
        if (s.contains("counted")) Ledger.counted(poll.id(), s.getLong("counted") - poll.baseline());
        return s;
      });
  }
}
