package io.landslide.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads configuration from environment variables (12-factor). A value that does not parse fails at start with an
 * {@link IllegalArgumentException} naming the variable and the value, never a bare {@code NumberFormatException}.
 */
public final class Env {
  private final Map<String, String> env;

  private Env(Map<String, String> env) {
    this.env = env;
  }

  /**
   * @param env the variables (usually {@code System.getenv()})
   * @return a reader over them
   */
  public static Env of(Map<String, String> env) {
    return new Env(env);
  }

  /**
   * @param name the variable
   * @param def  its default
   * @return its value, or the default when unset
   */
  public String string(String name, String def) {
    return env.getOrDefault(name, def);
  }

  /**
   * @param name the variable
   * @return its value, or null when unset
   */
  public String optional(String name) {
    return env.get(name);
  }

  /**
   * @param name the variable
   * @param def  its default
   * @return its value as an int
   * @throws IllegalArgumentException naming the variable when the value is not an integer
   */
  public int intValue(String name, int def) {
    String v = env.get(name);
    if (v == null) return def;
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, not '" + v + "'");
    }
  }

  /**
   * @param name the variable
   * @param def  its default
   * @return its value as a long
   * @throws IllegalArgumentException naming the variable when the value is not an integer
   */
  public long longValue(String name, long def) {
    String v = env.get(name);
    if (v == null) return def;
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, not '" + v + "'");
    }
  }

  /**
   * @param name the variable
   * @return its comma-separated items, stripped, empty ones dropped; empty when unset
   */
  public List<String> list(String name) {
    return Arrays.stream(env.getOrDefault(name, "").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** @return the variables themselves, for a component that reads its own */
  public Map<String, String> asMap() {
    return env;
  }
}
