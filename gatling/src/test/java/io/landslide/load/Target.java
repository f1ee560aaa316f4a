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
 * The poll a run votes in, resolved once before the injection starts (in {@code before()}, with the JDK's HTTP client,
 * outside Gatling's statistics): the poll {@code load.poll} names (its options read from {@code GET /polls/{id}}), or
 * a new poll created with an admin token. Also the poll's total before the run, the reconciliation's baseline.
 */
final class Target {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
  private static final Pattern OPTION_ID = Pattern.compile("\\{\\s*\"id\"\\s*:\\s*(\\d+)\\s*,\\s*\"label\"");
  private static final Pattern TOTAL = Pattern.compile("\"total\"\\s*:\\s*(\\d+)");

  private static volatile int pollId = -1;
  private static volatile int options;
  private static volatile long baseline;

  private Target() {}

  /** Creates or reads the poll and its baseline; idempotent. */
  static synchronized void resolve() {
    if (pollId > 0) return;
    try {
      String poll;
      if (Knobs.POLL.equals("new")) {
        String admin = Knobs.ADMIN_TOKEN.isEmpty() ? new DevTokens(Knobs.JWT_SECRET).admin(Knobs.ADMIN_USER) : Knobs.ADMIN_TOKEN;
        StringBuilder body = new StringBuilder("{\"title\": \"Load run ").append(java.time.Instant.now()).append("\", \"options\": [");
        for (int i = 0; i < Knobs.OPTIONS; i++) body.append(i == 0 ? "" : ", ").append("\"Option ").append(i).append('"');
        body.append("]}");
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(Knobs.BASE_URL + "/api/v1/polls"))
            .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + admin)
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
          HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IllegalStateException("creating the poll: " + r.statusCode() + " " + r.body());
        poll = r.body();
      } else {
        HttpResponse<String> r = get("/api/v1/polls/" + Integer.parseInt(Knobs.POLL));
        if (r.statusCode() != 200) throw new IllegalStateException("poll " + Knobs.POLL + ": " + r.statusCode() + " " + r.body());
        poll = r.body();
      }
      if (!poll.contains("\"status\":\"open\"") && !poll.contains("\"status\": \"open\"")) {
        throw new IllegalStateException("the poll is not open: " + poll);
      }
      Matcher m = ID.matcher(poll);
      if (!m.find()) throw new IllegalStateException("no id in " + poll);
      int id = Integer.parseInt(m.group(1));
      int n = 0;
      Matcher o = OPTION_ID.matcher(poll);
      while (o.find()) n++;
      if (n < 2) throw new IllegalStateException("fewer than 2 options in " + poll);
      options = n;
      baseline = total(id);
      pollId = id;
      System.out.println("[load] poll " + id + " (" + n + " options), counted before the run: " + baseline);
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach " + Knobs.BASE_URL + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static int pollId() {
    if (pollId <= 0) resolve();
    return pollId;
  }

  static int options() {
    pollId();
    return options;
  }

  static long baseline() {
    pollId();
    return baseline;
  }

  /** @return the poll's counted total now ({@code GET …/results}) */
  static long total(int id) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/api/v1/polls/" + id + "/results");
    if (r.statusCode() != 200) throw new IllegalStateException("results of poll " + id + ": " + r.statusCode() + " " + r.body());
    Matcher t = TOTAL.matcher(r.body());
    if (!t.find()) throw new IllegalStateException("no total in the results (hidden?): " + r.body());
    return Long.parseLong(t.group(1));
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(Knobs.BASE_URL + path)).timeout(Duration.ofSeconds(10)).GET().build(),
      HttpResponse.BodyHandlers.ofString());
  }
}
