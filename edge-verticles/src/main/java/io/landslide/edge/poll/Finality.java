package io.landslide.edge.poll;

import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.admin.TopicDescription;
import io.vertx.kafka.client.common.TopicPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a poll's results are final: the poll is closed, and the writers have committed everything
 * the votes topic held at that moment (their offsets in PostgreSQL passed the topic's end offsets).
 * Once final, a poll stays final (remembered in memory).
 */
public final class Finality {
  private final KafkaAdminClient admin;
  private final PollStore store;
  private final String topic;
  private final Set<Integer> finalPolls = ConcurrentHashMap.newKeySet();

  /**
   * @param admin the Kafka admin client
   * @param store PostgreSQL
   * @param topic the votes topic
   */
  public Finality(KafkaAdminClient admin, PollStore store, String topic) {
    this.admin = admin;
    this.store = store;
    this.topic = topic;
  }

  /**
   * @param poll the poll
   * @return whether its results are complete and can no longer change
   */
  public Future<Boolean> isFinal(Poll poll) {
    if (poll.status(System.currentTimeMillis()) != Poll.Status.CLOSED) return Future.succeededFuture(false);
    if (finalPolls.contains(poll.id())) return Future.succeededFuture(true);
    return endOffsets().compose(store::writersCaughtUp).map(caughtUp -> {
      if (caughtUp) finalPolls.add(poll.id());
      return caughtUp;
    }).otherwise(false);
  }

  /** @return the votes topic's end offset of every partition now */
  public Future<long[]> endOffsets() {
    return admin.describeTopics(List.of(topic)).compose(d -> {
      TopicDescription td = d.get(topic);
      Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
      for (var p : td.getPartitions()) ask.put(new TopicPartition(topic, p.getPartition()), OffsetSpec.LATEST);
      return admin.listOffsets(ask).map(res -> {
        long[] end = new long[td.getPartitions().size()];
        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : res.entrySet()) end[e.getKey().getPartition()] = e.getValue().getOffset();
        return end;
      });
    });
  }

}
