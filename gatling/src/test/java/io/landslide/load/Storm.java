package io.landslide.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The duplicate storm, in the main poll: users who retry after their 202 ({@code storm: first vote}, then each
 * {@code storm: retry} 409 {@code already_voted}), and races of one user ({@code race vote}: exactly one 202, the
 * others 409 {@code already_voted}).
 */
final class Storm {
  private Storm() {}

  /** Users who vote, get their 202, and vote again {@code load.storm.retries} times: each retry 409 already_voted. */
  static PopulationBuilder retriers() {
    return scenario("storm: retry after 202")
      .exec(Requests.begin())
      .feed(Identities.voters(Target.main()))
      .exec(Requests.vote("storm: first vote").check(Requests.accepted()))
      .exec(Requests.record())
      .doIf(Requests::was202).then(
        repeat(Knobs.STORM_RETRIES).on(
          pause(Duration.ofMillis(100), Duration.ofMillis(1000)),
          exec(s -> s.remove("status")),
          exec(Requests.vote("storm: retry").check(Requests.refused(409, "already_voted"))),
          exec(Requests.record())))
      .exec(Requests.end())
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
      .exec(Requests.begin())
      .feed(Identities.racers(Target.main(), width))
      .exec(Requests.vote("race vote")
        .check(status().saveAs("status"), status().in(202, 409))
        .checkIf((response, s) -> response.status().code() == 202)
        .then(jsonPath("$").ofMap().transformWithSession(Requests::receipt).is("ok"))
        .checkIf((response, s) -> response.status().code() == 409)
        .then(jsonPath("$.error").is("already_voted")))
      .exec(s -> {
        int st = Requests.statusOf(s);
        Ledger.vote(s.getInt("poll"), st);
        Ledger.race(s.getLong("user"), st, width);
        return s;
      })
      .exec(Requests.end())
      .injectOpen(steps);
  }
}
