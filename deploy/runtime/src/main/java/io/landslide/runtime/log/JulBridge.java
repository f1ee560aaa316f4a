package io.landslide.runtime.log;

import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code java.util.logging} (pgjdbc's, and Hazelcast's before its own logging is set) to SLF4J, so every line a
 * process writes is the same JSON ({@link JsonLog}): installed once, at boot, in place of JUL's console handler.
 */
public final class JulBridge extends Handler {
  private static volatile boolean installed;

  private JulBridge() {
  }

  /** Replaces the root JUL logger's handlers with this bridge (once per process). */
  public static synchronized void install() {
    if (installed) return;
    java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) root.removeHandler(h);
    root.addHandler(new JulBridge());
    root.setLevel(java.util.logging.Level.INFO);
    installed = true;
  }

  @Override
  public void publish(LogRecord r) {
    if (r == null) return;
    Logger log = LoggerFactory.getLogger(r.getLoggerName() == null ? "jul" : r.getLoggerName());
    int level = r.getLevel().intValue();
    String msg = r.getMessage();
    if (r.getParameters() != null && r.getParameters().length > 0 && msg != null) {
      try {
        msg = java.text.MessageFormat.format(msg, r.getParameters());
      } catch (IllegalArgumentException e) {
        // the raw pattern
      }
    }
    Throwable t = r.getThrown();
    if (level >= java.util.logging.Level.SEVERE.intValue()) log.error(msg, t);
    else if (level >= java.util.logging.Level.WARNING.intValue()) log.warn(msg, t);
    else if (level >= java.util.logging.Level.INFO.intValue()) log.info(msg, t);
    else if (level >= java.util.logging.Level.FINE.intValue()) log.debug(msg, t);
    else log.trace(msg, t);
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
  }
}
