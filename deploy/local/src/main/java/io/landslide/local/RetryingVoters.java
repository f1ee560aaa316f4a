package io.landslide.local;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToIntFunction;

/**
 * Voters that behave like real clients behind a load balancer, for the fault tests and the fault benchmark: each
 * user votes once; on a network error, a 503 or a 429 the same vote is sent again after a short pause, to the next
 * edge after a network error (the balancer's health check would take a dead edge out); a 202 or a 409 ends it.
 * Users start at a fixed rate (or all at once up to the concurrency), and what each got is kept: the first 202's
 * receipt and when it came, how many 503s and network errors were on the way.
 */
public final class RetryingVoters {

  /**
   * What each user got, by user index.
   *
   * @param users      the users
   * @param options    each user's option (the same on every try)
   * @param status     the last answer: 202, 409, another final status, or 0 when the deadline came first
   * @param receipts   the receipt of the 202
   * @param acceptedAt {@link System#nanoTime()} of the 202 (0 if none)
   * @param unavailable 503s each user got
   * @param failed     network errors (no HTTP answer) each user got
   * @param limited    429s each user got
   * @param startNanos when the run started
   */
  public record Outcome(long[] users, int[] options, int[] status, String[] receipts, long[] acceptedAt, int[] unavailable,
                        int[] failed, int[] limited, long startNanos) {
    /**
     * @param i a user index
     * @return whether the user had an attempt whose fate the client never learnt (a network error or a 503): such a
     *         vote may or may not have been recorded
     */
    public boolean cutOff(int i) {
      return failed[i] > 0 || unavailable[i] > 0;
    }

    /**
     * @param code a final status
     * @return how many users ended with it
     */
    public long count(int code) {
      long n = 0;
      for (int s : status) if (s == code) n++;
      return n;
    }

    /** @return 503s over all users */
    public long unavailableTotal() {
      long n = 0;
      for (int u : unavailable) n += u;
      return n;
    }

    /** @return network errors over all users */
    public long failedTotal() {
      long n = 0;
      for (int f : failed) n += f;
      return n;
    }

    /** @return the longest time between two consecutive 202s (and from the start to the first), in milliseconds */
    public double longestGapMs() {
      long[] at = java.util.Arrays.stream(acceptedAt).filter(t -> t != 0).sorted().toArray();
      long prev = startNanos;
      long gap = 0;
      for (long t : at) {
        gap = Math.max(gap, t - prev);
        prev = t;
      }
      return gap / 1e6;
    }
  }

  private final Vertx vertx;
  private final List<HttpClient> clients = new ArrayList<>();
  private final List<Integer> ports;
  private final long pauseMs;
  private final long requestTimeoutMs;

  /**
   * @param vertx            a Vert.x instance for the clients
   * @param ports            the edges' ports on localhost
   * @param connections      keep-alive connections per edge
   * @param pauseMs          the pause before a retry
   * @param requestTimeoutMs a request not answered by then counts as a network error
   */
  public RetryingVoters(Vertx vertx, List<Integer> ports, int connections, long pauseMs, long requestTimeoutMs) {
    this.vertx = vertx;
    this.ports = List.copyOf(ports);
    this.pauseMs = pauseMs;
    this.requestTimeoutMs = requestTimeoutMs;
    for (int i = 0; i < ports.size(); i++) {
      clients.add(vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(2_000),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1)));
    }
  }

  /**
   * @param poll        the poll
   * @param users       who votes (each once, unless they retry)
   * @param bearers     their {@code Authorization} values
   * @param option      each user's option
   * @param perSecond   users starting per second; 0 = as fast as {@code concurrency} allows
   * @param concurrency users in progress at most
   * @param deadlineMs  users not done by then end with status 0
   * @return what each got, once every user is done
   */
  public Future<Outcome> run(int poll, long[] users, String[] bearers, LongToIntFunction option, int perSecond, int concurrency,
                             long deadlineMs) {
    int n = users.length;
    int[] options = new int[n];
    for (int i = 0; i < n; i++) options[i] = option.applyAsInt(users[i]);
    Buffer[] bodies = new Buffer[64];
    for (int o = 0; o < bodies.length; o++) bodies[o] = Buffer.buffer("{\"option\":" + o + "}");
    long start = System.nanoTime();
    Outcome out = new Outcome(users, options, new int[n], new String[n], new long[n], new int[n], new int[n], new int[n], start);
    Promise<Outcome> done = Promise.promise();
    String path = "/api/v1/polls/" + poll + "/votes";
    long deadline = start + deadlineMs * 1_000_000;
    int[] next = {0};
    int[] inProgress = {0};
    int[] finished = {0};
    Runnable[] startMore = new Runnable[1];
    Runnable[] finish = new Runnable[1];
    finish[0] = () -> {
      inProgress[0]--;
      if (++finished[0] == n) done.complete(out);
      else if (perSecond == 0) startMore[0].run();
    };
    // One attempt of user i at edge e.
    class Attempt {
      void send(int i, int e) {
        if (System.nanoTime() > deadline) {
          finish[0].run();
          return;
        }
        int edge = e % ports.size();
        clients.get(edge).request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(ports.get(edge)).setURI(path)
            .setTimeout(requestTimeoutMs).putHeader("Authorization", bearers[i]).putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(bodies[options[i]]).compose(res -> res.body().map(b -> {
            int code = res.statusCode();
            if (code == 202) {
              String body = b.toString();
              int at = body.indexOf("\"receipt\":\"");
              out.receipts()[i] = at < 0 ? null : body.substring(at + 11, body.indexOf('"', at + 11));
              out.acceptedAt()[i] = System.nanoTime();
            }
            return code;
          })))
          .onComplete(ar -> {
            if (ar.failed()) {
              out.failed()[i]++;
              out.status()[i] = 0;
              vertx.setTimer(pauseMs, t -> send(i, edge + 1));
              return;
            }
            int code = ar.result();
            out.status()[i] = code;
            if (code == 503 || code == 429) {
              if (code == 503) out.unavailable()[i]++;
              else out.limited()[i]++;
              vertx.setTimer(pauseMs, t -> send(i, edge));
            } else {
              finish[0].run();
            }
          });
      }
    }
    Attempt attempt = new Attempt();
    startMore[0] = () -> {
      while (inProgress[0] < concurrency && next[0] < n) {
        int i = next[0]++;
        inProgress[0]++;
        attempt.send(i, i);
      }
    };
    if (n == 0) return Future.succeededFuture(out);
    vertx.runOnContext(v -> {
      if (perSecond == 0) {
        startMore[0].run();
        return;
      }
      // A tick every 10 ms starts the users due by then (never more than the concurrency in progress).
      long[] timer = new long[1];
      timer[0] = vertx.setPeriodic(10, t -> {
        long due = Math.min(n, (System.nanoTime() - start) * perSecond / 1_000_000_000L + 1);
        while (next[0] < due && inProgress[0] < concurrency) {
          int i = next[0]++;
          inProgress[0]++;
          attempt.send(i, i);
        }
        if (next[0] >= n) vertx.cancelTimer(timer[0]);
      });
    });
    return done.future();
  }

  /** @return closes the clients */
  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>();
    for (HttpClient c : clients) all.add(c.close());
    return Future.join(all).mapEmpty();
  }
}
