package io.landslide.verifier;

import io.landslide.codec.Receipt;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java -jar landslide-verifier.jar <bundle directory> [receipt]}: verifies a poll's audit bundle offline and
 * prints the report. Exit code 0: verified; 1: a check failed (the report says which); 2: bad arguments.
 */
public final class Verify {
  private Verify() {
  }

  /**
   * @param args the bundle's directory, and optionally a receipt (32 hex characters)
   * @throws Exception when the bundle cannot be read
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2 || !Files.isDirectory(Path.of(args[0]))) {
      System.err.println("usage: java -jar landslide-verifier.jar <bundle directory> [receipt]");
      System.exit(2);
    }
    Receipt receipt = null;
    if (args.length == 2) {
      try {
        receipt = Receipt.parse(args[1].replace("-", "").toLowerCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        System.err.println("not a receipt (32 hex characters): " + args[1]);
        System.exit(2);
      }
    }
    Verifier.Report report = new Verifier().verify(Path.of(args[0]), receipt);
    System.out.print(report);
    System.exit(report.passed() ? 0 : 1);
  }
}
