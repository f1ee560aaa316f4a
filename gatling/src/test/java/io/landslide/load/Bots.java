package io.landslide.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;

/**
 * Bad actors, each a distinct (bot) account, none with a browser's headers ({@link Requests#SCRIPT_AGENT}, no
 * {@code Accept-Language}):
 * <ul>
 *   <li><b>scripted clients</b> ({@code load.bots.rate}/s): a vote in the main poll, accepted and flagged for review
 *       ({@code bots: scripted vote}, 202); in the proof-of-work poll a vote without the proof
 *       ({@code bots: vote without proof}, 403 {@code challenge_required}) and one whose challenge's signature is forged
 *       ({@code bots: forged proof}, 403 {@code challenge_required}). The reconciliation then checks the main poll's
 *       flagged votes equal the bots' 202s, and that no refused vote was counted;</li>
 *   <li><b>a flood from one address</b> ({@code load.flood.address}): {@code load.flood.rate} votes/s for
 *       {@code load.flood.seconds} during the peak (from {@code load.flood.connections} scripts), against the edge's per-address limit ({@code load.flood.limit},
 *       the target's {@code VOTING_RATE_IP}): each answer 202 or 429 {@code rate_limited} with {@code Retry-After}; the
 *       reconciliation checks that the 202s stayed within what the limit allows, and that some were cut.</li>
 * </ul>
 */
final class Bots {
  /** A challenge's signature with its first character changed: the edge must refuse the proof. */
  private static final String FORGED = "{\"option\": #{option}, \"pow\": {\"challenge\": \"#{challenge}\", \"expires\": #{expires}, "
    + "\"signature\": \"#{forged}\", \"nonce\": \"0\"}}";

  private Bots() {}

  /** The scripted clients: three tries each, one account per client. */
  static PopulationBuilder scripted() {
    Target.Poll pow = Target.pow();
    var chain = exec(Requests.begin())
      .feed(Identities.voters(Target.main()))
      .exec(Requests.vote("bots: scripted vote").check(Requests.accepted()))
      .exec(Requests.record())
      .exec(s -> {
        if (Requests.was202(s)) Ledger.BOT_ACCEPTED.incrementAndGet();
        return s;
      });
    if (pow != null) {
      chain = chain
        .exec(s -> s.set("poll", pow.id()).set("option", s.getInt("option") % pow.options()).remove("status"))
        .exec(Requests.vote("bots: vote without proof").check(Requests.refused(403, "challenge_required")))
        .exec(Requests.record())
        .exec(Voters.challenge("bots: challenge"))
        .exec(Bots::forge)
        .exec(s -> s.remove("status"))
        .exec(Requests.vote("bots: forged proof", FORGED).check(Requests.refused(403, "challenge_required")))
        .exec(Requests.record());
    }
    return scenario("bots: scripted clients").exec(chain.exec(Requests.end()))
      .injectOpen(constantUsersPerSec(Knobs.BOTS_RATE).during(Knobs.DURATION))
      .protocols(Requests.script(null));
  }

  /**
   * The flood from one address, starting as the peak does: {@code load.flood.connections} scripts, each looping over
   * its own (kept-alive) connection, a fresh bot account per vote, paced to its share of {@code load.flood.rate}.
   */
  static PopulationBuilder flood() {
    int scripts = Knobs.floodConnections();
    Duration pace = Duration.ofNanos((long) (1e9 * scripts / Knobs.FLOOD_RATE));
    return scenario("bots: flood from one address")
      .exec(Requests.begin())
      // exitASAP false: Gatling's default leaves the loop as soon as the time is up, mid-iteration, and the last vote's
      // 202 would then never reach the ledger (the reconciliation caught it: 10 scripts, 10 votes counted without a 202).
      .during(Duration.ofSeconds(Knobs.FLOOD_SECONDS), false).on(
        pace(pace),
        feed(Identities.voters(Target.main())),
        exec(s -> s.remove("status")),
        exec(Requests.vote("bots: flood vote")
        .check(status().saveAs("status"), status().in(202, 429))
        .checkIf((response, s) -> response.status().code() == 202)
        .then(jsonPath("$").ofMap().transformWithSession(Requests::receipt).is("ok"))
        .checkIf((response, s) -> response.status().code() == 429)
        .then(jsonPath("$.error").is("rate_limited"), header("Retry-After").exists())),
        Requests.record(),
        exec(s -> {
          Ledger.FLOOD_SENT.incrementAndGet();
          int st = Requests.statusOf(s);
          if (st == 429) Ledger.FLOOD_LIMITED.incrementAndGet();
          if (st == 202) {
            Ledger.FLOOD_ACCEPTED.incrementAndGet();
            Ledger.BOT_ACCEPTED.incrementAndGet();
          }
          return s;
        }))
      .exec(Requests.end())
      .injectOpen(nothingFor(Knobs.RAMP), atOnceUsers(scripts))
      .protocols(Requests.script(Knobs.FLOOD_ADDRESS));
  }

  /**
   * @return "ok" when the flood was cut to the limit: some 429s, and no more 202s than the limit's buckets allow over
   *     the flood's seconds (plus one, for the timing of the injection), on each edge
   */
  static String floodVerdict() {
    double[] limit = Knobs.floodLimit();
    // The edge's window shares counts across edges, but each edge's own bucket lets its burst through first.
    long allowed = (long) Math.ceil(Knobs.FLOOD_EDGES * (limit[1] + limit[0] * (Knobs.FLOOD_SECONDS + 1)));
    long accepted = Ledger.FLOOD_ACCEPTED.get();
    String figures = Ledger.FLOOD_SENT.get() + " sent, " + accepted + " accepted, " + Ledger.FLOOD_LIMITED.get() + " cut with 429, at most "
      + allowed + " allowed by " + Knobs.FLOOD_LIMIT + " on " + Knobs.FLOOD_EDGES + " edge(s)";
    System.out.println("[load] flood: " + figures);
    if (Ledger.FLOOD_SENT.get() <= allowed && Ledger.FLOOD_LIMITED.get() == 0) {
      return "inconclusive, the flood never went past what the limit allows (raise load.flood.rate, or load.flood.connections if the "
        + "scripts could not keep the rate): " + figures;
    }
    if (Ledger.FLOOD_LIMITED.get() == 0) return "never cut: " + figures;
    if (accepted > allowed) return "more accepted than the limit allows: " + figures;
    return "ok";
  }

  /** The challenge as the edge gave it, with a signature one character off. */
  private static Session forge(Session s) {
    if (!s.contains("signature")) return s;
    String sig = s.getString("signature");
    char first = sig.charAt(0);
    return s.set("forged", (first == 'A' ? 'B' : 'A') + sig.substring(1));
  }
}
