package io.landslide.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.Map;

/**
 * What the scenarios share: the protocols (a person's browser, a script), the vote request, the checks of a 202 and
 * of a refusal (status and the contract's error code, {@code shared/api-contract.md}), and the bookkeeping of each
 * vote in the {@link Ledger}. A virtual user's session holds {@code poll} (the poll it votes in), {@code user},
 * {@code token} and {@code option} (from {@link Identities}), and {@code status} (its last vote's).
 */
final class Requests {
  /** What a person's browser sends: no abuse signal (AbuseSignals scores no User-Agent, scripts' ones, no language). */
  static final String BROWSER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 landslide-load";
  /** What a script sends: an automation User-Agent and no Accept-Language, so its votes are flagged. */
  static final String SCRIPT_AGENT = "python-requests/2.32.3";

  private Requests() {}

  /** @return the protocol of the people: spectators, readers and voters, with a browser's headers */
  static HttpProtocolBuilder people() {
    HttpProtocolBuilder p = base().userAgentHeader(BROWSER_AGENT).acceptLanguageHeader("en-GB,en;q=0.9");
    if (!Knobs.LOCAL_ADDRESSES.isEmpty()) p = p.localAddresses(Knobs.LOCAL_ADDRESSES);
    return Knobs.SHARE_CONNECTIONS ? p.shareConnections() : p;
  }

  /**
   * @param localAddress the address the script sends from, or null for the system's choice
   * @return the protocol of scripted clients: an automation User-Agent, no Accept-Language; a connection per virtual
   *     user (never a shared pool: Gatling's is one for every protocol that shares, and a person's request would then
   *     leave over a flood's connection, from the flood's address)
   */
  static HttpProtocolBuilder script(String localAddress) {
    HttpProtocolBuilder p = base().userAgentHeader(SCRIPT_AGENT);
    return localAddress == null ? p : p.localAddress(localAddress);
  }

  private static HttpProtocolBuilder base() {
    return http.baseUrl(Knobs.BASE_URL)
      .wsBaseUrl(Knobs.BASE_URL.replaceFirst("^http", "ws"))
      .acceptHeader("application/json")
      // Warm Gatling's HTTP stack up on the target itself (its default is an outside site), and never answer a
      // results read from a cache: every read is the server's.
      .warmUp(Knobs.BASE_URL + "/health/live")
      .disableCaching()
      .wsUnmatchedInboundMessageBufferSize(10_000)
      .sseUnmatchedInboundMessageBufferSize(10_000);
  }

  /** @return {@code POST …/votes} of the session's user, poll and option */
  static HttpRequestActionBuilder vote(String name) {
    return vote(name, "{\"option\": #{option}}");
  }

  /**
   * @param name its name in the report
   * @param body the body, a Gatling EL template over the session
   * @return {@code POST …/votes} of the session's user and poll
   */
  static HttpRequestActionBuilder vote(String name, String body) {
    return http(name).post("/api/v1/polls/#{poll}/votes")
      .header("Authorization", "Bearer #{token}")
      .header("Content-Type", "application/json")
      .body(StringBody(body));
  }

  /** A vote that must be accepted: 202 with a receipt for this poll and option. */
  static CheckBuilder[] accepted() {
    return new CheckBuilder[] {
      status().saveAs("status"),
      status().is(202),
      jsonPath("$").ofMap().transformWithSession(Requests::receipt).is("ok"),
      jsonPath("$.receipt").optional().saveAs("receipt")
    };
  }

  /** A vote that must be refused with this status and error code, and a message for people. */
  static CheckBuilder[] refused(int status, String error) {
    return new CheckBuilder[] {
      status().saveAs("status"),
      status().is(status),
      jsonPath("$.error").is(error),
      jsonPath("$.message").exists()
    };
  }

  /** A 202's body: the receipt, this poll, this option. */
  static String receipt(Map<String, Object> body, Session s) {
    if (!(body.get("receipt") instanceof String r) || r.isEmpty()) return "no receipt in " + body;
    if (!(body.get("poll") instanceof Number p) || p.intValue() != s.getInt("poll")) return "not this poll: " + body;
    if (!(body.get("option") instanceof Number o) || o.intValue() != s.getInt("option")) return "not this option: " + body;
    return "ok";
  }

  /** A vote-producing virtual user starts (the reconciliation waits for all of them). */
  static ChainBuilder begin() {
    return exec(s -> {
      Ledger.begin();
      return s.remove("status");
    });
  }

  /** …and ends. */
  static ChainBuilder end() {
    return exec(s -> {
      Ledger.end();
      return s;
    });
  }

  /** The last vote's outcome into the ledger. */
  static ChainBuilder record() {
    return record(null);
  }

  /**
   * @param times where the vote's response time ({@code rt}, saved by its check) goes, or null
   * @return the last vote's outcome into the ledger, and its time
   */
  static ChainBuilder record(Latencies times) {
    return exec(s -> {
      Ledger.vote(s.getInt("poll"), statusOf(s));
      if (times != null && s.contains("rt")) times.record(s.getLong("rt"));
      return s.remove("rt");
    });
  }

  static boolean was202(Session s) {
    return statusOf(s) == 202;
  }

  /** @return the last vote's status, or -1 when it got no HTTP answer */
  static int statusOf(Session s) {
    return s.contains("status") ? s.getInt("status") : -1;
  }
}
