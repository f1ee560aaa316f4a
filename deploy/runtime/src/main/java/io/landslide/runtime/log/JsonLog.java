package io.landslide.runtime.log;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * Logs as one JSON object per line, for a log pipeline to index without parsing prose:
 * <pre>
 * {"ts":"2026-12-01T20:00:01.234Z","level":"WARN","logger":"VoteHandler","thread":"vert.x-eventloop-thread-1",
 *  "msg":"Kafka refuses votes: ...","poll":42,"requestId":"...","error":"org.apache.kafka...TimeoutException: ..."}
 * </pre>
 * Fields beyond the fixed ones come from SLF4J's key-value pairs ({@code LOG.atWarn().addKeyValue("poll", 42)}), and from
 * the thread's MDC. Every message and value is scrubbed of what looks like a credential (a JWT, a bearer token, a
 * password field) before it is written: the code never logs one, and this is the second line of defence.
 *
 * <p>Levels: {@code VOTING_LOG_LEVEL} (default {@code info}), and per logger prefix from {@code landslide-log.properties}
 * (Kafka's, Netty's and Hazelcast's chatty INFO start at WARN). {@code VOTING_LOG_FORMAT=text} prints the same fields as
 * one readable line instead, for a developer's terminal.
 */
public final class JsonLog implements ILoggerFactory {
  private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}");
  private static final Pattern PASSWORD = Pattern.compile("(?i)(\"?(?:password|secret|token)\"?\\s*[:=]\\s*\"?)[^\"\\s,}]+");

  private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final Level root;
  private final Map<String, Level> prefixes;
  private final boolean text;
  private final PrintStream out;

  JsonLog(Level root, Map<String, Level> prefixes, boolean text, PrintStream out) {
    this.root = root;
    this.prefixes = prefixes;
    this.text = text;
    this.out = out;
  }

  /** @return the factory configured from the environment and {@code landslide-log.properties} */
  static JsonLog fromEnvironment() {
    Properties p = new Properties();
    try (InputStream in = JsonLog.class.getClassLoader().getResourceAsStream("landslide-log.properties")) {
      if (in != null) p.load(in);
    } catch (IOException e) {
      // defaults only
    }
    Map<String, Level> prefixes = new java.util.TreeMap<>(java.util.Comparator.comparingInt(String::length).reversed().thenComparing(s -> s));
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith("level.")) prefixes.put(k.substring("level.".length()), level(p.getProperty(k), Level.INFO));
    }
    String env = System.getenv("VOTING_LOG_LEVEL");
    Level root = level(env != null ? env : p.getProperty("level", "info"), Level.INFO);
    return new JsonLog(root, prefixes, "text".equalsIgnoreCase(System.getenv("VOTING_LOG_FORMAT")), System.err);
  }

  private static Level level(String s, Level otherwise) {
    try {
      return Level.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return otherwise;
    }
  }

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, n -> new JsonLogger(n, levelOf(n)));
  }

  private Level levelOf(String name) {
    for (Map.Entry<String, Level> e : prefixes.entrySet()) if (name.startsWith(e.getKey())) return e.getValue();
    return root;
  }

  /**
   * @param s a message or value
   * @return it, with whatever looks like a credential replaced by {@code [redacted]}
   */
  static String scrub(String s) {
    if (s == null || s.isEmpty()) return s;
    String r = JWT.matcher(s).replaceAll("[redacted]");
    r = BEARER.matcher(r).replaceAll("$1[redacted]");
    return PASSWORD.matcher(r).replaceAll("$1[redacted]");
  }

  /**
   * @return the event as one JSON line (or one text line), without its line break
   */
  String format(Instant ts, Level level, String logger, String thread, String msg, List<KeyValuePair> pairs, Map<String, String> mdc, Throwable t) {
    StringBuilder b = new StringBuilder(160);
    String shortName = logger.substring(logger.lastIndexOf('.') + 1);
    if (text) {
      b.append(ts).append(' ').append(level).append(' ').append(shortName).append(" [").append(thread).append("] ").append(scrub(msg));
      if (pairs != null) for (KeyValuePair kv : pairs) b.append(' ').append(kv.key).append('=').append(scrub(String.valueOf(kv.value)));
      if (mdc != null) mdc.forEach((k, v) -> b.append(' ').append(k).append('=').append(scrub(v)));
      if (t != null) b.append(" error=").append(scrub(t.toString()));
      return b.toString();
    }
    b.append("{\"ts\":\"").append(ts).append("\",\"level\":\"").append(level).append("\",\"logger\":");
    string(b, shortName);
    b.append(",\"thread\":");
    string(b, thread);
    b.append(",\"msg\":");
    string(b, scrub(msg));
    if (pairs != null) {
      for (KeyValuePair kv : pairs) {
        b.append(',');
        string(b, kv.key);
        b.append(':');
        value(b, kv.value);
      }
    }
    if (mdc != null) {
      for (Map.Entry<String, String> e : mdc.entrySet()) {
        b.append(',');
        string(b, e.getKey());
        b.append(':');
        string(b, scrub(e.getValue()));
      }
    }
    if (t != null) {
      b.append(",\"error\":");
      string(b, scrub(t.toString()));
      if (level.toInt() >= Level.ERROR.toInt() || !(t instanceof RuntimeException) && !(t instanceof java.io.IOException)) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        b.append(",\"stack\":");
        string(b, scrub(w.toString()));
      }
    }
    return b.append('}').toString();
  }

  private static void value(StringBuilder b, Object v) {
    if (v instanceof Number || v instanceof Boolean) b.append(v);
    else string(b, scrub(String.valueOf(v)));
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    if (s != null) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (c < 0x20 || c == '\u2028' || c == '\u2029') b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  private void write(String line) {
    synchronized (out) { // one line at a time, whole
      out.println(line);
    }
  }

  /** A logger of this factory. */
  private final class JsonLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private final Level threshold;

    JsonLogger(String name, Level threshold) {
      this.name = name;
      this.threshold = threshold;
    }

    private boolean on(Level l) {
      return l.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
      return on(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return on(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return on(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return on(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return on(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
      emit(level, pattern, args, null, t);
    }

    @Override
    public void log(LoggingEvent e) {
      if (!on(e.getLevel())) return;
      emit(e.getLevel(), e.getMessage(), e.getArgumentArray(), e.getKeyValuePairs(), e.getThrowable());
    }

    private void emit(Level level, String pattern, Object[] args, List<KeyValuePair> pairs, Throwable t) {
      String msg = args == null || args.length == 0 ? pattern : MessageFormatter.basicArrayFormat(pattern, args);
      if (t == null && args != null && args.length > 0 && args[args.length - 1] instanceof Throwable last) t = last;
      Map<String, String> mdc = org.slf4j.MDC.getCopyOfContextMap();
      write(format(Instant.now(), level, name, Thread.currentThread().getName(), msg, pairs, mdc == null || mdc.isEmpty() ? null : mdc, t));
    }
  }
}
