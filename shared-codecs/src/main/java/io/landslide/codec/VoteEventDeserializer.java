package io.landslide.codec;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for {@link VoteEvent} values. Corrupt bytes throw {@link CorruptEventException}
 * (wrapped by the consumer in a {@code RecordDeserializationException} carrying partition and offset).
 */
public final class VoteEventDeserializer implements Deserializer<VoteEvent> {
  @Override
  public VoteEvent deserialize(String topic, byte[] data) {
    return VoteEventDescriptor.decode(data);
  }
}
