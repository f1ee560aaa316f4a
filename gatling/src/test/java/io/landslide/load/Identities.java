package io.landslide.load;

import io.landslide.infra.DevTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who votes: each record is a distinct user ({@code user}, {@code token}), with the poll it votes in ({@code poll})
 * and a random option of it ({@code option}). Users come from one sequence shared by every scenario of the run, so no two virtual users
 * of a run are the same viewer (unless a race asks for it), and from {@code load.users.from..load.users.to} only:
 * runs against one poll with disjoint ranges never collide. When the range (or the token file) is used up, the feeder
 * is empty and Gatling stops the run with an error, rather than reuse a viewer.
 *
 * <p>Tokens are minted per user with {@link DevTokens} (HS256, the local profile's scheme, valid an hour), or read
 * from {@code load.tokens}, one a line (blank lines and {@code #} comments skipped), e.g. a deployment's real tokens.
 */
final class Identities {
  private static final Pattern SUB = Pattern.compile("\"sub\"\\s*:\\s*\"?(\\d+)");
  private static final Source SOURCE = Knobs.TOKENS.isEmpty() ? new Minted() : new FromFile(Path.of(Knobs.TOKENS));

  private Identities() {}

  /**
   * @param poll the poll they vote in
   * @return a feeder of distinct users
   */
  static Iterator<Map<String, Object>> voters(Target.Poll poll) {
    return new Iterator<>() {
      @Override public boolean hasNext() {
        return SOURCE.hasNext();
      }

      @Override public Map<String, Object> next() {
        return record(SOURCE.next(), poll);
      }
    };
  }

  /**
   * @param poll  the poll they vote in
   * @param width the virtual users of one race
   * @return a feeder giving each user {@code width} times in a row: {@code width} users injected at once are one
   *     viewer racing itself
   */
  static Iterator<Map<String, Object>> racers(Target.Poll poll, int width) {
    return new Iterator<>() {
      private Map<String, Object> current;
      private int given = width;

      @Override public synchronized boolean hasNext() {
        return given < width || SOURCE.hasNext();
      }

      @Override public synchronized Map<String, Object> next() {
        if (given >= width) {
          current = record(SOURCE.next(), poll);
          given = 0;
        }
        given++;
        return current;
      }
    };
  }

  private static Map<String, Object> record(Identity id, Target.Poll poll) {
    int option = ThreadLocalRandom.current().nextInt(poll.options());
    return Map.of("user", id.user, "token", id.token, "poll", poll.id(), "option", option);
  }

  /** A user and its bearer token. */
  record Identity(long user, String token) {}

  private interface Source extends Iterator<Identity> {}

  /** Users {@code load.users.from} upwards, each with a fresh dev token. */
  private static final class Minted implements Source {
    private final DevTokens tokens = new DevTokens(Knobs.JWT_SECRET);
    private long next = Knobs.USERS_FROM;

    @Override public synchronized boolean hasNext() {
      return next <= Knobs.USERS_TO;
    }

    @Override public synchronized Identity next() {
      if (next > Knobs.USERS_TO) throw new NoSuchElementException("user range used up: " + Knobs.USERS_FROM + ".." + Knobs.USERS_TO);
      long user = next++;
      return new Identity(user, tokens.voter(user));
    }
  }

  /** The tokens of a file, in order; the user is the token's {@code sub} (read, not verified). */
  private static final class FromFile implements Source {
    private final List<String> lines;
    private int next;

    FromFile(Path file) {
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
      } catch (IOException e) {
        throw new UncheckedIOException("load.tokens: " + file, e);
      }
      if (lines.isEmpty()) throw new IllegalArgumentException("load.tokens: no token in " + file);
    }

    @Override public synchronized boolean hasNext() {
      return next < lines.size();
    }

    @Override public synchronized Identity next() {
      if (next >= lines.size()) throw new NoSuchElementException("load.tokens used up: " + lines.size() + " tokens");
      String token = lines.get(next++);
      return new Identity(sub(token), token);
    }

    private static long sub(String token) {
      String[] parts = token.split("\\.");
      if (parts.length < 2) throw new IllegalArgumentException("load.tokens: not a JWT: " + token);
      String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
      Matcher m = SUB.matcher(payload);
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
  }
}
