package io.landslide.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the run did to its polls, for the reconciliation: per poll the 202s it received; the votes that got no answer
 * at all (in doubt: they may or may not count); the vote-producing virtual users still running; each race's outcome;
 * the bots' accepted (so flagged) votes and the flood's outcome; whether the polls are closed. One simulation runs per
 * JVM, so static state is the run's.
 */
final class Ledger {
  /** poll -> 202s received. */
  private static final Map<Integer, AtomicLong> ACCEPTED = new ConcurrentHashMap<>();
  static final AtomicLong IN_DOUBT = new AtomicLong();
  /** poll -> votes in doubt. */
  private static final Map<Integer, AtomicLong> DOUBTFUL = new ConcurrentHashMap<>();
  static final AtomicLong REFUSED = new AtomicLong();
  /** 202s of votes sent without browser headers (the scripted clients and the flood): each must be flagged. */
  static final AtomicLong BOT_ACCEPTED = new AtomicLong();
  /** The flood's requests, and those cut with 429. */
  static final AtomicLong FLOOD_SENT = new AtomicLong();
  static final AtomicLong FLOOD_LIMITED = new AtomicLong();
  static final AtomicLong FLOOD_ACCEPTED = new AtomicLong();
  /** Proofs of work solved, and the time spent on them (the generator's CPU). */
  static final AtomicLong POW_SOLVED = new AtomicLong();
  static final AtomicLong POW_NANOS = new AtomicLong();
  /** Live frames the spectators received after their snapshot. */
  static final AtomicLong FRAMES = new AtomicLong();
  /** The client-side response times of the gated votes. */
  static final Latencies VOTE_TIMES = new Latencies("vote");
  static final Latencies POW_VOTE_TIMES = new Latencies("pow: vote");
  private static final AtomicInteger ACTIVE = new AtomicInteger();
  /** user -> {requests answered, 202s} of its race. */
  private static final Map<Long, int[]> RACES = new ConcurrentHashMap<>();
  private static final AtomicInteger RACES_DONE = new AtomicInteger();
  private static final AtomicInteger RACES_BAD = new AtomicInteger();
  private static volatile long injectionEndsAt = Long.MAX_VALUE;
  /** poll -> counted votes of this run, as the reconciliation read them. */
  private static final Map<Integer, Long> COUNTED = new ConcurrentHashMap<>();
  private static volatile boolean closed;
  private static volatile long closedAt;

  private Ledger() {}

  /** A vote-producing virtual user starts. */
  static void begin() {
    ACTIVE.incrementAndGet();
  }

  /** …and ends. */
  static void end() {
    ACTIVE.decrementAndGet();
  }

  /**
   * @param poll   the poll voted in
   * @param status the vote's HTTP status, or -1 when none came (timeout, connection lost)
   */
  static void vote(int poll, int status) {
    if (status == 202) {
      accepted(poll).incrementAndGet();
    } else if (status < 0 || status == 503) {
      // No answer, or 503: nothing recorded, except when the edge could not know (a broker lost while the vote was on
      // its way; the message says so, and the vote may be counted). Either may count: the reconciliation allows it.
      IN_DOUBT.incrementAndGet();
      DOUBTFUL.computeIfAbsent(poll, p -> new AtomicLong()).incrementAndGet();
    } else {
      REFUSED.incrementAndGet();
    }
  }

  /** @return the votes in this poll that got no answer or a 503: each may or may not be counted */
  static long inDoubtIn(int poll) {
    AtomicLong n = DOUBTFUL.get(poll);
    return n == null ? 0 : n.get();
  }

  /** @return the 202s the run received in this poll */
  static long acceptedIn(int poll) {
    return accepted(poll).get();
  }

  private static AtomicLong accepted(int poll) {
    return ACCEPTED.computeIfAbsent(poll, p -> new AtomicLong());
  }

  /** The run closed its polls (or, not closing them, has nothing more to do): spectators look for their last frame. */
  static void closed() {
    closedAt = System.currentTimeMillis();
    closed = true;
  }

  /** @return when {@link #closed()} was called */
  static long closedAt() {
    return closedAt;
  }

  static boolean isClosed() {
    return closed;
  }

  /**
   * One request of a race answered.
   *
   * @param user   the racing user
   * @param status its status (-1: none)
   * @param width  the race's requests
   */
  static void race(long user, int status, int width) {
    int[] r = RACES.computeIfAbsent(user, u -> new int[2]);
    boolean last;
    int accepted;
    synchronized (r) {
      r[0]++;
      if (status == 202) r[1]++;
      last = r[0] == width;
      accepted = r[1];
    }
    if (last) {
      RACES_DONE.incrementAndGet();
      if (accepted != 1) {
        RACES_BAD.incrementAndGet();
        System.out.println("[load] race of user " + user + ": " + accepted + " x 202 of " + width + " (expected exactly 1)");
      }
    }
  }

  /** @return races whose requests all got an answer and that had other than exactly one 202, or unfinished ones */
  static int racesBad() {
    return RACES_BAD.get() + (RACES.size() - RACES_DONE.get());
  }

  /**
   * @param poll the poll
   * @param n    its counted votes of this run, as the reconciliation last read them
   */
  static void counted(int poll, long n) {
    COUNTED.put(poll, n);
  }

  /** @return a line for the end of the run */
  static String summary() {
    StringBuilder b = new StringBuilder("[load] reconciliation:");
    for (Map.Entry<Integer, Long> e : COUNTED.entrySet()) {
      long a = acceptedIn(e.getKey());
      long d = inDoubtIn(e.getKey());
      b.append(" poll ").append(e.getKey()).append(": 202s received ").append(a).append(", counted ").append(e.getValue())
        .append(e.getValue() == a ? " (equal);" : e.getValue() > a && e.getValue() <= a + d ? " (within the " + d + " in doubt);" : " (DIFFERENT);");
    }
    if (COUNTED.isEmpty()) b.append(" (not read);");
    b.append(" refused votes ").append(REFUSED.get()).append(", votes in doubt (no answer, or 503) ").append(IN_DOUBT.get())
      .append("; races done ").append(RACES_DONE.get()).append(", not exactly one 202 ").append(racesBad())
      .append("; bots' 202s (to be flagged) ").append(BOT_ACCEPTED.get())
      .append("; flood ").append(FLOOD_SENT.get()).append(" sent, ").append(FLOOD_LIMITED.get()).append(" cut with 429")
      .append("; proofs of work ").append(POW_SOLVED.get());
    if (POW_SOLVED.get() > 0) b.append(String.format(" (%.1f ms each)", POW_NANOS.get() / 1e6 / POW_SOLVED.get()));
    b.append("; live frames after the snapshots ").append(FRAMES.get());
    b.append("\n[load] ").append(VOTE_TIMES.line()).append("\n[load] ").append(POW_VOTE_TIMES.line());
    return b.toString();
  }

  /** @param millis when the last vote-producing user is injected (the reconciliation waits at least until then) */
  static void injectionEndsAt(long millis) {
    injectionEndsAt = millis;
  }

  /** @return whether every vote-producing virtual user has been injected and has finished */
  static boolean votersDone() {
    return System.currentTimeMillis() >= injectionEndsAt && ACTIVE.get() == 0;
  }
}
