package io.landslide.runtime.log;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Logs a failing thing once per change of its state, never once per failure: in a storm (Kafka down, every vote's
 * produce failing) the log gets the first failure with what it was, a summary every {@code summaryMs} while it lasts
 * (how many, the last error), and the recovery (how long it lasted, how many in all), instead of a line per vote.
 * Cheap on the good path: {@link #ok()} reads one volatile field unless something was failing.
 *
 * <p>A failure over two {@code summaryMs} after the last one, with no {@link #ok()} in between (a thing with no success to
 * report, like a request's 500), starts a new episode: logged at once again.
 */
public final class StateLog {
  private final Logger log;
  private final String what;
  private final long summaryMs;
  private final LongSupplier clock;
  private volatile boolean failing;
  private long since;
  private long lastFailure;
  private long lastSummary;
  private long total;
  private long sinceSummary;
  private String lastError;

  /**
   * @param log       where the lines go
   * @param what      what fails, as the lines name it ("Kafka produce")
   * @param summaryMs how often a summary is logged while it lasts
   * @param clock     epoch milliseconds
   */
  public StateLog(Logger log, String what, long summaryMs, LongSupplier clock) {
    this.log = log;
    this.what = what;
    this.summaryMs = summaryMs;
    this.clock = clock;
  }

  /**
   * @param log  where the lines go
   * @param what what fails
   * @return a state log with a summary every 10 s
   */
  public static StateLog of(Logger log, String what) {
    return new StateLog(log, what, 10_000, System::currentTimeMillis);
  }

  /**
   * One failure.
   *
   * @param error what it was (logged with the first failure, and the last one of each summary)
   * @param key   a field of the first failure's line (e.g. {@code poll}), or null
   * @param value its value
   */
  public void failed(String error, String key, Object value) {
    failed(error, key, value, null);
  }

  /**
   * One failure, with its exception: its stack goes with the episode's first line only.
   *
   * @param error what it was
   * @param key   a field of the first failure's line, or null
   * @param value its value
   * @param cause the exception, or null
   */
  public void failed(String error, String key, Object value, Throwable cause) {
    failed(error, key, value, null, null, cause);
  }

  /**
   * One failure of a request: the episode's first line names the request too.
   *
   * @param error what it was
   * @param key   a field of the first failure's line (e.g. {@code poll}), or null
   * @param value its value
   * @param key2  a second field (e.g. {@code requestId}), or null
   * @param value2 its value
   */
  public void failed(String error, String key, Object value, String key2, Object value2) {
    failed(error, key, value, key2, value2, null);
  }

  private void failed(String error, String key, Object value, String key2, Object value2, Throwable cause) {
    long now = clock.getAsLong();
    synchronized (this) {
      lastError = error;
      String unreported = "";
      if (failing && now - lastFailure > 2 * summaryMs) { // quiet for two periods since: a new episode
        failing = false;
        if (sinceSummary > 0) unreported = " (" + sinceSummary + " more in the last episode since its last line)";
      }
      lastFailure = now;
      if (!failing) {
        failing = true;
        since = now;
        lastSummary = now;
        total = 1;
        sinceSummary = 0;
        line(Level.WARN, what + " failing: " + error + unreported, key, value, key2, value2, cause);
        return;
      }
      total++;
      sinceSummary++;
      if (now - lastSummary >= summaryMs) {
        line(Level.WARN, what + " still failing: " + sinceSummary + " failures in the last " + (now - lastSummary) / 1000 + " s, " + total
          + " since it started " + (now - since) / 1000 + " s ago; the last: " + lastError, null, null, null, null, null);
        lastSummary = now;
        sinceSummary = 0;
      }
    }
  }

  /** A success: logs the recovery if something was failing. */
  public void ok() {
    if (!failing) return;
    long now = clock.getAsLong();
    synchronized (this) {
      if (!failing) return;
      failing = false;
      line(Level.INFO, what + " recovered after " + (now - since) / 1000 + " s and " + total + " failures", null, null, null, null, null);
    }
  }

  /** @return whether it is failing now (for tests) */
  boolean failing() {
    return failing;
  }

  private void line(Level level, String msg, String key, Object value, String key2, Object value2, Throwable cause) {
    var b = log.atLevel(level).addKeyValue("state", failing ? "failing" : "ok");
    if (key != null) b = b.addKeyValue(key, value);
    if (key2 != null) b = b.addKeyValue(key2, value2);
    if (cause != null) b = b.setCause(cause);
    b.log(msg);
  }
}
