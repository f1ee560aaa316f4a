package io.landslide.edge;

import static io.landslide.edge.EdgeFixture.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Slow clients are cut: headers and bodies have time limits that trickling bytes cannot extend. */
class SlowClientsIT {
  @RegisterExtension
  static final EdgeFixture f = EdgeFixture.with(Map.of("VOTING_HTTP_HEADER_TIMEOUT_MS", "1000", "VOTING_HTTP_BODY_TIMEOUT_MS", "6000"));

  /** Sends {@code bytes} one every {@code everyMs}, stopping when the server closes; @return ms until it closed, or -1 */
  private static long trickle(Socket s, byte[] bytes, long everyMs) throws Exception {
    long start = System.nanoTime();
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    s.setSoTimeout((int) everyMs);
    for (byte b : bytes) {
      try {
        out.write(b);
        out.flush();
      } catch (java.io.IOException closed) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      try {
        if (in.read() < 0) return (System.nanoTime() - start) / 1_000_000;
        while (in.available() > 0) if (in.read() < 0) return (System.nanoTime() - start) / 1_000_000;
      } catch (SocketTimeoutException stillOpen) {
        // the pace of the trickle
      } catch (java.io.IOException reset) {
        return (System.nanoTime() - start) / 1_000_000;
      }
    }
    return -1;
  }

  @Test
  @DisplayName("Headers trickled a byte at a time, each byte inside the idle timeout: the connection is cut at the header limit")
  void shouldCutSlowHeaders() throws Exception {
    byte[] slow = ("GET /api/v1/polls HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    try (Socket s = new Socket("localhost", f.config.http().port())) {
      long closedAfter = trickle(s, slow, 200);
      assertThat(closedAfter).as("cut before the headers were done (200 bytes at 5/s is 40 s)").isBetween(500L, 10_000L);
    }
  }

  @Test
  @DisplayName("A vote's body trickled a byte at a time: cut at the body limit, and nothing recorded")
  void shouldCutSlowBodiesAndRecordNothing() throws Exception {
    int poll = f.openPoll();
    long user = 700_001;
    String body = "{\"option\": 0" + " ".repeat(200) + "}";
    String head = "POST /api/v1/polls/" + poll + "/votes HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKENS.voter(user)
      + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
    try (Socket s = new Socket("localhost", f.config.http().port())) {
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      long closedAfter = trickle(s, body.getBytes(StandardCharsets.US_ASCII), 200);
      assertThat(closedAfter).as("cut at the body limit (6 s), before the body was done (40 s)").isBetween(4_000L, 15_000L);
    }
    assertThat(f.recorded(poll)).as("nothing reached Kafka").isEmpty();
  }

  @Test
  @DisplayName("A spectator's stream outlives the header limit: once its headers are in, a request without a body has no limit")
  void shouldKeepSpectatorsPastTheLimit() throws Exception {
    int poll = f.openPoll();
    try (Socket s = new Socket("localhost", f.config.http().port())) {
      s.getOutputStream().write(("GET /api/v1/polls/" + poll + "/events HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      s.setSoTimeout(10_000);
      byte[] first = new byte[512];
      assertThat(in.read(first)).as("the stream's head and first frame").isPositive();
      s.setSoTimeout(3_000); // three header limits, plus a sweep: no byte, and no end of stream
      int next;
      try {
        next = in.read();
      } catch (SocketTimeoutException stillOpen) {
        next = 0;
      }
      assertThat(next).as("still open").isNotNegative();
    }
  }

  private static double openConnections() {
    String metrics = f.call(io.vertx.core.http.HttpMethod.GET, "/metrics", null, null).bodyAsString();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^landslide_http_connections(?:\\{[^}]*})? (\\S+)$").matcher(metrics);
    assertThat(m.find()).as("the gauge is exported").isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  @DisplayName("The open-connections gauge goes up with connections and back down when they close (one close handler serves the cut and the gauge)")
  void shouldCountConnectionsOpenAndClosed() throws Exception {
    double before = openConnections();
    java.util.List<Socket> sockets = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        Socket s = new Socket("localhost", f.config.http().port());
        s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(10_000);
        assertThat(s.getInputStream().read()).as("answered").isPositive();
        sockets.add(s);
      }
      assertThat(openConnections()).as("five more open").isGreaterThanOrEqualTo(before + 5);
    } finally {
      for (Socket s : sockets) s.close();
    }
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    double now;
    while ((now = openConnections()) > before) {
      if (System.nanoTime() > deadline) throw new AssertionError("the gauge stayed at " + now + " after the connections closed (" + before + " before)");
      Thread.sleep(50);
    }
  }
}
