package io.landslide.codec;

/**
 * One tally shard's absolute count after a writer's commit: (poll, option, shard) = count. Counts only grow, so a
 * receiver merges updates by max and can take them late, twice or out of order.
 *
 * @param poll   the poll id
 * @param option the option id
 * @param shard  the shard (Kafka partition)
 * @param count  the shard's absolute count
 */
public record TallyUpdate(int poll, int option, int shard, long count) {
}
