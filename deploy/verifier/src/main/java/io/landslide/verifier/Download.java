package io.landslide.verifier;

import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TilePath;
import io.landslide.codec.tlog.VoteEntry;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Builds a poll's audit bundle ({@link Bundle}) from an edge's public log API, for the {@link Verifier} to check:
 * <pre>
 *   GET {base}/api/v1/audit/key                                  the log's verifier key, one line     -&gt; key
 *   GET {base}/api/v1/polls/{id}/log/checkpoint                  the latest signed checkpoint         -&gt; checkpoints/&lt;size&gt;
 *   GET {base}/api/v1/polls/{id}/log/result                      the signed result, 404 until sealed  -&gt; result
 *   GET {base}/api/v1/polls/{id}/log/tile/entries/&lt;N&gt;[.p/&lt;W&gt;]   C2SP tlog-tiles entry bundles        -&gt; entries
 * </pre>
 * The entries downloaded are those of the result if there is one, else of the latest checkpoint: tiles 0 to
 * {@code (size - 1) / 256}, the last one partial when the size is not a multiple of 256, each entry's uint16 length
 * prefix checked and stripped. Nothing is trusted here: the sizes are read from the notes unverified, only to know what
 * to download, and the {@link Verifier} then checks every signature and root. The server is bounded all the same:
 * every request times out, a key or note over 64 KiB, a tile over {@code 256 * (2 + 38)} bytes and a size over 2^31
 * entries are refused.
 */
final class Download {
  /** The largest key, checkpoint or result accepted. */
  static final int MAX_NOTE = 64 * 1024;
  /** The largest entry bundle accepted: a full tile of 38-byte entries, each with its 2-byte length. */
  static final int MAX_TILE = TilePath.FULL * (2 + VoteEntry.SIZE);
  /** The largest tree size accepted. */
  static final long MAX_ENTRIES = 1L << 31;
  /** Each request's time to its last byte. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Tiles fetched at once. */
  static final int PARALLEL = 8;

  /** The server could not be read, or did not answer what the API says: what, and where. */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message);
    }
  }

  /**
   * What was downloaded.
   *
   * @param serverKey      the key the server publishes, as it sent it (stripped)
   * @param checkpointSize the latest checkpoint's size
   * @param sealed         whether the server has a signed result
   * @param size           the entries downloaded
   * @param tiles          the entry bundles downloaded
   */
  record Fetched(String serverKey, long checkpointSize, boolean sealed, long size, long tiles) {
  }

  private final URI base;
  private final Duration timeout;
  private final int parallel;
  private final HttpClient http;

  /**
   * @param base     the edge's base URL ({@link #base(String)})
   * @param timeout  each request's time to its last byte
   * @param parallel tiles fetched at once
   */
  Download(URI base, Duration timeout, int parallel) {
    this.base = base;
    this.timeout = timeout;
    this.parallel = parallel;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /**
   * @param text a base URL: http or https, a host, no query or fragment
   * @return it, without a trailing slash
   * @throws IllegalArgumentException when it is not one
   */
  static URI base(String text) {
    URI u;
    try {
      u = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + text);
    }
    if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https")) || u.getHost() == null
      || u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException("not an http(s) base URL (scheme, host, optional path; no query): " + text);
    }
    String s = u.toString();
    while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
    return URI.create(s);
  }

  /**
   * Downloads a poll's public log into a bundle's directory (its manifest not written).
   *
   * @param poll   the poll
   * @param pinned the key to write in the bundle instead of the server's (the auditor's, got out of band), or null
   * @param dir    an empty directory
   * @return what was downloaded
   * @throws Failure     when the server cannot be read, or answers other than the API says
   * @throws IOException when the bundle cannot be written
   */
  Fetched into(int poll, SignedNote.Verifier pinned, Path dir) throws Failure, IOException {
    String serverKey = new String(get("/api/v1/audit/key", MAX_NOTE, false), StandardCharsets.UTF_8).strip();
    String log = "/api/v1/polls/" + poll + "/log/";
    byte[] checkpoint = get(log + "checkpoint", MAX_NOTE, false);
    long checkpointSize = size(checkpoint, log + "checkpoint");
    byte[] result = get(log + "result", MAX_NOTE, true);
    long size = result == null ? checkpointSize : size(result, log + "result");

    Files.writeString(dir.resolve(Bundle.KEY), (pinned != null ? pinned.text() : serverKey) + "\n", StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve(Bundle.CHECKPOINTS));
    Files.write(dir.resolve(Bundle.CHECKPOINTS).resolve(Long.toString(checkpointSize)), checkpoint);
    if (result != null) Files.write(dir.resolve(Bundle.RESULT), result);
    long tiles = entries(log, size, dir.resolve(Bundle.ENTRIES));
    return new Fetched(serverKey, checkpointSize, result != null, size, tiles);
  }

  /** Downloads the first {@code size} entries into a file, a few tiles at once, written in order. */
  private long entries(String log, long size, Path file) throws Failure, IOException {
    long tiles = (size + TilePath.FULL - 1) / TilePath.FULL;
    ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
      Thread t = new Thread(r, "tile-download");
      t.setDaemon(true);
      return t;
    });
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      ArrayDeque<Future<byte[]>> window = new ArrayDeque<>();
      long next = 0;
      while (next < tiles || !window.isEmpty()) {
        while (next < tiles && window.size() < 2 * parallel) {
          long index = next++;
          int width = index == tiles - 1 && size % TilePath.FULL != 0 ? (int) (size % TilePath.FULL) : TilePath.FULL;
          TilePath tile = new TilePath(TilePath.ENTRIES, index, width);
          window.add(pool.submit(() -> entries(log + tile.path(), get(log + tile.path(), MAX_TILE, false), width)));
        }
        out.write(await(window.poll()));
      }
    } finally {
      pool.shutdownNow();
    }
    return tiles;
  }

  private static byte[] await(Future<byte[]> tile) throws Failure {
    try {
      return tile.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Failure f) throw f;
      throw new Failure(String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    }
  }

  /** @return the entries of an entry bundle of {@code width} entries, their length prefixes checked and stripped */
  static byte[] entries(String path, byte[] tile, int width) throws Failure {
    byte[] out = new byte[width * VoteEntry.SIZE];
    ByteBuffer b = ByteBuffer.wrap(tile);
    for (int i = 0; i < width; i++) {
      if (b.remaining() < 2) throw new Failure(path + ": " + i + " entries, not " + width + " (" + tile.length + " bytes)");
      int length = b.getShort() & 0xffff;
      if (length != VoteEntry.SIZE) throw new Failure(path + ": entry " + i + " has " + length + " bytes, not " + VoteEntry.SIZE);
      if (b.remaining() < length) throw new Failure(path + ": entry " + i + " is cut short (" + tile.length + " bytes)");
      b.get(out, i * VoteEntry.SIZE, VoteEntry.SIZE);
    }
    if (b.hasRemaining()) throw new Failure(path + ": " + b.remaining() + " bytes after its " + width + " entries");
    return out;
  }

  /** @return a signed checkpoint's size, read unverified (the {@link Verifier} checks its signature) */
  private long size(byte[] note, String path) throws Failure {
    String text = new String(note, StandardCharsets.UTF_8);
    int split = text.lastIndexOf("\n\n");
    Checkpoint c;
    try {
      if (split < 0) throw new IllegalArgumentException("not a signed note (no blank line before its signatures)");
      c = Checkpoint.parse(text.substring(0, split + 1));
    } catch (IllegalArgumentException e) {
      throw new Failure("GET " + base + path + ": not a signed checkpoint: " + e.getMessage());
    }
    if (c.size() > MAX_ENTRIES) throw new Failure("GET " + base + path + ": a tree of " + c.size() + " entries, over 2^31: refused");
    return c.size();
  }

  /**
   * @param path      the path after the base URL
   * @param max       the largest body accepted
   * @param missingOk whether a 404 is an answer (null)
   * @return the body of a 200
   */
  private byte[] get(String path, int max, boolean missingOk) throws Failure {
    URI uri = URI.create(base + path);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    HttpResponse.BodyHandler<byte[]> handler = info -> info.statusCode() == 200
      ? new Limited(max, info.headers().firstValueAsLong("Content-Length").orElse(-1))
      : HttpResponse.BodySubscribers.<byte[]>replacing(null);
    CompletableFuture<HttpResponse<byte[]>> answer = http.sendAsync(request, handler);
    HttpResponse<byte[]> response;
    try {
      // The request's own timeout ends at the headers: this one at the last byte.
      response = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new Failure("GET " + uri + ": no whole answer within " + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new Failure("GET " + uri + ": interrupted");
    } catch (ExecutionException e) {
      throw new Failure("GET " + uri + ": " + why(e.getCause()));
    }
    int status = response.statusCode();
    if (status == 404 && missingOk) return null;
    if (status != 200) throw new Failure("GET " + uri + ": HTTP " + status + (status == 404 ? " (not found)" : ""));
    return response.body();
  }

  private String why(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TooLarge) return t.getMessage();
      if (t instanceof HttpTimeoutException) return "no answer within " + timeout.toSeconds() + " s";
      if (t instanceof ConnectException) return "cannot connect" + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** A body over its bound. */
  private static final class TooLarge extends IOException {
    TooLarge(int max) {
      super("an answer over " + max + " bytes: refused");
    }
  }

  /** A body kept in memory up to a bound, refused beyond it (announced or not). */
  private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final long announced;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    Limited(int max, long announced) {
      this.max = max;
      this.announced = announced;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (announced > max) {
        refuse();
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (body.isDone()) return;
      for (ByteBuffer item : items) {
        if (out.size() + (long) item.remaining() > max) {
          refuse();
          return;
        }
        byte[] bytes = new byte[item.remaining()];
        item.get(bytes);
        out.writeBytes(bytes);
      }
    }

    private void refuse() {
      subscription.cancel();
      body.completeExceptionally(new TooLarge(max));
    }

    @Override
    public void onError(Throwable e) {
      body.completeExceptionally(e);
    }

    @Override
    public void onComplete() {
      body.complete(out.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }
  }
}
