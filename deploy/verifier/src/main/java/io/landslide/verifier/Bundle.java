package io.landslide.verifier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A poll's audit bundle, one directory ({@code docs/audit.md}):
 * <pre>
 *   key              the log's verifier key (signed-note text form), one line
 *   entries          every entry, 38 bytes each, in log order
 *   checkpoints/N    the signed checkpoint of size N, for each published size kept
 *   result           the signed final result: a checkpoint of the whole log with the lines "result", then
 *                    "&lt;option&gt; &lt;count&gt;" per option
 *   manifest         "&lt;SHA-256 hex&gt;  &lt;path&gt;" for every file above
 * </pre>
 */
public final class Bundle {
  static final String KEY = "key";
  static final String ENTRIES = "entries";
  static final String CHECKPOINTS = "checkpoints";
  static final String RESULT = "result";
  static final String MANIFEST = "manifest";
  /** The first extension line of a result. */
  public static final String RESULT_LINE = "result";

  private Bundle() {
  }

  /** @return path -> SHA-256 hex of every file of the bundle but the manifest */
  static Map<String, String> hashes(Path bundle, MessageDigest sha) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(bundle)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String rel = bundle.relativize(f).toString().replace('\\', '/');
        if (rel.equals(MANIFEST)) continue;
        sha.reset();
        out.put(rel, HexFormat.of().formatHex(sha.digest(Files.readAllBytes(f))));
      }
    }
    return out;
  }

  static Map<String, String> readManifest(Path manifest) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      int sep = line.indexOf("  ");
      if (sep != 64) throw new IOException("not a manifest line: " + line);
      out.put(line.substring(sep + 2), line.substring(0, sep));
    }
    return out;
  }

  /**
   * Writes the manifest of a bundle's files.
   *
   * @param bundle the bundle's directory
   * @throws IOException when it cannot be written
   */
  public static void writeManifest(Path bundle) throws IOException {
    StringBuilder b = new StringBuilder();
    hashes(bundle, io.landslide.codec.tlog.TreeHash.sha256()).forEach((path, hash) -> b.append(hash).append("  ").append(path).append('\n'));
    Files.writeString(bundle.resolve(MANIFEST), b.toString(), StandardCharsets.UTF_8);
  }
}
