package io.landslide.edge.defence;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Scores a vote for signs of automation, so bots are kept apart for review instead of silently moving a result. The
 * score (0 to {@value #MAX}) is stored with the vote; at {@link #flagThreshold} or more the vote is flagged: it is
 * accepted and kept like any other, and counted separately for an admin ({@code GET /polls/{id}/flags}). Signals:
 * <ul>
 *   <li>the client: no {@code User-Agent}, an automation one (curl, scripting libraries, headless browsers, "bot"),
 *       no {@code Accept-Language} (every browser sends one);</li>
 *   <li>timing: a vote within {@value #OPEN_BURST_MS} ms of the poll opening (no person reads the question that fast);</li>
 *   <li>the address: more than {@code addressVotes} votes from one address in a window of {@value #WINDOW_MS} ms on this
 *       edge (generous: a carrier's NAT puts many viewers behind one address).</li>
 * </ul>
 * The client signals alone also raise a poll's proof-of-work difficulty for that client ({@link #suspiciousClient}):
 * they are the same at challenge and vote time, so a signed challenge stays valid.
 *
 * <p>Thread-safe: the event loops of a process share one instance.
 */
public final class AbuseSignals {
  /** The highest score (the vote event's limit). */
  public static final int MAX = 1000;
  static final int NO_USER_AGENT = 40;
  static final int AUTOMATION_USER_AGENT = 40;
  static final int NO_ACCEPT_LANGUAGE = 20;
  static final int OPEN_BURST = 20;
  static final int BUSY_ADDRESS = 40;
  static final long OPEN_BURST_MS = 1000;
  /** The window an address's votes are counted in. */
  public static final long WINDOW_MS = 600_000;
  private static final String[] AUTOMATION = {"curl", "wget", "python", "go-http-client", "java/", "okhttp", "httpclient", "axios",
    "node-fetch", "headless", "phantomjs", "selenium", "puppeteer", "playwright", "bot", "spider", "crawler", "scrapy"};

  private final int flagThreshold;
  private final int addressVotes;
  private final LongSupplier clockMillis;
  private final Map<String, long[]> addresses = new ConcurrentHashMap<>(); // address -> {window, votes}

  /**
   * @param flagThreshold a score at or over it flags the vote
   * @param addressVotes  votes from one address in a window past which it is busy; 0 = never
   * @param clockMillis   the clock
   */
  public AbuseSignals(int flagThreshold, int addressVotes, LongSupplier clockMillis) {
    this.flagThreshold = flagThreshold;
    this.addressVotes = addressVotes;
    this.clockMillis = clockMillis;
  }

  /** @return a score at or over it flags the vote */
  public int flagThreshold() {
    return flagThreshold;
  }

  /**
   * @param userAgent      the {@code User-Agent} header, or null
   * @param acceptLanguage the {@code Accept-Language} header, or null
   * @return the client's own score (headers only)
   */
  static int clientScore(String userAgent, String acceptLanguage) {
    int score = 0;
    if (userAgent == null || userAgent.isBlank()) {
      score += NO_USER_AGENT;
    } else {
      String ua = userAgent.toLowerCase(Locale.ROOT);
      for (String a : AUTOMATION) {
        if (ua.contains(a)) {
          score += AUTOMATION_USER_AGENT;
          break;
        }
      }
    }
    if (acceptLanguage == null || acceptLanguage.isBlank()) score += NO_ACCEPT_LANGUAGE;
    return score;
  }

  /**
   * @return whether the client's headers alone reach the flag threshold (its proof of work is made harder)
   */
  boolean suspiciousClient(String userAgent, String acceptLanguage) {
    return clientScore(userAgent, acceptLanguage) >= flagThreshold;
  }

  /**
   * Scores one vote, and counts it for its address.
   *
   * @param userAgent      the {@code User-Agent} header, or null
   * @param acceptLanguage the {@code Accept-Language} header, or null
   * @param address        the client's address
   * @param opensAtMillis  when the poll opened
   * @return the vote's score, 0 to {@value #MAX}
   */
  public int score(String userAgent, String acceptLanguage, String address, long opensAtMillis) {
    long now = clockMillis.getAsLong();
    int score = clientScore(userAgent, acceptLanguage);
    if (now - opensAtMillis < OPEN_BURST_MS) score += OPEN_BURST;
    if (addressVotes > 0) {
      long window = now / WINDOW_MS;
      long[] w = addresses.compute(address, (k, v) -> {
        if (v == null || v[0] != window) return new long[] {window, 1};
        v[1]++;
        return v;
      });
      if (w[1] > addressVotes) score += BUSY_ADDRESS;
    }
    return Math.min(MAX, score);
  }

  /** Forgets addresses whose window has passed (called now and then; memory stays bounded by the active ones). */
  public void evictIdle() {
    long window = clockMillis.getAsLong() / WINDOW_MS;
    addresses.values().removeIf(v -> v[0] != window);
  }
}
