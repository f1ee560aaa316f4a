package io.landslide.load;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts a simulation runs, their populations and their gates ({@link Gates}), with the reconciliation
 * ({@link Reconcile}) always last. A part whose knob is 0 is left out with its gates (e.g. {@code load.races=0}), and so
 * are the proof-of-work parts when the run has no proof-of-work poll, and the flood when {@code load.flood.limit} does
 * not say what the target's per-address limit is.
 */
final class Plan {
  private boolean voters;
  private boolean retriers;
  private boolean races;
  private boolean pow;
  private boolean bots;
  private boolean flood;
  private boolean readers;
  private boolean webSocket;
  private boolean sse;

  /** @return every part */
  static Plan everything() {
    return new Plan().voters().storm().pow().bots().readers().spectators();
  }

  Plan voters() {
    voters = true;
    return this;
  }

  Plan storm() {
    retriers = Knobs.STORM_RATE > 0;
    races = Knobs.RACES > 0;
    return this;
  }

  Plan pow() {
    pow = Knobs.POW_RATE > 0;
    return this;
  }

  Plan bots() {
    bots = Knobs.BOTS_RATE > 0;
    flood = Knobs.floodLimit() != null;
    if (!flood) System.out.println("[load] no flood: load.flood.limit does not give the target's per-address limit (VOTING_RATE_IP)");
    return this;
  }

  Plan readers() {
    readers = Knobs.READERS_RATE > 0;
    return this;
  }

  Plan spectators() {
    webSocket = Knobs.SPECTATORS > 0;
    sse = Knobs.SSE_SPECTATORS > 0;
    return this;
  }

  /**
   * Resolves the polls (creating those the run needs: the proof-of-work poll only for its voters or the bots), and
   * leaves out the proof-of-work voters when there is no such poll.
   */
  void resolve() {
    Target.resolve(pow || bots);
    if (Target.pow() == null) pow = false;
  }

  /** @return whether the proof-of-work voters run */
  boolean powVoters() {
    return pow;
  }

  /** @return whether the proof-of-work poll is voted in (by its voters, or refused to the bots), so reconciled */
  boolean powPoll() {
    return (pow || bots) && Target.pow() != null;
  }

  boolean races() {
    return races;
  }

  boolean flood() {
    return flood;
  }

  /** @return whether the bots' votes are checked as flagged (needs an admin: a poll the run created, or a token) */
  boolean flags() {
    return (bots || flood) && (Target.main().created() || !Knobs.ADMIN_TOKEN.isEmpty());
  }

  /** @return the populations, the reconciliation last; all of them after the warm-up when there is one */
  List<PopulationBuilder> populations() {
    List<PopulationBuilder> measured = measured();
    if (Target.warmUp() == null) return measured;
    return List.of(Voters.warmUp().andThen(measured));
  }

  private List<PopulationBuilder> measured() {
    List<PopulationBuilder> p = new ArrayList<>();
    if (voters) p.add(Voters.voters());
    if (retriers) p.add(Storm.retriers());
    if (races) p.add(Storm.races());
    if (pow) p.add(Voters.powVoters());
    if (bots) p.add(Bots.scripted());
    if (flood) p.add(Bots.flood());
    if (readers) p.add(Spectators.readers());
    if (webSocket) p.add(Spectators.webSocket());
    if (sse) p.add(Spectators.serverSentEvents());
    p.add(Reconcile.of(this));
    return p;
  }

  /** @return the gates of the parts that run */
  List<Assertion> gates() {
    Gates.Builder g = new Gates.Builder();
    if (voters) g.p99(Voters.VOTE, Knobs.SLO_VOTE_P99_MS);
    if (pow) g.p99(Voters.POW_VOTE, Knobs.SLO_VOTE_P99_MS);
    if (readers) g.p99(Spectators.RESULTS, Knobs.SLO_RESULTS_P99_MS);
    g.once(Reconcile.TOTAL);
    if (Target.warmUp() != null) g.once(Reconcile.WARM_UP_TOTAL);
    if (powPoll()) g.once(Reconcile.POW_TOTAL);
    if (races) g.once(Reconcile.RACES);
    if (flood) g.once(Reconcile.FLOOD);
    if (flags()) g.once(Reconcile.FLAGGED);
    if (Knobs.CLOSE) g.once(Reconcile.LATE);
    int spectators = (webSocket ? Knobs.SPECTATORS : 0) + (sse ? Knobs.SSE_SPECTATORS : 0);
    if (spectators > 0) {
      g.every(Spectators.NEVER_BACK, spectators);
      g.every(Spectators.LAST_FRAME, spectators);
    }
    return g.build();
  }
}
