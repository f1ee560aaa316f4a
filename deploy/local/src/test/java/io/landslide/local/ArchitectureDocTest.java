package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code docs/architecture.md} matches the code: every class it names exists, where its link says. */
class ArchitectureDocTest {
  private static final Path ROOT = Path.of(System.getProperty("landslide.root", "../..")).toAbsolutePath().normalize();
  private static final Path DOC = ROOT.resolve("docs/architecture.md");

  @Test
  void shouldLinkOnlyToSourcesThatExist() throws IOException {
    Matcher link = Pattern.compile("\\[(\\w+)]\\((\\.\\./[^)]+\\.java)\\)").matcher(Files.readString(DOC));
    List<String> missing = new ArrayList<>();
    int links = 0;
    while (link.find()) {
      links++;
      Path target = DOC.getParent().resolve(link.group(2)).normalize();
      if (!Files.isRegularFile(target)) missing.add(link.group(2));
      else assertThat(target.getFileName().toString()).as("link text names its file").isEqualTo(link.group(1) + ".java");
    }
    assertThat(links).as("classes linked").isGreaterThan(30);
    assertThat(missing).as("classes docs/architecture.md names where they are not").isEmpty();
  }

  @Test
  void shouldNameOnlyClassesThatExist() throws IOException {
    Set<String> classes = new HashSet<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/") && !p.toString().contains("/target/"))
        .forEach(p -> classes.add(p.getFileName().toString().replace(".java", "")));
    }
    // Names in code spans that look like classes (two or more humps): each must be a class of the repository.
    Matcher named = Pattern.compile("`([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)`").matcher(Files.readString(DOC));
    List<String> unknown = new ArrayList<>();
    while (named.find()) if (!classes.contains(named.group(1))) unknown.add(named.group(1));
    assertThat(unknown).as("class names in docs/architecture.md with no class behind them").isEmpty();
  }
}
