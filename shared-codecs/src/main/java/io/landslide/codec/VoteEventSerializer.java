package io.landslide.codec;

import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer for {@link VoteEvent} values ({@link VoteEventDescriptor}). */
public final class VoteEventSerializer implements Serializer<VoteEvent> {
  @Override
  public byte[] serialize(String topic, VoteEvent data) {
    return data == null ? null : VoteEventDescriptor.encode(data);
  }
}
