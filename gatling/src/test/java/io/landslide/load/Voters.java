package io.landslide.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import io.landslide.codec.PowHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The people who vote: the show's voters in the main poll, and the proof-of-work voters in the proof-of-work poll.
 * Request names: {@value #VOTE}, {@code my vote}; {@code pow: challenge}, {@value #POW_VOTE}.
 */
final class Voters {
  static final String VOTE = "vote";
  static final String POW_VOTE = "pow: vote";
  /** A vote's body with the proof of work: the challenge's fields as the edge signed them, and the nonce. */
  static final String WITH_PROOF = "{\"option\": #{option}, \"pow\": {\"challenge\": \"#{challenge}\", \"expires\": #{expires}, "
    + "\"signature\": \"#{signature}\", \"nonce\": \"#{nonce}\"}}";

  private Voters() {}

  /** The show's shape: a ramp as the lines open, the peak, then a tail decaying to a trickle. */
  static List<OpenInjectionStep> showShape() {
    List<OpenInjectionStep> steps = new ArrayList<>();
    double rate = Knobs.RATE;
    if (Knobs.RAMP > 0) steps.add(rampUsersPerSec(Math.max(rate * 0.05, 0.5)).to(rate).during(Knobs.RAMP));
    if (Knobs.PEAK > 0) steps.add(constantUsersPerSec(rate).during(Knobs.PEAK));
    if (Knobs.tail() > 0) steps.add(rampUsersPerSec(rate * Knobs.TAIL_START).to(rate * Knobs.TAIL_END).during(Knobs.tail()));
    return steps;
  }

  /** Distinct users, each votes once (202), then reads {@code GET …/votes/me} (accepted or counted, as voted). */
  static PopulationBuilder voters() {
    return scenario("voters")
      .exec(Requests.begin())
      .feed(Identities.voters(Target.main()))
      .exec(Requests.vote(VOTE).check(Requests.accepted()).check(responseTimeInMillis().saveAs("rt")))
      .exec(Requests.record(Ledger.VOTE_TIMES))
      .doIf(Requests::was202).then(
        exec(http("my vote").get("/api/v1/polls/#{poll}/votes/me").header("Authorization", "Bearer #{token}")
          .check(status().is(200), jsonPath("$").ofMap().transformWithSession(Voters::myVote).is("ok"))))
      .exec(Requests.end())
      .injectOpen(showShape());
  }

  /**
   * Distinct users in the proof-of-work poll, {@code load.pow.rate} a second for the duration: each fetches its
   * challenge ({@code GET …/challenge}), solves it ({@link PowHash}, the same hash the edge checks; the time it took is
   * in the summary) and votes with the proof (202).
   */
  static PopulationBuilder powVoters() {
    return scenario("proof-of-work voters")
      .exec(Requests.begin())
      .feed(Identities.voters(Target.pow()))
      .exec(challenge("pow: challenge"))
      .exec(Voters::solve)
      .exec(Requests.vote(POW_VOTE, WITH_PROOF).check(Requests.accepted()).check(responseTimeInMillis().saveAs("rt")))
      .exec(Requests.record(Ledger.POW_VOTE_TIMES))
      .exec(Requests.end())
      .injectOpen(constantUsersPerSec(Knobs.POW_RATE).during(Knobs.DURATION));
  }

  /**
   * The warm-up, before the measured parts start: people who fetch a challenge, solve it, vote, read their vote and
   * the results, in the warm-up poll, {@code load.warmup.rate} a second for {@code load.warmup.seconds}. Its requests
   * are named {@code warm-up: …}: no latency gate reads them, every check still holds.
   */
  static PopulationBuilder warmUp() {
    return scenario("warm-up")
      .exec(Requests.begin())
      .feed(Identities.voters(Target.warmUp()))
      .exec(challenge("warm-up: challenge"))
      .exec(Voters::solve)
      .exec(Requests.vote("warm-up: vote", WITH_PROOF).check(Requests.accepted()))
      .exec(Requests.record())
      .exec(http("warm-up: my vote").get("/api/v1/polls/#{poll}/votes/me").header("Authorization", "Bearer #{token}").check(status().is(200)))
      .exec(http("warm-up: results").get("/api/v1/polls/#{poll}/results").check(status().is(200)))
      .exec(Requests.end())
      .injectOpen(constantUsersPerSec(Knobs.WARMUP_RATE).during(Knobs.WARMUP_SECONDS));
  }

  /** @return {@code GET …/challenge} of the session's user and poll, its fields saved */
  static io.gatling.javaapi.http.HttpRequestActionBuilder challenge(String name) {
    return http(name).get("/api/v1/polls/#{poll}/challenge").header("Authorization", "Bearer #{token}").check(
      status().is(200),
      jsonPath("$.algorithm").is("SHA-256"),
      jsonPath("$.challenge").saveAs("challenge"),
      jsonPath("$.difficulty").ofInt().saveAs("difficulty"),
      jsonPath("$.expires").ofLong().saveAs("expires"),
      jsonPath("$.signature").saveAs("signature"));
  }

  /** The client's work: the first nonce whose hash has the difficulty's leading zero bits. */
  private static Session solve(Session s) {
    if (!s.contains("challenge")) return s; // the challenge failed (already a failed request): the vote will fail too
    long t0 = System.nanoTime();
    long nonce = PowHash.solve(s.getString("challenge"), s.getLong("user"), s.getInt("poll"), s.getInt("difficulty"));
    Ledger.POW_NANOS.addAndGet(System.nanoTime() - t0);
    Ledger.POW_SOLVED.incrementAndGet();
    return s.set("nonce", Long.toString(nonce));
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
}
