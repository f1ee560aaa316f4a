package io.landslide.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.SignedNote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar on its own ({@code java -jar}, nothing else on its class path): the report and the exit codes. */
class VerifyJarIT {
  @Test
  @DisplayName("java -jar landslide-verifier.jar: 0 and VERIFIED for a good bundle and receipt, 1 naming the failure, 2 for bad arguments")
  void shouldRunOnItsOwn(@TempDir Path dir) throws Exception {
    TestLog log = log();
    log.bundle(dir, 1, 500, 1_000);

    Run ok = run(dir.toString(), log.receipts.get(500).toString());
    assertThat(ok.code).as(ok.output).isZero();
    assertThat(ok.output).contains("ok    recount: " + log.recount())
      .contains("entry 500").endsWith("VERIFIED\n");

    Run notFound = run(dir.toString(), "0123456789abcdef0123456789abcdef");
    assertThat(notFound.code).isEqualTo(1);
    assertThat(notFound.output).contains("FAIL  receipt").endsWith("VERIFICATION FAILED\n");

    Path result = dir.resolve(Bundle.RESULT);
    String original = Files.readString(result);
    String forgedResult = original.replace("\n1 " + log.counts[1] + "\n", "\n1 " + (log.counts[1] + 1) + "\n");
    assertThat(forgedResult).isNotEqualTo(original);
    Files.writeString(result, forgedResult, StandardCharsets.UTF_8);
    Run forged = run(dir.toString());
    assertThat(forged.code).isEqualTo(1);
    assertThat(forged.output).contains("FAIL  manifest: result does not have the SHA-256 the manifest lists").contains("FAIL  result:");

    assertThat(run().code).isEqualTo(2);
    assertThat(run(dir.toString(), "not-a-receipt").code).isEqualTo(2);
  }

  @Test
  @DisplayName("java -jar landslide-verifier.jar --url: downloads from an edge and verifies (0), a pinned key the server does not publish fails (1), a server down is 2")
  void shouldRunOnAUrl() throws Exception {
    TestLog log = log();
    LogServer server = new LogServer().serve(log, 1_000, true);
    try {
      Run ok = run("--url", server.base(), "--poll", "42", "--key", log.key.verifier().text(), log.receipts.get(999).toString());
      assertThat(ok.code).as(ok.output).isZero();
      assertThat(ok.output).contains("ok    download: ").contains("ok    recount: " + log.recount()).contains("entry 999").endsWith("VERIFIED\n");

      Run other = run("--url", server.base(), "--poll", "42", "--key", SignedNote.Signer.generate("vote.example.com/log").verifier().text());
      assertThat(other.code).isEqualTo(1);
      assertThat(other.output).contains("FAIL  key: the server publishes").endsWith("VERIFICATION FAILED\n");

      server.close();
      Run down = run("--url", server.base(), "--poll", "42");
      assertThat(down.code).isEqualTo(2);
      assertThat(down.output).contains("cannot read the log of poll 42");
    } finally {
      server.close();
    }
  }

  /** 1,000 votes of poll 42, in the log of the origin the edge serves. */
  private static TestLog log() {
    SignedNote.Signer key = SignedNote.Signer.generate("vote.example.com/log");
    return TestLog.of(1_000, 42, 4, key, LogKeys.origin(key.name(), 42));
  }

  record Run(int code, String output) {}

  private static Run run(String... args) throws Exception {
    Path jar = Path.of("target", "landslide-verifier-0.1.0.jar");
    assertThat(jar).exists();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), output);
  }
}
