package io.landslide.writer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A batch's tallies counted with no object per vote: the same counts as a map of keys, through growth and reuse. */
class TallyCountsTest {
  @Test
  void shouldCountLikeAMapOfKeys() {
    BatchWriter.TallyCounts counts = new BatchWriter.TallyCounts();
    Random random = new Random(42);
    for (int batch = 0; batch < 3; batch++) {
      counts.clear();
      Map<BatchWriter.TallyKey, Long> expected = new HashMap<>();
      int polls = batch == 0 ? 1 : 40; // one poll, then enough keys to grow the table several times
      for (int i = 0; i < 20_000; i++) {
        int poll = batch == 2 ? Integer.MAX_VALUE - random.nextInt(polls) : 1 + random.nextInt(polls);
        int option = random.nextInt(32);
        int shard = random.nextInt(batch == 2 ? 65_536 : 12);
        counts.add(poll, option, shard);
        expected.merge(new BatchWriter.TallyKey(poll, option, shard), 1L, Long::sum);
      }
      assertThat(counts.toMap()).as("batch " + batch).isEqualTo(expected);
    }
    counts.clear();
    assertThat(counts.toMap()).isEmpty();
  }
}
