package io.landslide.writer.store;

import org.apache.kafka.common.TopicPartition;

/**
 * A partition's stored offset moved under this writer: another writer owns it now (this one is a zombie
 * after a rebalance). The batch that found it was rolled back whole; the writer drops it and seeks again.
 */
public final class FencedException extends Exception {
  FencedException(TopicPartition tp) {
    super("offset of " + tp + " (or another partition of the batch) moved: another writer owns it");
  }
}
