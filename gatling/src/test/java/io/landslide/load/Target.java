package io.landslide.load;

import io.landslide.infra.DevTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The polls a run votes in, resolved once before the injection starts (in {@code before()}, with the JDK's HTTP client,
 * outside Gatling's statistics): the <b>main</b> poll, which asks no proof of work (voters, the duplicate storm, the
 * scripted clients, the flood, the spectators), and the <b>proof-of-work</b> poll (its voters, and the bots that skip or
 * forge the work); and, before them, the <b>warm-up</b> poll. Each is the poll the knobs name ({@code load.poll}, {@code load.pow.poll}; options read from
 * {@code GET /polls/{id}}) or one the run creates with an admin token. For each, its total before the run: the
 * reconciliation's baseline.
 */
final class Target {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
  private static final Pattern OPTION_ID = Pattern.compile("\\{\\s*\"id\"\\s*:\\s*(\\d+)\\s*,\\s*\"label\"");
  private static final Pattern TOTAL = Pattern.compile("\"total\"\\s*:\\s*(\\d+)");
  private static final Pattern OPEN = Pattern.compile("\"status\"\\s*:\\s*\"open\"");

  /** The warm-up poll's proof of work: a few bits, so the challenge and its check are warmed too, at little cost. */
  static final int WARM_UP_DIFFICULTY = 6;

  /** One poll of the run. */
  record Poll(int id, int options, long baseline, boolean created) {}

  private static volatile Poll main;
  private static volatile Poll pow;
  private static volatile Poll warmUp;

  private Target() {}

  /**
   * Creates or reads the polls and their baselines, once.
   *
   * @param wantsPow whether the run needs the proof-of-work poll
   */
  static synchronized void resolve(boolean wantsPow) {
    if (main != null) return;
    try {
      String token = adminToken();
      main = poll(Knobs.POLL, "", 0, token);
      System.out.println("[load] main poll " + main.id + " (" + main.options + " options), counted before the run: " + main.baseline);
      if (wantsPow && (Knobs.POLL.equals("new") || !Knobs.POW_POLL.isEmpty())) {
        pow = poll(Knobs.POW_POLL.isEmpty() ? "new" : Knobs.POW_POLL, " (proof of work)", Knobs.POW_DIFFICULTY, token);
        System.out.println("[load] proof-of-work poll " + pow.id + ", counted before the run: " + pow.baseline);
      } else if (wantsPow) {
        System.out.println("[load] no proof-of-work poll (load.poll names the main one, load.pow.poll none): its scenarios are left out");
      }
      if (Knobs.WARMUP_SECONDS > 0 && Knobs.WARMUP_RATE > 0) {
        if (Knobs.POLL.equals("new") || !Knobs.ADMIN_TOKEN.isEmpty()) {
          warmUp = poll("new", " (warm-up)", WARM_UP_DIFFICULTY, token);
          System.out.println("[load] warm-up poll " + warmUp.id + ": " + Knobs.WARMUP_SECONDS + " s at " + Knobs.WARMUP_RATE + "/s first");
        } else {
          System.out.println("[load] no warm-up: it creates a poll, and load.adminToken is not given");
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach " + Knobs.BASE_URL + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** @return the main poll */
  static Poll main() {
    if (main == null) throw new IllegalStateException("the polls are not resolved yet");
    return main;
  }

  /** @return the proof-of-work poll, or null when the run has none */
  static Poll pow() {
    main();
    return pow;
  }

  /** @return the warm-up poll, or null when the run has no warm-up */
  static Poll warmUp() {
    main();
    return warmUp;
  }

  /**
   * @return the admin token: {@code load.adminToken}, else a fresh one minted with the dev secret at each call (edges
   *     take admin tokens of at most 15 minutes, and a show run lasts longer)
   */
  static String adminToken() {
    return Knobs.ADMIN_TOKEN.isEmpty() ? new DevTokens(Knobs.JWT_SECRET).admin(Knobs.ADMIN_USER) : Knobs.ADMIN_TOKEN;
  }

  private static Poll poll(String which, String titleSuffix, int difficulty, String token) throws IOException, InterruptedException {
    String body;
    boolean created = which.equals("new");
    if (created) {
      StringBuilder b = new StringBuilder("{\"title\": \"Load run ").append(java.time.Instant.now()).append(titleSuffix).append("\", \"options\": [");
      for (int i = 0; i < Knobs.OPTIONS; i++) b.append(i == 0 ? "" : ", ").append("\"Option ").append(i).append('"');
      b.append("]");
      if (difficulty > 0) b.append(", \"powDifficulty\": ").append(difficulty);
      b.append("}");
      HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/polls")).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(b.toString())));
      if (r.statusCode() != 201) throw new IllegalStateException("creating a poll: " + r.statusCode() + " " + r.body());
      body = r.body();
    } else {
      HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/polls/" + Integer.parseInt(which))).GET());
      if (r.statusCode() != 200) throw new IllegalStateException("poll " + which + ": " + r.statusCode() + " " + r.body());
      body = r.body();
    }
    if (!OPEN.matcher(body).find()) throw new IllegalStateException("the poll is not open: " + body);
    Matcher m = ID.matcher(body);
    if (!m.find()) throw new IllegalStateException("no id in " + body);
    int id = Integer.parseInt(m.group(1));
    int n = 0;
    Matcher o = OPTION_ID.matcher(body);
    while (o.find()) n++;
    if (n < 2) throw new IllegalStateException("fewer than 2 options in " + body);
    return new Poll(id, n, total(id), created);
  }

  /** @return the poll's counted total now ({@code GET …/results}) */
  static long total(int id) throws IOException, InterruptedException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/polls/" + id + "/results")).GET());
    if (r.statusCode() != 200) throw new IllegalStateException("results of poll " + id + ": " + r.statusCode() + " " + r.body());
    Matcher t = TOTAL.matcher(r.body());
    if (!t.find()) throw new IllegalStateException("no total in the results (hidden?): " + r.body());
    return Long.parseLong(t.group(1));
  }

  private static URI uri(String path) {
    return URI.create(Knobs.BASE_URL + path);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
