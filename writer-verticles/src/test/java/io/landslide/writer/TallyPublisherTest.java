package io.landslide.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.TallySeal;
import io.landslide.codec.TallyUpdate;
import io.landslide.codec.TallyUpdateDescriptor;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A writer commits before it has joined the cluster: the latest counts wait, and reach the bus on attach. */
class TallyPublisherTest {
  private static final TallySeal SEAL = TallySeal.fromEnv(java.util.Map.of());

  @Test
  void shouldKeepTheLatestCountsUntilTheBusIsAttached() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      List<TallyUpdate> heard = new CopyOnWriteArrayList<>();
      vertx.eventBus().<Buffer>consumer(TallyUpdateDescriptor.ADDRESS, m -> heard.addAll(TallyUpdateDescriptor.decode(SEAL.open(m.body().getBytes()))))
        .completion().await(10, TimeUnit.SECONDS);
      TallyPublisher p = TallyPublisher.detached(SEAL);
      p.publish(List.of(new TallyUpdate(1, 0, 3, 10), new TallyUpdate(1, 1, 3, 4)));
      p.publish(List.of(new TallyUpdate(1, 0, 3, 12)));
      p.publish(List.of(new TallyUpdate(1, 0, 3, 11))); // a late, lower count never wins
      assertThat(p.attached()).isFalse();
      assertThat(heard).isEmpty();

      p.attach(vertx.eventBus());
      p.publish(List.of(new TallyUpdate(2, 0, 0, 1)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (heard.size() < 3 && System.nanoTime() < deadline) Thread.sleep(10); // polling a condition with a deadline
      assertThat(heard).containsExactlyInAnyOrder(new TallyUpdate(1, 0, 3, 12), new TallyUpdate(1, 1, 3, 4), new TallyUpdate(2, 0, 0, 1));
      assertThat(p.attached()).isTrue();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
