package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.Receipt;
import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.Proofs;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TilePath;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import io.landslide.infra.DevTokens;
import io.landslide.infra.LogAudit;
import io.landslide.infra.Schema;
import io.landslide.verifier.Verifier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The verifiable vote log through the running stack, as an outsider sees it: the published key, checkpoints, tiles,
 * receipts with inclusion proofs, consistency proofs, live numbers tied to a signed state, the sealed result, the
 * auditor's export checked by the offline verifier, and the scrutineer's reconciliation.
 */
class AuditIT {
  @RegisterExtension
  static final StackFixture f = StackFixture.with(Map.of("VOTING_LOG_SEAL_GRACE_MS", "5000", "VOTING_BATCH_MAX", "200"));
  private static final SignedNote.Verifier KEY = SignedNote.Verifier.parse(LogKeys.DEV_VERIFIER);
  private final MessageDigest sha = TreeHash.sha256();

  @Test
  @DisplayName("A poll's log from vote to verdict: checkpoints, tiles, receipts and consistency proofs verify; the sealed result and the export pass the offline verifier; made-up receipts do not")
  void shouldLetAnOutsiderCheckEveryVoteAndTheResult() throws Exception {
    int poll = f.createPoll("Audited", 3);
    assertThat(f.get("/api/v1/polls/" + poll + "/log/checkpoint", null).statusCode()).as("nothing signed yet").isEqualTo(404);
    int n = 1_500;
    long[] users = new long[n];
    for (int i = 0; i < n; i++) users[i] = 900_000 + i;
    VoteDriver driver = new VoteDriver(f.vertx, "localhost", f.stack.settings().edgePort(), 16);
    VoteDriver.Results first = driver.run(poll, Arrays.copyOf(users, 1_000), VoteDriver.bearers(Arrays.copyOf(users, 1_000)), u -> (int) (u % 3), 16, true)
      .await(120, TimeUnit.SECONDS);
    assertThat(first.count(202)).isEqualTo(1_000);
    StackFixture.await("first checkpoint covers the first votes", () -> checkpointSize(poll), 1_000, 60);
    Checkpoint early = checkpoint(poll);
    // The last tile while it is partial (1,000 entries: 232 in tile 3), kept by the edge's tile cache...
    byte[] partial = fetch("/api/v1/polls/" + poll + "/log/" + new TilePath(TilePath.ENTRIES, 3, (int) (early.size() - 768)).path());
    assertThat(partial.length).isEqualTo((int) (early.size() - 768) * (2 + VoteEntry.SIZE));

    VoteDriver.Results second = driver.run(poll, Arrays.copyOfRange(users, 1_000, n), VoteDriver.bearers(Arrays.copyOfRange(users, 1_000, n)),
      u -> (int) (u % 3), 16, true).await(120, TimeUnit.SECONDS);
    driver.close();
    assertThat(second.count(202)).isEqualTo(n - 1_000);
    StackFixture.await("checkpoint covers every vote", () -> checkpointSize(poll), n, 60);
    Checkpoint head = checkpoint(poll);

    // The key, published.
    assertThat(f.get("/api/v1/audit/key", null).body().strip()).isEqualTo(LogKeys.DEV_VERIFIER);

    // Consistency: the later checkpoint extends the earlier one.
    JsonObject cons = new JsonObject(f.get("/api/v1/polls/" + poll + "/log/consistency?from=" + early.size() + "&to=" + head.size(), null).body());
    Proofs.verifyConsistency(sha, early.size(), head.size(), hashes(cons.getJsonArray("proof")), early.root(), head.root());
    assertThat(f.get("/api/v1/polls/" + poll + "/log/consistency?from=0&to=5", null).statusCode()).isEqualTo(400);
    assertThat(f.get("/api/v1/polls/" + poll + "/log/consistency?from=1&to=" + (head.size() + 1), null).statusCode()).isEqualTo(400);

    // Every receipt proves its vote, with the option the voter chose, against the signed checkpoint.
    Map<String, Integer> receipts = new HashMap<>();
    for (VoteDriver.Results r : List.of(first, second)) for (int i = 0; i < r.users().length; i++) receipts.put(r.receipts()[i], (int) (r.users()[i] % 3));
    int checked = 0;
    for (Map.Entry<String, Integer> e : receipts.entrySet()) {
      if (checked++ % 50 != 0) continue; // 30 of them, across the tree
      HttpResponse<String> res = f.get("/api/v1/polls/" + poll + "/receipts/" + e.getKey(), null);
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      JsonObject j = new JsonObject(res.body());
      Checkpoint cp = Checkpoint.parse(SignedNote.open(j.getString("checkpoint"), List.of(KEY)));
      byte[] leaf = TreeHash.leaf(sha, VoteEntry.of(sha, poll, e.getValue(), Receipt.parse(e.getKey())).bytes());
      Proofs.verifyInclusion(sha, j.getLong("index"), cp.size(), leaf, hashes(j.getJsonArray("proof")), cp.root());
      assertThat(j.getInteger("option")).isEqualTo(e.getValue());
    }
    HttpResponse<String> madeUp = f.get("/api/v1/polls/" + poll + "/receipts/" + Receipt.random(), null);
    assertThat(madeUp.statusCode()).isEqualTo(404);
    assertThat(madeUp.body()).contains("\"receipt_not_found\"");
    assertThat(f.get("/api/v1/polls/" + poll + "/receipts/not-a-receipt", null).statusCode()).isEqualTo(400);
    String someone = receipts.keySet().iterator().next();
    assertThat(f.get("/api/v1/polls/" + (poll + 1000) + "/receipts/" + someone, null).statusCode()).as("another poll").isEqualTo(404);

    // ...serves no wider request: the same tile, full now, is read again and begins with the same entries.
    byte[] full = fetch("/api/v1/polls/" + poll + "/log/" + new TilePath(TilePath.ENTRIES, 3, 256).path());
    assertThat(full.length).isEqualTo(256 * (2 + VoteEntry.SIZE));
    assertThat(Arrays.copyOf(full, partial.length)).isEqualTo(partial);
    assertThat(fetch("/api/v1/polls/" + poll + "/log/" + new TilePath(TilePath.ENTRIES, 3, 100).path())).isEqualTo(Arrays.copyOf(full, 100 * (2 + VoteEntry.SIZE)));

    // Tiles: the entries and the level-0 hashes the tree is made of, and nothing beyond the checkpoint.
    byte[] entries = fetch("/api/v1/polls/" + poll + "/log/" + new TilePath(TilePath.ENTRIES, 0, 256).path());
    assertThat(entries.length).isEqualTo(256 * (2 + VoteEntry.SIZE));
    byte[] hashes0 = fetch("/api/v1/polls/" + poll + "/log/" + new TilePath(0, 0, 256).path());
    byte[] firstEntry = Arrays.copyOfRange(entries, 2, 2 + VoteEntry.SIZE);
    assertThat(Arrays.copyOf(hashes0, 32)).isEqualTo(TreeHash.leaf(sha, firstEntry));
    int lastWidth = n % 256;
    assertThat(fetch("/api/v1/polls/" + poll + "/log/" + new TilePath(TilePath.ENTRIES, n / 256, lastWidth).path()).length)
      .isEqualTo(lastWidth * (2 + VoteEntry.SIZE));
    byte[] level1 = fetch("/api/v1/polls/" + poll + "/log/" + new TilePath(1, 0, n / 256).path());
    assertThat(level1.length).isEqualTo(n / 256 * 32);
    assertThat(f.get("/api/v1/polls/" + poll + "/log/" + new TilePath(TilePath.ENTRIES, n / 256, 256).path(), null).statusCode())
      .as("a full tile the log does not have yet").isEqualTo(404);
    assertThat(f.get("/api/v1/polls/" + poll + "/log/tile/0/0001", null).statusCode()).as("not the one spelling").isEqualTo(404);

    // Live numbers tied to the log.
    JsonObject results = new JsonObject(f.get("/api/v1/polls/" + poll + "/results", null).body());
    StackFixture.await("results carry the covering checkpoint", () -> new JsonObject(uncheckedGet("/api/v1/polls/" + poll + "/results"))
      .getJsonObject("checkpoint", new JsonObject()).getLong("size", 0L), n, 30);
    assertThat(results.getLong("total")).isEqualTo(n);

    // Close: the result is sealed and signed; its counts are the results.
    assertThat(f.post("/api/v1/polls/" + poll + "/close", DevTokens.dev().admin(1), "").statusCode()).isEqualTo(200);
    StackFixture.await("sealed", () -> status("/api/v1/polls/" + poll + "/log/result"), 200, 60);
    Checkpoint result = Checkpoint.parse(SignedNote.open(f.get("/api/v1/polls/" + poll + "/log/result", null).body(), List.of(KEY)));
    assertThat(result.size()).isEqualTo(n);
    assertThat(result.extensions()).containsExactly("result", "0 " + count(receipts, 0), "1 " + count(receipts, 1), "2 " + count(receipts, 2));

    // The auditor's export, checked offline.
    assertThat(f.get("/api/v1/admin/polls/" + poll + "/audit/bundle", DevTokens.dev().voter(5)).statusCode()).isEqualTo(403);
    HttpResponse<InputStream> tar = StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create(f.stack.edgeUrl() + "/api/v1/admin/polls/" + poll + "/audit/bundle"))
      .header("Authorization", "Bearer " + DevTokens.dev().admin(1)).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(tar.statusCode()).isEqualTo(200);
    Path bundle = Files.createTempDirectory("bundle-");
    untar(tar.body(), bundle);
    assertThat(Files.readString(bundle.resolve("admin-actions"))).contains("\"action\":\"create\"").contains("\"action\":\"close\"")
      .contains("\"action\":\"export\"").contains("\"actor\":\"user:1\"");
    Verifier.Report report = new Verifier().verify(bundle, Receipt.parse(someone));
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.toString()).contains("recount: option 0: " + count(receipts, 0));

    // The same through the documented command: export.sh fetches, unpacks and verifies.
    Path exported = Files.createTempDirectory("export-").resolve("poll-" + poll);
    Path reconciliation = exported.resolveSibling("reconciliation.csv");
    Process p = new ProcessBuilder(LocalStack.root().resolve("deploy/local/export.sh").toString(), Integer.toString(poll), exported.toString(),
      "--url", f.stack.edgeUrl(), "--reconciliation", reconciliation.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("the signed result").contains("reconciliation (scrutineer only)").contains("VERIFIED");
    assertThat(Files.readAllLines(reconciliation)).hasSize(n + 1);
    assertThat(Files.getPosixFilePermissions(reconciliation)).as("the owner's only")
      .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

    // Spectators' frames carry the signed state too.
    HttpResponse<Stream<String>> sse = StackFixture.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(f.stack.edgeUrl() + "/api/v1/polls/" + poll + "/events")).build(),
      HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS);
    String frame = java.util.concurrent.CompletableFuture.supplyAsync(() -> sse.body().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow())
      .get(30, TimeUnit.SECONDS);
    sse.body().close();
    JsonObject snapshot = new JsonObject(frame.substring(6));
    assertThat(snapshot.getBoolean("final")).isTrue();
    assertThat(snapshot.getJsonObject("checkpoint").getLong("size")).isEqualTo(n);
    assertThat(snapshot.getJsonObject("checkpoint").getString("root")).isEqualTo(Base64.getEncoder().encodeToString(result.root()));

    // The scrutineer's reconciliation: every counted vote's voter and leaf; not for admins.
    assertThat(f.get("/api/v1/admin/polls/" + poll + "/audit/reconciliation", DevTokens.dev().admin(1)).statusCode()).isEqualTo(403);
    HttpResponse<String> rec = f.get("/api/v1/admin/polls/" + poll + "/audit/reconciliation", DevTokens.dev().scrutineer(2));
    assertThat(rec.statusCode()).isEqualTo(200);
    List<String> lines = rec.body().lines().toList();
    assertThat(lines).hasSize(n + 1);
    assertThat(lines.get(0)).isEqualTo("user_id,leaf");
    assertThat(lines.stream().skip(1).map(l -> l.split(",")[1]).distinct().count()).as("distinct leaves").isEqualTo(n);

    try (Connection c = Schema.connect(f.pg)) {
      LogAudit.Summary s = LogAudit.check(c, poll, KEY);
      assertThat(s.size()).isEqualTo(n);
      assertThat(s.result()).isNotNull();
    }
  }

  private static long count(Map<String, Integer> receipts, int option) {
    return receipts.values().stream().filter(o -> o == option).count();
  }

  private long checkpointSize(int poll) {
    try {
      HttpResponse<String> r = f.get("/api/v1/polls/" + poll + "/log/checkpoint", null);
      return r.statusCode() == 200 ? Checkpoint.parse(SignedNote.open(r.body(), List.of(KEY))).size() : 0;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Checkpoint checkpoint(int poll) throws Exception {
    return Checkpoint.parse(SignedNote.open(f.get("/api/v1/polls/" + poll + "/log/checkpoint", null).body(), List.of(KEY)));
  }

  private static long status(String path) {
    try {
      return f.get(path, null).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String uncheckedGet(String path) {
    try {
      return f.get(path, null).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] fetch(String path) throws Exception {
    HttpResponse<byte[]> r = StackFixture.HTTP.send(HttpRequest.newBuilder(URI.create(f.stack.edgeUrl() + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  private static List<byte[]> hashes(JsonArray proof) {
    List<byte[]> out = new ArrayList<>();
    for (Object o : proof) out.add(Base64.getDecoder().decode((String) o));
    return out;
  }

  /**
   * A ustar reader: enough for the export (regular files, names in the 100-byte field).
   *
   * @return the files' names, in the archive's order
   */
  static java.util.List<String> untar(InputStream in, Path dir) throws IOException {
    java.util.List<String> names = new java.util.ArrayList<>();
    try (in) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        if (header[0] == 0) break;
        String name = new String(header, 0, 100, StandardCharsets.UTF_8).replace("\0", "");
        long size = (header[124] & 0x80) != 0 ? binary(header) : Long.parseLong(new String(header, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
        byte[] data = in.readNBytes((int) size);
        in.readNBytes((int) ((512 - size % 512) % 512));
        Path target = dir.resolve(name).normalize();
        if (!target.startsWith(dir)) throw new IOException("a path out of the bundle: " + name);
        Files.createDirectories(target.getParent());
        Files.write(target, data);
        names.add(name);
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).count()).isGreaterThan(3);
    }
    return names;
  }

  private static long binary(byte[] h) {
    long v = 0;
    for (int i = 125; i < 136; i++) v = (v << 8) | (h[i] & 0xFF);
    return v;
  }
}
