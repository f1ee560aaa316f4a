package io.landslide.writer;

import io.landslide.codec.TallyUpdate;
import io.landslide.codec.TallyUpdateDescriptor;
import io.landslide.codec.TallySeal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a writer's commits tell the edges their new shard counts: the clustered event bus, once this process has
 * joined the cluster. The writer consumes and commits from its first second; joining takes longer (Hazelcast
 * discovery), so until the bus is attached the latest absolute count of each (poll, option, shard) is kept and sent
 * on attach. Counts are absolute and merged by max, so keeping only the latest loses nothing; memory is bounded by
 * polls × options × shards.
 */
final class TallyPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(TallyPublisher.class);

  private record Key(int poll, int option, int shard) {
  }

  private volatile EventBus bus;
  private final Map<Key, Long> pending = new LinkedHashMap<>();
  private final TallySeal seal;

  private TallyPublisher(TallySeal seal) {
    this.seal = seal;
  }

  /**
   * @param seal authenticates every update with the cluster key
   * @return a publisher whose bus is not attached yet
   */
  static TallyPublisher detached(TallySeal seal) {
    return new TallyPublisher(seal);
  }

  /**
   * @param updates a commit's absolute shard counts
   */
  void publish(List<TallyUpdate> updates) {
    publish(updates, null, null);
  }

  /**
   * @param updates a commit's absolute shard counts
   * @param polls   the polls of the commit's votes, or null
   * @param oldest  per poll, its oldest vote's accepted time (epoch ms): the edges measure vote-to-screen from it
   */
  void publish(List<TallyUpdate> updates, int[] polls, long[] oldest) {
    EventBus b = bus;
    if (b == null) {
      synchronized (this) {
        if (bus == null) { // the timing is not kept: a commit from before the join is no measure of the screen
          for (TallyUpdate u : updates) pending.merge(new Key(u.poll(), u.option(), u.shard()), u.count(), Math::max);
          return;
        }
        b = bus;
      }
    }
    if (polls != null && polls.length > 0 && updates.size() <= TallyUpdateDescriptor.MAX_ENTRIES && polls.length <= TallyUpdateDescriptor.MAX_ENTRIES) {
      long id = java.util.concurrent.ThreadLocalRandom.current().nextLong();
      b.publish(TallyUpdateDescriptor.ADDRESS, Buffer.buffer(seal.seal(TallyUpdateDescriptor.encode(updates, id, polls, oldest))));
      return;
    }
    send(b, updates);
  }

  /**
   * The cluster is joined: sends what was kept, then publishes directly.
   *
   * @param eventBus the clustered event bus
   */
  void attach(EventBus eventBus) {
    List<TallyUpdate> kept = new ArrayList<>();
    synchronized (this) {
      pending.forEach((k, count) -> kept.add(new TallyUpdate(k.poll(), k.option(), k.shard(), count)));
      pending.clear();
      bus = eventBus;
    }
    if (!kept.isEmpty()) LOG.info("cluster joined: sending {} shard counts committed while joining", kept.size());
    send(eventBus, kept);
  }

  /** @return whether the clustered event bus is attached */
  boolean attached() {
    return bus != null;
  }

  private void send(EventBus b, List<TallyUpdate> all) {
    for (int from = 0; from < all.size(); from += TallyUpdateDescriptor.MAX_ENTRIES) {
      List<TallyUpdate> part = all.subList(from, Math.min(all.size(), from + TallyUpdateDescriptor.MAX_ENTRIES));
      b.publish(TallyUpdateDescriptor.ADDRESS, Buffer.buffer(seal.seal(TallyUpdateDescriptor.encode(part))));
    }
  }
}
