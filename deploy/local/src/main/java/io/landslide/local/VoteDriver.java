package io.landslide.local;

import io.landslide.codec.PowHash;
import io.landslide.infra.DevTokens;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongToIntFunction;

/**
 * Casts votes over HTTP at a fixed concurrency, as light as a load generator can be: one event loop,
 * keep-alive connections, tokens and bodies prepared before the clock starts, results in flat arrays.
 * Used by the system tests and the benchmark.
 */
public final class VoteDriver {

  /**
   * What each request got, by request index.
   *
   * @param users    the user of each request
   * @param options  the option of each request
   * @param status   the HTTP status (0 = no answer)
   * @param receipts the receipt of each 202 (when asked for)
   * @param latency  nanoseconds from send to full response
   * @param sentAt   {@link System#nanoTime()} when each request was sent
   * @param elapsedNanos wall time of the whole run
   */
  public record Results(long[] users, int[] options, int[] status, String[] receipts, long[] latency, long[] sentAt, long elapsedNanos) {
    /**
     * @param code an HTTP status
     * @return how many requests got it
     */
    public long count(int code) {
      long n = 0;
      for (int s : status) if (s == code) n++;
      return n;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final String host;
  private final int port;

  /**
   * @param vertx       a Vert.x instance for the client
   * @param host        the edge host
   * @param port        the edge port
   * @param connections how many keep-alive connections
   */
  public VoteDriver(Vertx vertx, String host, int port, int connections) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
      .setConnectTimeout(10_000).setIdleTimeout(0), new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /**
   * Mints a dev token per user (before any clock starts).
   *
   * @param users the users
   * @return their tokens' {@code Authorization} values
   */
  public static String[] bearers(long[] users) {
    DevTokens t = DevTokens.dev();
    String[] out = new String[users.length];
    for (int i = 0; i < users.length; i++) out[i] = "Bearer " + t.voter(users[i]);
    return out;
  }

  /**
   * Votes once per entry of {@code users} (a user may appear several times: a race), {@code concurrency}
   * requests in flight.
   *
   * @param poll          the poll
   * @param users         who votes, in order
   * @param bearers       their {@code Authorization} values, same order
   * @param option        the option of each user
   * @param concurrency   requests in flight
   * @param keepReceipts  whether to keep the receipts of 202s
   * @return the results, once every request got an answer (or failed)
   */
  public Future<Results> run(int poll, long[] users, String[] bearers, LongToIntFunction option, int concurrency, boolean keepReceipts) {
    int n = users.length;
    int[] options = new int[n];
    for (int i = 0; i < n; i++) options[i] = option.applyAsInt(users[i]);
    Buffer[] bodies = new Buffer[64];
    for (int o = 0; o < bodies.length; o++) bodies[o] = Buffer.buffer("{\"option\":" + o + "}");
    return run(poll, users, bearers, options, i -> bodies[options[i]], concurrency, keepReceipts);
  }

  /**
   * Votes once per entry of {@code users}, each with a body of its own (e.g. with a solved proof of work).
   *
   * @param poll        the poll
   * @param users       who votes, in order
   * @param bearers     their {@code Authorization} values, same order
   * @param options     the option of each request
   * @param body        the body of request i, prepared before the clock starts
   * @param concurrency requests in flight
   * @param keepReceipts whether to keep the receipts of 202s
   * @return the results, once every request got an answer (or failed)
   */
  public Future<Results> run(int poll, long[] users, String[] bearers, int[] options, java.util.function.IntFunction<Buffer> body,
                             int concurrency, boolean keepReceipts) {
    int n = users.length;
    Results r = new Results(users, options, new int[n], keepReceipts ? new String[n] : null, new long[n], new long[n], 0);
    Promise<Results> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    String path = "/api/v1/polls/" + poll + "/votes";
    long start = System.nanoTime();
    Runnable[] send = new Runnable[1];
    send[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) return;
      long t0 = System.nanoTime();
      r.sentAt()[i] = t0;
      client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path)
          .putHeader("Authorization", bearers[i]).putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(body.apply(i)).compose(res -> res.body().map(b -> {
          r.status()[i] = res.statusCode();
          if (keepReceipts && res.statusCode() == 202) r.receipts()[i] = receipt(b.toString());
          return null;
        })))
        .onComplete(ar -> {
          r.latency()[i] = System.nanoTime() - t0;
          if (finished.incrementAndGet() == n) {
            done.complete(new Results(r.users(), r.options(), r.status(), r.receipts(), r.latency(), r.sentAt(), System.nanoTime() - start));
          } else {
            send[0].run();
          }
        });
    };
    if (n == 0) return Future.succeededFuture(r);
    vertx.runOnContext(v -> {
      for (int c = 0; c < Math.min(concurrency, n); c++) send[0].run();
    });
    return done.future();
  }

  /**
   * Fetches each voter's proof-of-work challenge for the poll and solves it (the client's work, done before a clock).
   *
   * @param poll        the poll
   * @param users       the voters
   * @param bearers     their {@code Authorization} values
   * @param concurrency requests in flight
   * @return each voter's {@code pow} object, solved (null where no challenge could be had)
   */
  public Future<JsonObject[]> solvedChallenges(int poll, long[] users, String[] bearers, int concurrency) {
    int n = users.length;
    JsonObject[] out = new JsonObject[n];
    Promise<JsonObject[]> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] fetch = new Runnable[1];
    fetch[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) return;
      client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port).setURI("/api/v1/polls/" + poll + "/challenge")
          .putHeader("Authorization", bearers[i]))
        .compose(req -> req.send().compose(res -> res.body()))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            JsonObject c = ar.result().toJsonObject();
            long nonce = PowHash.solve(c.getString("challenge"), users[i], poll, c.getInteger("difficulty"));
            out[i] = new JsonObject().put("challenge", c.getString("challenge")).put("expires", c.getLong("expires"))
              .put("signature", c.getString("signature")).put("nonce", Long.toString(nonce));
          }
          if (finished.incrementAndGet() == n) done.complete(out);
          else fetch[0].run();
        });
    };
    if (n == 0) return Future.succeededFuture(out);
    vertx.runOnContext(v -> {
      for (int c = 0; c < Math.min(concurrency, n); c++) fetch[0].run();
    });
    return done.future();
  }

  private static String receipt(String body) {
    int at = body.indexOf("\"receipt\":\"");
    return at < 0 ? null : body.substring(at + 11, body.indexOf('"', at + 11));
  }

  /** @return closes the client */
  public Future<Void> close() {
    return client.close();
  }
}
