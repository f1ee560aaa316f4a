package io.landslide.load;

import java.util.Locale;
import java.util.Map;

/**
 * Every knob of the load kit: a system property {@code load.x.y} (give it to Maven as {@code -Dload.x.y=…}; the
 * plugin passes it to the Gatling JVM), else the environment variable {@code LOAD_X_Y}, else the default of the
 * profile {@code load.profile} ({@code smoke}, the default: about a minute of small numbers; or {@code show}: a show's
 * shape at {@code load.rate}). Read once, printed at the start of a run.
 */
final class Knobs {
  /** Per profile: the defaults that differ between a smoke run and a show. */
  private static final Map<String, Map<String, String>> PROFILES = Map.of(
    "smoke", Map.ofEntries(
      Map.entry("rate", "40"),
      Map.entry("duration", "45"),
      Map.entry("ramp", "10"),
      Map.entry("peak", "20"),
      Map.entry("storm.rate", "2"),
      Map.entry("races", "5"),
      Map.entry("readers.rate", "5"),
      Map.entry("spectators", "10")),
    "show", Map.ofEntries(
      Map.entry("rate", "2000"),
      Map.entry("duration", "300"),
      Map.entry("ramp", "20"),
      Map.entry("peak", "100"),
      Map.entry("storm.rate", "50"),
      Map.entry("races", "200"),
      Map.entry("readers.rate", "200"),
      Map.entry("spectators", "1000")));

  static final String PROFILE = raw("profile", "smoke");

  /** Where the edge (or its load balancer) answers: {@code http://host:port}, no path. */
  static final String BASE_URL = strip(str("baseUrl", "http://localhost:8080"));
  /** The poll to vote in; absent (or {@code new}): the run creates one (needs an admin token). */
  static final String POLL = str("poll", "new");
  /** Options of the poll the run creates. */
  static final int OPTIONS = integer("options", 4);

  /** Votes/s at the peak of the show. */
  static final double RATE = dbl("rate", null);
  /** The whole injection, in seconds: ramp + peak + tail. */
  static final int DURATION = integer("duration", null);
  /** Seconds from the lines opening to the peak rate. */
  static final int RAMP = integer("ramp", null);
  /** Seconds at the peak rate (the ramp and the peak together: the show's first two minutes). */
  static final int PEAK = integer("peak", null);
  /** The tail: from this fraction of the peak rate down to {@code load.tail.end}, for the rest of the duration. */
  static final double TAIL_START = dbl("tail.start", "0.3");
  static final double TAIL_END = dbl("tail.end", "0.02");

  /** Duplicate storm: users per second who vote, then retry {@code load.storm.retries} times. */
  static final double STORM_RATE = dbl("storm.rate", null);
  static final int STORM_RETRIES = integer("storm.retries", 3);
  /** Races: how many, and how many requests each (one user, at once). */
  static final int RACES = integer("races", null);
  static final int RACE_WIDTH = integer("race.width", 20);

  /** {@code GET …/results} per second. */
  static final double READERS_RATE = dbl("readers.rate", null);
  /** WebSocket spectators, connected over the ramp, each watching until the voters are done. */
  static final int SPECTATORS = integer("spectators", null);

  /** The user ids this run may use, inclusive: give runs against one poll disjoint ranges. */
  static final long USERS_FROM = lng("users.from", "1");
  static final long USERS_TO = lng("users.to", "4294967295");
  /** A file of bearer tokens, one a line (a deployment's real tokens): used instead of minting. */
  static final String TOKENS = str("tokens", "");
  /** The HS256 secret dev tokens are minted with: VOTING_JWT_SECRET, else the documented dev default. */
  static final String JWT_SECRET = str("jwtSecret",
    System.getenv().getOrDefault("VOTING_JWT_SECRET", "landslide-dev-secret-do-not-use-in-production"));
  /** The admin token that creates the poll; empty: minted (dev secret) for user {@code load.admin.user}. */
  static final String ADMIN_TOKEN = str("adminToken", "");
  static final long ADMIN_USER = lng("admin.user", "1");

  /** Seconds the reconciliation waits for the counted total to reach the number of 202s. */
  static final int SETTLE = integer("settle", 30);
  /** Share connections among virtual users (a load generator's pool) instead of one connection per viewer. */
  static final boolean SHARE_CONNECTIONS = Boolean.parseBoolean(str("shareConnections", "false"));

  /** The gates. */
  static final int SLO_VOTE_P99_MS = integer("slo.voteP99", 100);
  static final int SLO_RESULTS_P99_MS = integer("slo.resultsP99", 200);
  static final double SLO_FAILED_PERCENT = dbl("slo.failedPercent", "0.1");

  private Knobs() {}

  /** @return the tail's length: what the duration leaves after the ramp and the peak */
  static int tail() {
    return Math.max(0, DURATION - RAMP - PEAK);
  }

  static String describe() {
    return "profile=" + PROFILE + " baseUrl=" + BASE_URL + " poll=" + POLL + " rate=" + RATE + "/s duration=" + DURATION
      + "s (ramp " + RAMP + " s, peak " + PEAK + " s, tail " + tail() + " s from " + TAIL_START + " to " + TAIL_END
      + " of the rate) storm=" + STORM_RATE + "/s x" + STORM_RETRIES + " retries, races=" + RACES + " x" + RACE_WIDTH
      + " readers=" + READERS_RATE + "/s spectators=" + SPECTATORS + " users=" + USERS_FROM + ".." + USERS_TO
      + (TOKENS.isEmpty() ? " (minted HS256 tokens)" : " (tokens from " + TOKENS + ")")
      + " gates: vote p99<" + SLO_VOTE_P99_MS + " ms, results p99<" + SLO_RESULTS_P99_MS + " ms, failed<"
      + SLO_FAILED_PERCENT + "%";
  }

  private static String raw(String name, String fallback) {
    String v = System.getProperty("load." + name);
    if (v == null || v.isBlank()) v = System.getenv("LOAD_" + name.replace('.', '_').toUpperCase(Locale.ROOT));
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static String str(String name, String fallback) {
    String profileDefault = PROFILES.getOrDefault(profileName(), Map.of()).get(name);
    String v = raw(name, profileDefault != null ? profileDefault : fallback);
    if (v == null) throw new IllegalArgumentException("load." + name + " has no value in profile " + profileName());
    return v;
  }

  /** The profile, read before PROFILE is initialised (the static initialisers run in order). */
  private static String profileName() {
    String p = raw("profile", "smoke");
    if (!PROFILES.containsKey(p)) throw new IllegalArgumentException("load.profile must be smoke or show, not " + p);
    return p;
  }

  private static int integer(String name, Integer fallback) {
    return Integer.parseInt(str(name, fallback == null ? null : fallback.toString()).replace("_", ""));
  }

  private static long lng(String name, String fallback) {
    return Long.parseLong(str(name, fallback).replace("_", ""));
  }

  private static double dbl(String name, String fallback) {
    return Double.parseDouble(str(name, fallback));
  }

  private static String strip(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
