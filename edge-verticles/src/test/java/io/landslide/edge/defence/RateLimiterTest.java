package io.landslide.edge.defence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L); // a window boundary (10 s windows)
  private final RateLimiter limiter = new RateLimiter(new RateLimiter.Limit("user", 2, 5), 10_000, 1, now::get);

  private int acquire(String key, int times) {
    int ok = 0;
    for (int i = 0; i < times; i++) if (limiter.tryAcquire(key)) ok++;
    return ok;
  }

  @Test
  void shouldLetABurstThroughThenTheRate() {
    assertThat(acquire("a", 10)).isEqualTo(5);
    now.addAndGet(1_000);
    assertThat(acquire("a", 10)).as("2 tokens a second").isEqualTo(2);
    assertThat(acquire("b", 10)).as("keys are apart").isEqualTo(5);
  }

  @Test
  void shouldCapAKeyAtItsAllowanceAcrossEdgesAndBlockItUntilTheWindowEnds() {
    assertThat(limiter.allowance()).isEqualTo(5 + 2 * 10);
    assertThat(acquire("a", 3)).isEqualTo(3);
    List<RateLimiter.Pending> pushed = limiter.drain();
    assertThat(pushed).containsExactly(new RateLimiter.Pending("a", 100_000, 3));
    assertThat(limiter.drain()).as("nothing new").isEmpty();
    // The other edges took 21 in this window: 24 in all, one short of the allowance.
    assertThat(limiter.applyGlobal(pushed.get(0), 24)).isZero();
    now.addAndGet(5_000); // the bucket is full again, but the window's shared count is not
    assertThat(acquire("a", 10)).isEqualTo(1);
    RateLimiter.Pending last = limiter.drain().get(0);
    assertThat(limiter.applyGlobal(last, 25)).as("blocked until the window ends").isEqualTo(1_000_010_000L);
    now.addAndGet(4_999);
    assertThat(acquire("a", 1)).isZero();
    now.addAndGet(1);
    assertThat(acquire("a", 10)).as("a new window").isEqualTo(5);
  }

  @Test
  void shouldTakeBlocksFromOtherEdgesAndKeepFailedPushesForLater() {
    limiter.block("a", now.get() + 3_000);
    assertThat(acquire("a", 1)).isZero();
    assertThat(limiter.blocked()).isEqualTo(1);
    now.addAndGet(3_000);
    assertThat(acquire("a", 1)).isEqualTo(1);
    RateLimiter.Pending p = limiter.drain().get(0);
    assertThat(limiter.applyGlobal(p, -1)).as("Redis did not answer").isZero();
    assertThat(limiter.drain()).as("pushed again next time").containsExactly(p);
  }

  @Test
  void shouldForgetIdleKeysAndDoNothingWhenOff() {
    acquire("a", 1);
    limiter.drain().forEach(p -> limiter.applyGlobal(p, 1));
    now.addAndGet(20_001);
    limiter.evictIdle();
    assertThat(limiter.size()).isZero();
    RateLimiter off = new RateLimiter(new RateLimiter.Limit("ip", 0, 0), 10_000, 1, now::get);
    for (int i = 0; i < 1_000; i++) assertThat(off.tryAcquire("a")).isTrue();
    assertThat(off.size()).isZero();
  }

  @Test
  void shouldPushOnlyKeysUsedOftenInTheWindow() {
    RateLimiter lazy = new RateLimiter(new RateLimiter.Limit("user", 2, 5), 10_000, 3, now::get);
    assertThat(lazy.tryAcquire("voter")).isTrue();
    assertThat(lazy.tryAcquire("voter")).isTrue();
    assertThat(lazy.drain()).as("a viewer's vote and challenge cost Redis nothing").isEmpty();
    assertThat(lazy.tryAcquire("voter")).isTrue();
    assertThat(lazy.drain()).as("the third time, everything so far").containsExactly(new RateLimiter.Pending("voter", 100_000, 3));
    assertThat(lazy.tryAcquire("voter")).isTrue();
    assertThat(lazy.drain()).as("and every use after").containsExactly(new RateLimiter.Pending("voter", 100_000, 1));
    now.addAndGet(10_000);
    assertThat(lazy.tryAcquire("voter")).isTrue();
    assertThat(lazy.drain()).as("a new window starts from zero").isEmpty();
  }

  @Test
  void shouldReadLimitsFromTheEnvironment() {
    assertThat(RateLimitConfig.limit("user", "V", "5/20")).isEqualTo(new RateLimiter.Limit("user", 5, 20));
    assertThat(RateLimitConfig.limit("user", "V", "0.5/3")).isEqualTo(new RateLimiter.Limit("user", 0.5, 3));
    assertThat(RateLimitConfig.limit("user", "V", "0").off()).isTrue();
    for (String bad : new String[] {"", "5", "5/", "/5", "-1/5", "5/0", "x/y", "5/20/1"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> RateLimitConfig.limit("user", "V", bad)).as(bad)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("V must be");
    }
  }
}
