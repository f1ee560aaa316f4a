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
      Map.entry("spectators", "10"),
      Map.entry("sse.spectators", "5"),
      Map.entry("pow.rate", "5"),
      Map.entry("pow.difficulty", "12"),
      Map.entry("bots.rate", "1"),
      Map.entry("flood.rate", "200"),
      Map.entry("flood.seconds", "5"),
      Map.entry("warmup.rate", "20"),
      Map.entry("warmup.seconds", "10")),
    "show", Map.ofEntries(
      Map.entry("rate", "2000"),
      Map.entry("duration", "300"),
      Map.entry("ramp", "20"),
      Map.entry("peak", "100"),
      Map.entry("storm.rate", "50"),
      Map.entry("races", "200"),
      Map.entry("readers.rate", "200"),
      Map.entry("spectators", "1000"),
      Map.entry("sse.spectators", "500"),
      Map.entry("pow.rate", "20"),
      Map.entry("pow.difficulty", "14"),
      Map.entry("bots.rate", "10"),
      Map.entry("flood.rate", "2000"),
      Map.entry("flood.seconds", "10"),
      Map.entry("warmup.rate", "200"),
      Map.entry("warmup.seconds", "30")));

  static final String PROFILE = raw("profile", "smoke");

  /** Where the edge (or its load balancer) answers: {@code http://host:port}, no path. */
  static final String BASE_URL = strip(str("baseUrl", "http://localhost:8080"));
  /** The poll to vote in; absent (or {@code new}): the run creates one (needs an admin token). */
  static final String POLL = str("poll", "new");
  /** Options of the poll the run creates. */
  static final int OPTIONS = integer("options", 4);

  /**
   * The warm-up before the measured run (0 seconds: none): people at this rate who fetch a challenge, solve it, vote,
   * read their vote and the results, in a warm-up poll of their own; a new edge's code is then compiled before the
   * gates measure it, as a deployment's is before a show. Needs an admin (the warm-up poll is created).
   */
  static final double WARMUP_RATE = dbl("warmup.rate", null);
  static final int WARMUP_SECONDS = integer("warmup.seconds", null);

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
  /** WebSocket spectators ({@code …/live}), connected over the ramp, each watching until the final frame. */
  static final int SPECTATORS = integer("spectators", null);
  /** Server-sent-events spectators ({@code …/events}), the same. */
  static final int SSE_SPECTATORS = integer("sse.spectators", null);

  /** Proof-of-work voters per second: challenge, solve, vote (in the proof-of-work poll). */
  static final double POW_RATE = dbl("pow.rate", null);
  /** The proof-of-work poll's difficulty (leading zero bits) when the run creates it. */
  static final int POW_DIFFICULTY = integer("pow.difficulty", null);
  /** The proof-of-work poll to vote in when {@code load.poll} names the main one; empty: no proof-of-work scenarios. */
  static final String POW_POLL = str("pow.poll", "");

  /**
   * Scripted clients per second, each of three kinds: a vote without browser headers (accepted, and flagged), a vote
   * in the proof-of-work poll without a proof (403), and one with a forged proof (403).
   */
  static final double BOTS_RATE = dbl("bots.rate", null);
  /**
   * The edge's per-address limit on the vote path ({@code VOTING_RATE_IP}, {@code <per second>/<burst>}): the flood
   * is sized against it and must be cut to it. Empty or 0: the target has none that the kit knows of, no flood.
   */
  static final String FLOOD_LIMIT = str("flood.limit", "");
  /** The flood: votes/s of distinct bot accounts from one address, for this many seconds, during the peak. */
  static final double FLOOD_RATE = dbl("flood.rate", null);
  static final int FLOOD_SECONDS = integer("flood.seconds", null);
  /**
   * The flood's scripts: each a connection of its own, looping over bot accounts at its share of the rate, waiting for
   * each answer; 0 (the default): one per 20 votes/s of {@code load.flood.rate}, at least 10, so the rate holds while
   * answers take up to 50 ms.
   */
  static final int FLOOD_CONNECTIONS = integer("flood.connections", 0);
  /** The local address the flood leaves from (any 127.x.y.z works on Linux's loopback; on a generator, a second NIC). */
  static final String FLOOD_ADDRESS = str("flood.address", "127.0.0.2");
  /** Edges behind the base URL: each edge has its own bucket, so the flood may get this many times the allowance. */
  static final int FLOOD_EDGES = integer("flood.edges", 1);

  /**
   * Whether the run closes its polls at the end (then spectators wait for the final frame and a late vote must get
   * 410): {@code true} by default when the run created them, {@code false} for polls {@code load.poll} names.
   */
  static final boolean CLOSE = Boolean.parseBoolean(str("close", Boolean.toString(POLL.equals("new"))));

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
  /**
   * The local addresses people's virtual users leave from, comma-separated, round robin per virtual user (Gatling's
   * {@code localAddresses}); empty: the system's choice. Spreads a generator's people over addresses, so an edge's
   * per-address limit ({@code VOTING_RATE_IP}) sees each address carry its share of the rate.
   */
  static final java.util.List<String> LOCAL_ADDRESSES = java.util.Arrays.stream(str("localAddresses", "").split(","))
    .map(String::trim).filter(a -> !a.isEmpty()).toList();
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

  /** @return the flood's scripts */
  static int floodConnections() {
    return FLOOD_CONNECTIONS > 0 ? FLOOD_CONNECTIONS : Math.max(10, (int) Math.ceil(FLOOD_RATE / 20));
  }

  /** @return the per-address limit {@code {per second, burst}} the flood is checked against, or null: no flood */
  static double[] floodLimit() {
    if (FLOOD_LIMIT.isEmpty() || FLOOD_LIMIT.equals("0") || FLOOD_RATE <= 0 || FLOOD_SECONDS <= 0) return null;
    String[] p = FLOOD_LIMIT.split("/");
    if (p.length != 2) throw new IllegalArgumentException("load.flood.limit must be <per second>/<burst>, as VOTING_RATE_IP: " + FLOOD_LIMIT);
    return new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1])};
  }

  static String describe() {
    return "profile=" + PROFILE + " baseUrl=" + BASE_URL + " poll=" + POLL + " rate=" + RATE + "/s duration=" + DURATION
      + "s (ramp " + RAMP + " s, peak " + PEAK + " s, tail " + tail() + " s from " + TAIL_START + " to " + TAIL_END
      + " of the rate) storm=" + STORM_RATE + "/s x" + STORM_RETRIES + " retries, races=" + RACES + " x" + RACE_WIDTH
      + " readers=" + READERS_RATE + "/s spectators=" + SPECTATORS + " ws + " + SSE_SPECTATORS + " sse, pow=" + POW_RATE
      + "/s at " + POW_DIFFICULTY + " bits, bots=" + BOTS_RATE + "/s x3, flood=" + (floodLimit() == null ? "off"
        : FLOOD_RATE + "/s for " + FLOOD_SECONDS + " s by " + floodConnections() + " scripts from " + FLOOD_ADDRESS + " against " + FLOOD_LIMIT + " x" + FLOOD_EDGES + " edges")
      + ", close=" + CLOSE + ", warm-up " + WARMUP_SECONDS + " s at " + WARMUP_RATE + "/s, users=" + USERS_FROM + ".." + USERS_TO
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
