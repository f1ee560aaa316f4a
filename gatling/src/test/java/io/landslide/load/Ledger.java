package io.landslide.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the run did to the poll, for the reconciliation: the 202s it received, the votes that got no answer at all
 * (in doubt: they may or may not count), the vote-producing virtual users still running, and each race's outcome.
 * One simulation runs per JVM, so static state is the run's.
 */
final class Ledger {
  static final AtomicLong ACCEPTED = new AtomicLong();
  static final AtomicLong IN_DOUBT = new AtomicLong();
  static final AtomicLong REFUSED = new AtomicLong();
  /** Live frames the spectators received after their snapshot. */
  static final AtomicLong FRAMES = new AtomicLong();
  private static final AtomicInteger ACTIVE = new AtomicInteger();
  /** user -> {requests answered, 202s} of its race. */
  private static final Map<Long, int[]> RACES = new ConcurrentHashMap<>();
  private static final AtomicInteger RACES_DONE = new AtomicInteger();
  private static final AtomicInteger RACES_BAD = new AtomicInteger();
  private static volatile long injectionEndsAt = Long.MAX_VALUE;
  private static volatile long counted = -1;

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
   * @param status the vote's HTTP status, or -1 when none came (timeout, connection lost)
   */
  static void vote(int status) {
    if (status == 202) ACCEPTED.incrementAndGet();
    else if (status < 0) IN_DOUBT.incrementAndGet();
    else REFUSED.incrementAndGet();
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

  static int racesDone() {
    return RACES_DONE.get();
  }

  /** @return races whose requests all got an answer and that had other than exactly one 202, or unfinished ones */
  static int racesBad() {
    return RACES_BAD.get() + (RACES.size() - RACES_DONE.get());
  }

  /** @param n the poll's counted votes of this run, as the reconciliation last read them */
  static void counted(long n) {
    counted = n;
  }

  /** @return a line for the end of the run */
  static String summary() {
    return "[load] reconciliation: 202s received " + ACCEPTED.get() + ", counted in the poll " + (counted < 0 ? "(not read)" : counted)
      + (counted == ACCEPTED.get() ? " (equal)" : " (DIFFERENT)") + "; refused votes " + REFUSED.get()
      + ", votes with no answer (in doubt) " + IN_DOUBT.get() + "; races done " + RACES_DONE.get() + ", not exactly one 202 "
      + racesBad() + "; live frames after the snapshots " + FRAMES.get();
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
