package io.landslide.edge;

import io.landslide.codec.VoteEvent;
import io.landslide.codec.VoteEventDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What the edge produced: the vote events of a poll on a topic, read from its start to its end offsets. */
public final class RecordedVotes {
  private RecordedVotes() {
  }

  /**
   * @param bootstrap  the broker
   * @param topic      the votes topic
   * @param partitions its partitions
   * @param poll       the poll
   * @return every vote event of the poll on the topic
   */
  public static List<VoteEvent> of(String bootstrap, String topic, int partitions, int poll) {
    Map<String, Object> cfg = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < partitions; p++) parts.add(new TopicPartition(topic, p));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      List<VoteEvent> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("topic not read to its end in time");
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          VoteEvent v = VoteEventDescriptor.decode(r.value());
          if (v.pollId() == poll) out.add(v);
        }
      }
      return out;
    }
  }
}
