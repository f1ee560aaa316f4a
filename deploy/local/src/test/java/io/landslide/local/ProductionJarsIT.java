package io.landslide.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The jars the container image copies (read from {@code deploy/docker/Dockerfile}, so the check follows it) hold
 * production code only: no benchmark, no test fixture, no test library. Runs at {@code verify}, once every module
 * is packaged.
 */
class ProductionJarsIT {
  /** Class names that are tools, not production: benchmarks, fixtures, tests. */
  private static final Pattern TOOL_CLASS = Pattern.compile(
    "(^|/)(io/landslide/(bench|local)/.*|[^/]*(Bench|Fixture|TestStack|Test|IT)(\\$[^/]*)?\\.class)$");
  /** Jars a production image must not carry. */
  private static final Pattern TOOL_JAR = Pattern.compile(
    "^(junit-|assertj-|vertx-junit5|opentest4j|apiguardian|landslide-bench|landslide-local|kafka_2|kafka-server|.*-tests\\.jar$).*");
  private static final Pattern COPY = Pattern.compile("(?m)^COPY\\s+(.+)\\s+\\S+$");

  private static Path root() {
    return Path.of(System.getProperty("landslide.root", "../..")).toAbsolutePath().normalize();
  }

  /** @return every jar the Dockerfile's COPY lines name, globs and directories expanded */
  static List<Path> imageJars(Path root) throws IOException {
    List<Path> jars = new ArrayList<>();
    Matcher m = COPY.matcher(Files.readString(root.resolve("deploy/docker/Dockerfile")));
    while (m.find()) {
      for (String src : m.group(1).trim().split("\\s+")) {
        if (src.endsWith("/")) {
          try (Stream<Path> s = Files.list(root.resolve(src))) {
            s.filter(f -> f.toString().endsWith(".jar")).forEach(jars::add);
          }
        } else {
          // Docker's COPY globs match file names as Java's glob does (*, ?, [...]).
          Path p = root.resolve(src);
          PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
          try (Stream<Path> s = Files.list(p.getParent())) {
            s.filter(f -> glob.matches(f.getFileName())).forEach(jars::add);
          }
        }
      }
    }
    return jars;
  }

  @Test
  @DisplayName("the image's jars hold no benchmark class, test fixture or test library")
  void shouldShipNoToolsInProductionJars() throws IOException {
    List<Path> jars = imageJars(root());
    assertThat(jars).as("jars the Dockerfile copies (run after `mvn package`)")
      .anyMatch(p -> p.getFileName().toString().startsWith("edge-verticles-"))
      .anyMatch(p -> p.getFileName().toString().startsWith("writer-verticles-"))
      .anyMatch(p -> p.getFileName().toString().startsWith("landslide-infra-"));
    List<String> found = new ArrayList<>();
    for (Path jar : jars) {
      String name = jar.getFileName().toString();
      if (TOOL_JAR.matcher(name).matches()) found.add(name);
      if (!name.startsWith("landslide-") && !name.startsWith("edge-verticles-") && !name.startsWith("writer-verticles-")
        && !name.startsWith("dedup-bitmap-") && !name.startsWith("shared-codecs-")) continue;
      try (JarFile j = new JarFile(jar.toFile())) {
        j.stream().map(e -> e.getName()).filter(e -> TOOL_CLASS.matcher(e).find()).forEach(e -> found.add(name + "!" + e));
      }
    }
    assertThat(found).as("benchmarks, fixtures or test libraries in a production jar").isEmpty();
  }

  @Test
  @DisplayName("the check recognises a benchmark and a fixture when it sees one")
  void shouldRecogniseTools() {
    assertThat(TOOL_CLASS.matcher("io/landslide/bench/VoteBench.class").find()).isTrue();
    assertThat(TOOL_CLASS.matcher("io/landslide/edge/DefenceBench.class").find()).isTrue();
    assertThat(TOOL_CLASS.matcher("io/landslide/infra/TestStack.class").find()).isTrue();
    assertThat(TOOL_CLASS.matcher("io/landslide/edge/EdgeFixture$1.class").find()).isTrue();
    assertThat(TOOL_CLASS.matcher("io/landslide/edge/vote/VoteHandler.class").find()).isFalse();
    assertThat(TOOL_CLASS.matcher("io/landslide/infra/LocalKafka.class").find()).isFalse();
    assertThat(TOOL_JAR.matcher("junit-jupiter-api-5.11.4.jar").matches()).isTrue();
    assertThat(TOOL_JAR.matcher("vertx-core-5.0.8.jar").matches()).isFalse();
  }
}
