package io.landslide.verifier;

import io.landslide.codec.Receipt;
import io.landslide.codec.tlog.SignedNote;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Verifies a poll's audit bundle and prints the report:
 * <pre>
 *   java -jar landslide-verifier.jar &lt;bundle directory&gt; [receipt]
 *   java -jar landslide-verifier.jar --url &lt;edge base URL&gt; --poll &lt;id&gt; [--key &lt;verifier key&gt;] [--out &lt;dir&gt;] [receipt]
 * </pre>
 * With {@code --url}, the bundle is first downloaded from the edge's public log API ({@link Download}) into a
 * temporary directory, or {@code --out} (kept), its manifest written here, then verified the same way. With
 * {@code --key}, that key (got out of band) is the one trusted, and a server publishing another fails the report.
 * Exit code 0: verified; 1: a check failed (the report says which); 2: bad arguments, or the bundle or the server
 * could not be read (standard error says what).
 */
public final class Verify {
  private static final Set<String> OPTIONS = Set.of("--url", "--poll", "--key", "--out");
  private static final String USAGE = "usage: java -jar landslide-verifier.jar <bundle directory> [receipt]\n"
    + "       java -jar landslide-verifier.jar --url <edge base URL> --poll <id> [--key <verifier key>] [--out <dir>] [receipt]";

  private Verify() {
  }

  /**
   * @param args a bundle's directory, or {@code --url <base> --poll <id> [--key <key>] [--out <dir>]}; then
   *             optionally a receipt (32 hex characters)
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * @param args the arguments of {@link #main}
   * @param out  where the report goes
   * @param err  where usage and read errors go
   * @return the exit code: 0 verified, 1 a check failed, 2 bad arguments or nothing to read
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> options = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        positional.add(a);
        continue;
      }
      if (!OPTIONS.contains(a)) return usage(err, "unknown option " + a);
      if (i + 1 == args.length) return usage(err, a + " needs a value");
      if (options.put(a, args[++i]) != null) return usage(err, a + " given twice");
    }
    if (options.isEmpty()) return bundle(positional, out, err);
    if (!options.containsKey("--url") || !options.containsKey("--poll")) return usage(err, "the URL mode needs --url <base URL> and --poll <id>");
    if (positional.size() > 1) return usage(err, "one receipt at most");
    return url(options, positional.isEmpty() ? null : positional.get(0), out, err);
  }

  private static int bundle(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() < 1 || args.size() > 2) return usage(err, null);
    Path dir = Path.of(args.get(0));
    if (!Files.isDirectory(dir)) return usage(err, "not a directory: " + dir);
    Receipt receipt = null;
    if (args.size() == 2 && (receipt = receipt(args.get(1), err)) == null) return 2;
    try {
      Verifier.Report report = new Verifier().verify(dir, receipt);
      out.print(report);
      return report.passed() ? 0 : 1;
    } catch (IOException e) {
      err.println("cannot read the bundle " + dir + ": " + e);
      return 2;
    }
  }

  private static int url(Map<String, String> options, String receiptText, PrintStream out, PrintStream err) {
    URI base;
    try {
      base = Download.base(options.get("--url"));
    } catch (IllegalArgumentException e) {
      return usage(err, "--url: " + e.getMessage());
    }
    String pollText = options.get("--poll");
    if (!pollText.matches("[1-9][0-9]{0,9}") || Long.parseLong(pollText) > Integer.MAX_VALUE) return usage(err, "--poll: not a poll id: " + pollText);
    int poll = Integer.parseInt(pollText);
    SignedNote.Verifier pinned = null;
    if (options.containsKey("--key")) {
      try {
        pinned = SignedNote.Verifier.parse(options.get("--key").strip());
      } catch (IllegalArgumentException e) {
        return usage(err, "--key: " + e.getMessage());
      }
    }
    Receipt receipt = null;
    if (receiptText != null && (receipt = receipt(receiptText, err)) == null) return 2;

    Path dir;
    boolean temporary = !options.containsKey("--out");
    try {
      if (temporary) {
        dir = Files.createTempDirectory("landslide-bundle-");
      } else {
        dir = Path.of(options.get("--out"));
        if (Files.exists(dir) && !empty(dir)) return usage(err, "--out: not an empty directory: " + dir);
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      err.println("cannot make the bundle's directory: " + e);
      return 2;
    }
    try {
      Download.Fetched f = new Download(base, Download.TIMEOUT, Download.PARALLEL).into(poll, pinned, dir);
      Bundle.writeManifest(dir);
      Verifier.Report report = new Verifier.Report();
      report.ok("download: " + base + ", poll " + poll + ": the key, the checkpoint of " + f.checkpointSize() + " entries, "
        + (f.sealed() ? "the result" : "no result (404: the poll is not sealed yet)") + ", " + f.size() + " entries in " + f.tiles()
        + " tiles" + (temporary ? "" : "; the bundle is kept in " + dir));
      if (pinned != null) {
        if (same(pinned, f.serverKey())) {
          report.ok("key: the server publishes the pinned key");
        } else {
          String served = f.serverKey().length() > 200 ? f.serverKey().substring(0, 200) + "..." : f.serverKey();
          report.fail("key: the server publishes " + served + ", not the pinned key " + pinned.text() + " (the checks below trust the pinned key)");
        }
      }
      new Verifier().verify(dir, receipt, poll, report);
      out.print(report);
      return report.passed() ? 0 : 1;
    } catch (Download.Failure e) {
      err.println(Verifier.Report.printable("cannot read the log of poll " + poll + " at " + base + ": " + e.getMessage()));
      return 2;
    } catch (IOException e) {
      err.println("cannot write or read the bundle in " + dir + ": " + e);
      return 2;
    } finally {
      if (temporary) delete(dir, err);
    }
  }

  private static boolean same(SignedNote.Verifier pinned, String served) {
    try {
      return SignedNote.Verifier.parse(served).text().equals(pinned.text());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Receipt receipt(String text, PrintStream err) {
    try {
      return Receipt.parse(text.replace("-", "").toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      err.println("not a receipt (32 hex characters): " + text);
      return null;
    }
  }

  private static boolean empty(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return false;
    try (Stream<Path> files = Files.list(dir)) {
      return files.findAny().isEmpty();
    }
  }

  private static void delete(Path dir, PrintStream err) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
    } catch (IOException e) {
      err.println("cannot delete the temporary bundle " + dir + ": " + e);
    }
  }

  private static int usage(PrintStream err, String why) {
    if (why != null) err.println(why);
    err.println(USAGE);
    return 2;
  }
}
