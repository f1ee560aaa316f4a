package io.landslide.runtime;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client properties passed through from the environment to every Kafka client of a process (the edge's
 * producer and admin client, the writer's consumer and admin client), so TLS, SASL/SCRAM and MSK IAM need no code:
 * <ul>
 *   <li>{@value #FILE}: a Java properties file, read first (secrets such as a JAAS config can live in a mounted file);</li>
 *   <li>{@code VOTING_KAFKA_CLIENT_<NAME>}: the property {@code name} with {@code _} read as {@code .}, lower case, e.g.
 *       {@code VOTING_KAFKA_CLIENT_SECURITY_PROTOCOL=SSL} is {@code security.protocol=SSL}; these win over the file.</li>
 * </ul>
 * A client refuses a passed property it sets itself ({@link #merge}): acknowledgements, idempotence, offsets and
 * serialisation are the design's, not settings.
 */
public final class KafkaClientProperties {
  /** The prefix of a passed property's variable. */
  public static final String PREFIX = "VOTING_KAFKA_CLIENT_";
  /** The variable naming a properties file. */
  public static final String FILE = PREFIX + "PROPERTIES";

  private KafkaClientProperties() {
  }

  /**
   * @param env the environment
   * @return the passed properties (empty when none), sorted by name
   * @throws IllegalArgumentException naming {@value #FILE} when the file cannot be read
   */
  public static Map<String, String> fromEnv(Map<String, String> env) {
    Map<String, String> out = new TreeMap<>();
    String file = env.get(FILE);
    if (file != null && !file.isBlank()) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(Path.of(file))) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException(FILE + ": cannot read " + file + ": " + e.getMessage());
      }
      p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    }
    env.forEach((k, v) -> {
      if (k.startsWith(PREFIX) && !k.equals(FILE) && k.length() > PREFIX.length()) {
        out.put(k.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    return out;
  }

  /**
   * @param passed what the environment passes
   * @param own    what the client sets itself (always kept)
   * @return the client's properties: the passed ones, then its own
   * @throws IllegalArgumentException naming the variable when a passed property is one the client sets itself
   */
  public static Map<String, Object> merge(Map<String, String> passed, Map<String, Object> own) {
    for (String k : passed.keySet()) {
      if (own.containsKey(k)) {
        throw new IllegalArgumentException(PREFIX + k.toUpperCase(Locale.ROOT).replace('.', '_') + " (" + k
          + ") is set by Landslide itself and cannot be passed");
      }
    }
    Map<String, Object> out = new HashMap<>(passed);
    out.putAll(own);
    return out;
  }

  /**
   * @param bootstrap the bootstrap servers ({@code VOTING_KAFKA_BOOTSTRAP})
   * @param passed    what the environment passes
   * @param own       what the client sets itself
   * @return the client's properties: the bootstrap servers and its own settings, over the passed ones
   * @throws IllegalArgumentException naming the variable when a passed property is one the client sets itself
   */
  public static Map<String, Object> forClient(String bootstrap, Map<String, String> passed, Map<String, Object> own) {
    Map<String, Object> mine = new HashMap<>(own);
    mine.put("bootstrap.servers", bootstrap);
    return merge(passed, mine);
  }

  /**
   * @param bootstrap the bootstrap servers
   * @param passed    what the environment passes
   * @return an admin client's properties, as strings (the Vert.x admin client takes strings)
   */
  public static Map<String, String> forAdmin(String bootstrap, Map<String, String> passed) {
    Map<String, String> out = new HashMap<>();
    forClient(bootstrap, passed, Map.of()).forEach((key, v) -> out.put(key, String.valueOf(v)));
    return out;
  }
}
