package io.landslide.edge.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the edge last saw of the services it uses, process-wide: Kafka (a vote needs it: without it the edge is not
 * ready), Redis and PostgreSQL (a vote needs neither: without them the edge degrades). One log line per change of
 * state, never per vote or per probe; {@code landslide_dependency_up{dependency}} is 1 or 0.
 */
public final class Dependencies {
  private static final Logger LOG = LoggerFactory.getLogger(Dependencies.class);

  /** A service the edge uses. */
  public enum Dependency {
    /** Votes are produced to it: required. */
    KAFKA("kafka", "votes cannot be made durable: answering 503, not ready"),
    /** The fast duplicate check: without it votes go through unclaimed and PostgreSQL's key is the guard. */
    REDIS("redis", "votes go through unclaimed; PostgreSQL's key guards duplicates"),
    /** Polls, results, accounts: without it cached polls still take votes; new polls, logins and re-reads wait. */
    POSTGRES("postgres", "cached polls still take votes; results and accounts wait");

    private final String label;
    private final String whenDown;

    Dependency(String label, String whenDown) {
      this.label = label;
      this.whenDown = whenDown;
    }

    /** @return its name in health documents and metrics */
    public String label() {
      return label;
    }
  }

  private final Map<Dependency, AtomicInteger> up = new EnumMap<>(Dependency.class);
  private volatile boolean draining;

  /**
   * Every dependency starts up (the edge only starts once Kafka answered and polls were read).
   *
   * @param registry where the gauges go
   */
  public Dependencies(MeterRegistry registry) {
    for (Dependency d : Dependency.values()) {
      AtomicInteger state = new AtomicInteger(1);
      up.put(d, state);
      Gauge.builder("landslide_dependency_up", state, AtomicInteger::get).tag("dependency", d.label())
        .description("1 while the edge reaches the service, 0 while it does not").register(registry);
    }
  }

  /**
   * @param d    the dependency
   * @param isUp whether it answered this time
   */
  public void report(Dependency d, boolean isUp) {
    int was = up.get(d).getAndSet(isUp ? 1 : 0);
    if (was == 1 && !isUp) LOG.warn("{} DOWN: {}", d.label(), d.whenDown);
    else if (was == 0 && isUp) LOG.info("{} UP again", d.label());
  }

  /**
   * @param d the dependency
   * @return whether it answered the last time it was asked
   */
  public boolean isUp(Dependency d) {
    return up.get(d).get() == 1;
  }

  /** @return whether the edge can take votes: Kafka answers, and it is not shutting down */
  public boolean ready() {
    return !draining && isUp(Dependency.KAFKA);
  }

  /** The edge is shutting down: not ready any more, so the load balancer sends no new voters. */
  public void drain() {
    draining = true;
  }

  /** @return whether the edge is shutting down */
  public boolean draining() {
    return draining;
  }

  /** @return whether something the edge can do without is down */
  public boolean degraded() {
    return !isUp(Dependency.REDIS) || !isUp(Dependency.POSTGRES);
  }
}
