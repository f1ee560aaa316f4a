package io.landslide.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.tlog.Checkpoint;
import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TilePath;
import io.landslide.codec.tlog.VoteEntry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier from a base URL ({@code --url}): a log of 1,000 votes (three full entry tiles and a partial one) served
 * by a local server at the edge's public log API, as it is and as a lying or hostile server would serve it.
 */
class VerifyUrlTest {
  static final String KEY_NAME = "vote.example.com/log";
  static final int POLL = 42;
  static TestLog log;

  LogServer server;

  @BeforeAll
  static void votes() {
    SignedNote.Signer key = SignedNote.Signer.generate(KEY_NAME);
    log = TestLog.of(1_000, POLL, 3, key, LogKeys.origin(KEY_NAME, POLL));
  }

  @BeforeEach
  void start() throws Exception {
    server = new LogServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  @DisplayName("a sealed poll: downloaded tile by tile (the last one partial), verified, and a kept receipt proved included in the result")
  void shouldVerifyFromAnEdge() throws Exception {
    server.serve(log, 1_000, true);
    List<Path> before = bundles();
    Run run = run("--url", server.base() + "/", "--poll", "42", log.receipts.get(500).toString());
    assertThat(run.code).as(run.toString()).isZero();
    assertThat(run.out)
      .startsWith("ok    download: " + server.base() + ", poll 42: the key, the checkpoint of 1000 entries, the result, 1000 entries in 4 tiles\n")
      .contains("ok    manifest: 4 files, each as listed")
      .contains("ok    entries: 1000 well-formed entries of poll 42")
      .contains("ok    result: signed, of all 1000 entries, and their root")
      .contains("ok    origin: vote.example.com/log/poll/42, the log of poll 42 under the key " + KEY_NAME)
      .contains("ok    recount: " + log.recount() + ", as the result states")
      .contains("ok    receipt " + log.receipts.get(500) + ": entry 500 (option ")
      .contains("verified against the signed result's root")
      .doesNotContain("FAIL")
      .endsWith("VERIFIED\n");
    assertThat(server.asked).contains(LogServer.log(POLL) + "tile/entries/003.p/232");
    assertThat(bundles()).as("the temporary bundle is deleted").isEqualTo(before);

    Run pinned = run("--url", server.base(), "--poll", "42", "--key", log.key.verifier().text());
    assertThat(pinned.code).as(pinned.toString()).isZero();
    assertThat(pinned.out).contains("ok    key: the server publishes the pinned key").endsWith("VERIFIED\n");
  }

  @Test
  @DisplayName("--out keeps the bundle: the bundle mode verifies it again; a directory not empty is refused")
  void shouldKeepTheBundle(@TempDir Path dir) throws Exception {
    server.serve(log, 1_000, true);
    Path out = dir.resolve("poll-42");
    Run run = run("--url", server.base(), "--poll", "42", "--out", out.toString());
    assertThat(run.code).as(run.toString()).isZero();
    assertThat(run.out).contains("the bundle is kept in " + out);
    assertThat(Files.readAllBytes(out.resolve(Bundle.ENTRIES))).isEqualTo(log.entries);
    assertThat(Files.readString(out.resolve(Bundle.CHECKPOINTS).resolve("1000"))).isEqualTo(log.checkpoint(1_000));
    assertThat(Files.readString(out.resolve(Bundle.RESULT))).isEqualTo(log.result());
    assertThat(Files.readString(out.resolve(Bundle.KEY))).isEqualTo(log.key.verifier().text() + "\n");

    Run again = run(out.toString(), log.receipts.get(999).toString());
    assertThat(again.code).as(again.toString()).isZero();
    assertThat(again.out).contains("entry 999").endsWith("VERIFIED\n");

    Run notEmpty = run("--url", server.base(), "--poll", "42", "--out", out.toString());
    assertThat(notEmpty.code).isEqualTo(2);
    assertThat(notEmpty.err).contains("--out: not an empty directory");
  }

  @Test
  @DisplayName("a server that changed an entry in a tile: the checkpoint's and the result's roots fail, and the recount")
  void shouldCatchATamperedTile() throws Exception {
    server.serve(log, 1_000, true);
    String path = LogServer.log(POLL) + "tile/entries/001";
    byte[] tile = server.files.get(path).clone();
    int at = (300 - 256) * (2 + VoteEntry.SIZE) + 2 + 5; // entry 300's option
    tile[at] = (byte) ((tile[at] + 1) % 3);
    server.files.put(path, tile);
    Run run = run("--url", server.base(), "--poll", "42");
    assertThat(run.code).as(run.toString()).isEqualTo(1);
    assertThat(run.out)
      .contains("FAIL  checkpoint 1000: its root is not the root of the first 1000 entries")
      .contains("FAIL  result: its root is not the root of the entries")
      .contains("FAIL  recount: the entries count")
      .endsWith("VERIFICATION FAILED\n");
  }

  @Test
  @DisplayName("--key: a server publishing another key (its log re-signed by it) fails, and its notes are not trusted")
  void shouldPinTheKey() throws Exception {
    SignedNote.Signer other = SignedNote.Signer.generate(KEY_NAME);
    TestLog forged = TestLog.of(1_000, POLL, 3, other, LogKeys.origin(KEY_NAME, POLL));
    server.serve(forged, 1_000, true);
    Run run = run("--url", server.base(), "--poll", "42", "--key", log.key.verifier().text());
    assertThat(run.code).as(run.toString()).isEqualTo(1);
    assertThat(run.out)
      .contains("FAIL  key: the server publishes " + other.verifier().text() + ", not the pinned key " + log.key.verifier().text())
      .contains("ok    key: " + log.key.verifier().text())
      .contains("FAIL  result: no signature by a trusted key")
      .contains("FAIL  checkpoint 1000: no signature by a trusted key")
      .endsWith("VERIFICATION FAILED\n");

    // The log's own notes, but the server's key endpoint lies: still a failure.
    server.serve(log, 1_000, true);
    server.files.put(LogServer.key(), other.verifier().text().getBytes(StandardCharsets.UTF_8));
    Run lying = run("--url", server.base(), "--poll", "42", "--key", log.key.verifier().text());
    assertThat(lying.code).isEqualTo(1);
    assertThat(lying.out).contains("FAIL  key: the server publishes " + other.verifier().text()).contains("ok    result: signed");
  }

  @Test
  @DisplayName("a poll not sealed yet (404 for its result): the checkpoint's 700 entries verified and a receipt proved in it, the report says the result is missing")
  void shouldSayTheResultIsMissing() throws Exception {
    server.serve(log, 700, false);
    Run run = run("--url", server.base(), "--poll", "42", log.receipts.get(699).toString());
    assertThat(run.code).as(run.toString()).isEqualTo(1);
    assertThat(run.out)
      .contains("the checkpoint of 700 entries, no result (404: the poll is not sealed yet), 700 entries in 3 tiles")
      .contains("ok    entries: 700 well-formed entries of poll 42")
      .contains("ok    checkpoint 700: signed, and the root of the first 700 entries")
      .contains("FAIL  result: missing")
      .contains("ok    receipt " + log.receipts.get(699) + ": entry 699")
      .contains("verified against the root of the signed checkpoint 700 (no signed result yet)")
      .endsWith("VERIFICATION FAILED\n");
    assertThat(run("--url", server.base(), "--poll", "42", log.receipts.get(700).toString()).out)
      .as("a vote after the checkpoint is not in the log served").contains("FAIL  receipt " + log.receipts.get(700) + ": no entry of poll 42 commits to it");
    assertThat(server.asked).contains(LogServer.log(POLL) + "tile/entries/002.p/188").doesNotContain(LogServer.log(POLL) + "tile/entries/003.p/232");
  }

  @Test
  @DisplayName("another poll's log, signed by the same key, served as poll 42's: its entries and origin fail")
  void shouldCatchAnotherPollsLog() throws Exception {
    TestLog poll43 = TestLog.of(300, 43, 3, log.key, LogKeys.origin(KEY_NAME, 43));
    server.serve(poll43, 300, true, POLL);
    Run run = run("--url", server.base(), "--poll", "42");
    assertThat(run.code).as(run.toString()).isEqualTo(1);
    assertThat(run.out)
      .contains("ok    result: signed, of all 300 entries")
      .contains("FAIL  entries: of poll 43, not of poll 42, the poll asked for")
      .contains("FAIL  origin: vote.example.com/log/poll/43, not vote.example.com/log/poll/42");
  }

  @Test
  @DisplayName("a server sending too much is refused (exit 2, saying what): a tile over 256 x 40 bytes, announced or chunked; a note over 64 KiB; a size over 2^31; a malformed tile")
  void shouldBoundTheServer() throws Exception {
    server.serve(log, 1_000, true);
    String tile = LogServer.log(POLL) + "tile/entries/000";
    byte[] good = server.files.get(tile);
    server.files.put(tile, new byte[Download.MAX_TILE + 1]);
    assertRefused(tile, "an answer over 10240 bytes: refused");
    server.chunked.add(tile);
    assertRefused(tile, "an answer over 10240 bytes: refused");
    server.chunked.clear();

    byte[] cut = java.util.Arrays.copyOf(good, good.length - 1);
    server.files.put(tile, cut);
    assertRefused(tile, "entry 255 is cut short");
    byte[] wrongLength = good.clone();
    wrongLength[1] = 37;
    server.files.put(tile, wrongLength);
    assertRefused(tile, "entry 0 has 37 bytes, not 38");
    server.files.put(tile, good);

    String checkpoint = LogServer.log(POLL) + "checkpoint";
    server.files.put(checkpoint, new byte[Download.MAX_NOTE + 1]);
    server.chunked.add(checkpoint);
    assertRefused(checkpoint, "an answer over 65536 bytes: refused");
    server.chunked.clear();

    server.files.remove(LogServer.log(POLL) + "result");
    server.files.put(checkpoint, SignedNote.sign(new Checkpoint(log.origin, (1L << 31) + 1, log.root(1), List.of()).text(), log.key)
      .getBytes(StandardCharsets.UTF_8));
    assertRefused(checkpoint, "a tree of 2147483649 entries, over 2^31: refused");
    server.files.put(checkpoint, "not a note\n".getBytes(StandardCharsets.UTF_8));
    assertRefused(checkpoint, "not a signed checkpoint");
  }

  @Test
  @DisplayName("a server too slow is given up on; a server down or without the poll is named (exit 2)")
  void shouldTimeOut() throws Exception {
    server.serve(log, 1_000, true);
    String tile = LogServer.log(POLL) + "tile/entries/002";
    server.slow.put(tile, Duration.ofSeconds(5));
    Download download = new Download(Download.base(server.base()), Duration.ofMillis(500), 2);
    Path dir = Files.createTempDirectory("landslide-test-");
    try {
      ThrowableAssert.ThrowingCallable slow = () -> download.into(POLL, null, dir);
      org.assertj.core.api.Assertions.assertThatThrownBy(slow).isInstanceOf(Download.Failure.class)
        .hasMessageContaining("GET " + server.base() + tile + ": no ");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
      }
    }

    Run noPoll = run("--url", server.base(), "--poll", "7");
    assertThat(noPoll.code).isEqualTo(2);
    assertThat(noPoll.err).contains("cannot read the log of poll 7 at " + server.base() + ": GET " + server.base() + "/api/v1/polls/7/log/checkpoint: HTTP 404");

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run down = run("--url", "http://127.0.0.1:" + port, "--poll", "42");
    assertThat(down.code).isEqualTo(2);
    assertThat(down.err).contains("GET http://127.0.0.1:" + port + "/api/v1/audit/key: cannot connect");
  }

  @Test
  @DisplayName("bad arguments: exit 2 and the usage")
  void shouldRefuseBadArguments() throws Exception {
    for (String[] args : List.of(new String[] {"--url", server.base()}, new String[] {"--poll", "42"},
      new String[] {"--url", "ftp://example.com", "--poll", "42"}, new String[] {"--url", server.base(), "--poll", "0"},
      new String[] {"--url", server.base(), "--poll", "4294967296"}, new String[] {"--url", server.base(), "--poll", "42", "--key", "nope"},
      new String[] {"--url", server.base(), "--poll", "42", "not-a-receipt"}, new String[] {"--url", server.base(), "--poll"},
      new String[] {"--url", server.base(), "--poll", "42", "--poll", "43"}, new String[] {"--bundle", "x"}, new String[] {})) {
      Run run = run(args);
      assertThat(run.code).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.out).as(String.join(" ", args)).isEmpty();
    }
    assertThat(server.asked).as("nothing asked of the server").isEmpty();
  }

  private void assertRefused(String path, String why) {
    Run run = run("--url", server.base(), "--poll", "42");
    assertThat(run.code).as(run.toString()).isEqualTo(2);
    assertThat(run.out).isEmpty();
    assertThat(run.err).contains("cannot read the log of poll 42 at " + server.base() + ": ").contains(path).contains(why);
  }

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Verify.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static List<Path> bundles() throws Exception {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return new ArrayList<>(files.filter(f -> f.getFileName().toString().startsWith("landslide-bundle-")).sorted().toList());
    }
  }
}
