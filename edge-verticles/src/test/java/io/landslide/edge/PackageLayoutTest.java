package io.landslide.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The edge's packages are the stages of a request, and a stage never reaches back up: no class of a sub-package
 * imports the top package (its verticles, main and configuration), and edge code never imports the writer.
 */
class PackageLayoutTest {
  private static final Path MAIN = Path.of("src/main/java/io/landslide/edge");
  private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?(io\\.landslide\\.[\\w.]+);");

  @Test
  void shouldNeverImportTheTopPackageFromAStage() throws IOException {
    List<String> upward = new ArrayList<>();
    List<String> sideways = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        boolean stage = !f.getParent().equals(MAIN);
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          String imported = m.group(1);
          if (stage && imported.matches("io\\.landslide\\.edge\\.[A-Z]\\w*(\\..*)?")) upward.add(MAIN.relativize(f) + " -> " + imported);
          if (imported.startsWith("io.landslide.writer")) sideways.add(MAIN.relativize(f) + " -> " + imported);
        }
        if (stage && Files.readString(f).matches("(?s).*\\bio\\.landslide\\.edge\\.[A-Z]\\w*\\b.*")) upward.add(MAIN.relativize(f) + " names a top-level class");
      }
    }
    assertThat(upward).as("stage classes importing the top package").isEmpty();
    assertThat(sideways).as("edge classes importing the writer").isEmpty();
  }
}
