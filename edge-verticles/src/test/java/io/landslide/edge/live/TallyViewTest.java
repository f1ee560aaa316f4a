package io.landslide.edge.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.edge.poll.Poll;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TallyViewTest {
  private static final Poll POLL = new Poll(1, "t", List.of("a", "b", "c"), Instant.EPOCH, null, Poll.DEFAULT_DIFFICULTY, Poll.Eligibility.ANYONE, false);

  @Test
  void shouldSumShardsAndIgnoreWhatCannotBe() {
    TallyView v = new TallyView(POLL);
    assertThat(v.merge(0, 0, 5)).isTrue();
    assertThat(v.merge(0, 7, 2)).isTrue();
    assertThat(v.merge(2, 3, 1)).isTrue();
    assertThat(v.merge(9, 0, 100)).as("unknown option").isFalse();
    assertThat(v.merge(-1, 0, 100)).isFalse();
    assertThat(v.counts()).containsExactly(7, 0, 1);
    assertThat(v.toJson().getLong("total")).isEqualTo(8);
  }

  @Test
  void shouldNeverLowerACountWhateverTheOrderOfUpdates() {
    // Every shard's count grows over time; deliver its successive values duplicated, late and shuffled.
    Random rnd = new Random(7);
    List<long[]> updates = new ArrayList<>();
    long[][] finalCounts = new long[3][8];
    for (int option = 0; option < 3; option++) {
      for (int shard = 0; shard < 8; shard++) {
        long c = 0;
        for (int step = 0; step < 20; step++) {
          c += rnd.nextInt(50);
          updates.add(new long[] {option, shard, c});
          if (rnd.nextBoolean()) updates.add(new long[] {option, shard, c}); // duplicate
        }
        finalCounts[option][shard] = c;
      }
    }
    Collections.shuffle(updates, rnd);
    TallyView v = new TallyView(POLL);
    long[] previous = v.counts();
    for (long[] u : updates) {
      v.merge((int) u[0], (int) u[1], u[2]);
      long[] now = v.counts();
      for (int o = 0; o < 3; o++) assertThat(now[o]).as("option %d never goes back", o).isGreaterThanOrEqualTo(previous[o]);
      previous = now;
    }
    for (int o = 0; o < 3; o++) {
      long sum = 0;
      for (long c : finalCounts[o]) sum += c;
      assertThat(v.counts()[o]).isEqualTo(sum);
    }
  }

  @Test
  void shouldMoveItsVersionOnlyOnChangeAndKeepFinal() {
    TallyView v = new TallyView(POLL);
    v.merge(1, 0, 3);
    long version = v.version();
    assertThat(v.merge(1, 0, 3)).isFalse();
    assertThat(v.merge(1, 0, 2)).isFalse();
    assertThat(v.version()).isEqualTo(version);
    assertThat(v.markFinal(false)).isFalse();
    assertThat(v.markFinal(true)).isTrue();
    assertThat(v.markFinal(false)).isFalse();
    assertThat(v.toJson().getBoolean("final")).isTrue();
  }

  @Test
  void shouldLetFramesOutAtMostEvery100Ms() {
    FrameGate gate = new FrameGate();
    List<Long> passed = new ArrayList<>();
    for (long t = 1_000; t < 3_000; t += 7) if (gate.tryPass(t, 100)) passed.add(t); // a change every 7 ms
    assertThat(passed).hasSizeBetween(19, 20);
    for (int i = 1; i < passed.size(); i++) assertThat(passed.get(i) - passed.get(i - 1)).isGreaterThanOrEqualTo(100);
  }

  @Test
  @DisplayName("Frames stretch past 100 ms only when the edge's spectators would exceed its frame budget, and then keep to it")
  void shouldKeepAllSpectatorsTogetherWithinTheFrameBudget() {
    assertThat(FrameGate.intervalMs(1, 20_000)).isEqualTo(100);
    assertThat(FrameGate.intervalMs(2_000, 20_000)).isEqualTo(100); // 10 frames/s each = the budget
    assertThat(FrameGate.intervalMs(2_001, 20_000)).isGreaterThan(100);
    assertThat(FrameGate.intervalMs(20_000, 20_000)).isEqualTo(1_000);
    for (int spectators : new int[] {1, 999, 2_001, 10_000, 33_333, 50_000}) {
      for (int budget : new int[] {10, 7_000, 20_000}) {
        long interval = FrameGate.intervalMs(spectators, budget);
        assertThat(interval).isGreaterThanOrEqualTo(FrameGate.MIN_INTERVAL_MS);
        assertThat(spectators * 1000.0 / interval).as("frames/s to %d spectators, budget %d", spectators, budget).isLessThanOrEqualTo(budget);
      }
    }
    // Driven by a changing tally every 7 ms, 10,000 spectators with a 20,000 frames/s budget get a frame every 500 ms.
    FrameGate gate = new FrameGate();
    int passed = 0;
    for (long t = 0; t < 10_000; t += 7) if (gate.tryPass(t, FrameGate.intervalMs(10_000, 20_000))) passed++;
    assertThat(passed * 10_000 / 10).as("frames/s to all spectators").isLessThanOrEqualTo(20_000);
  }
}
