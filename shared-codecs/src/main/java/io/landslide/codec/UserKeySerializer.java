package io.landslide.codec;

import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka key of a vote: the user index as 4 bytes, big-endian. Keying by user sends every vote of one
 * user to one partition, so one writer sees all of them and its shard of the tallies stays exact.
 */
public final class UserKeySerializer implements Serializer<Long> {
  @Override
  public byte[] serialize(String topic, Long userId) {
    if (userId == null) return null;
    byte[] b = new byte[4];
    VoteEventDescriptor.putInt(b, 0, (int) userId.longValue());
    return b;
  }
}
