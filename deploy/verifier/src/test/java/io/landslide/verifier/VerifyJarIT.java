package io.landslide.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.Receipt;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.codec.tlog.TreeHash;
import io.landslide.codec.tlog.VoteEntry;
import java.io.ByteArrayOutputStream;
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
    SignedNote.Signer key = SignedNote.Signer.generate(VerifierTest.ORIGIN);
    long[] counts = new long[4];
    List<Receipt> receipts = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < 1_000; i++) {
      Receipt r = Receipt.random();
      receipts.add(r);
      counts[i % 4]++;
      out.writeBytes(VoteEntry.of(TreeHash.sha256(), VerifierTest.POLL, i % 4, r).bytes());
    }
    VerifierTest.write(dir, out.toByteArray(), counts, key);

    Run ok = run(dir.toString(), receipts.get(500).toString());
    assertThat(ok.code).as(ok.output).isZero();
    assertThat(ok.output).contains("ok    recount: option 0: 250, option 1: 250, option 2: 250, option 3: 250")
      .contains("entry 500").endsWith("VERIFIED\n");

    Run notFound = run(dir.toString(), "0123456789abcdef0123456789abcdef");
    assertThat(notFound.code).isEqualTo(1);
    assertThat(notFound.output).contains("FAIL  receipt").endsWith("VERIFICATION FAILED\n");

    Path result = dir.resolve(Bundle.RESULT);
    Files.writeString(result, Files.readString(result).replace("\n1 250\n", "\n1 251\n"), StandardCharsets.UTF_8);
    Run forged = run(dir.toString());
    assertThat(forged.code).isEqualTo(1);
    assertThat(forged.output).contains("FAIL  manifest: result does not have the SHA-256 the manifest lists").contains("FAIL  result:");

    assertThat(run().code).isEqualTo(2);
    assertThat(run(dir.toString(), "not-a-receipt").code).isEqualTo(2);
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
