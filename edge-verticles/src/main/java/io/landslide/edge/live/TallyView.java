package io.landslide.edge.live;

import io.landslide.edge.poll.Poll;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/**
 * The merged results of one poll, as an edge shows them. Tallies are sharded by Kafka partition and a shard's
 * count only grows (design invariant 6), so an update is merged by taking the max per (option, shard) and the
 * shards are summed: a late, duplicated or reordered update can never move a count back.
 *
 * <p>Not thread-safe: one instance per event loop.
 */
public final class TallyView {
  private final Poll poll;
  private long[][] shards; // [option][shard]
  private long version;
  private boolean fin;
  private long checkpointSize = -1;
  private String checkpointRoot;

  TallyView(Poll poll) {
    this.poll = poll;
    this.shards = new long[poll.options().size()][0];
  }

  /**
   * Merges one shard's absolute count of an option.
   *
   * @param option the option id
   * @param shard  the shard (Kafka partition)
   * @param count  its absolute count
   * @return whether the view changed
   */
  boolean merge(int option, int shard, long count) {
    if (option < 0 || option >= shards.length || shard < 0 || shard > 65_535) return false;
    long[] s = shards[option];
    if (shard >= s.length) shards[option] = s = Arrays.copyOf(s, shard + 1);
    if (count <= s[shard]) return false;
    s[shard] = count;
    version++;
    return true;
  }

  /**
   * @param value whether the results are final now
   * @return whether that changed the view (final never goes back to false)
   */
  boolean markFinal(boolean value) {
    if (!value || fin) return false;
    fin = true;
    version++;
    return true;
  }

  /**
   * @param size the latest signed checkpoint's size
   * @param root its root, base64
   * @return whether that changed the view (a checkpoint never goes back)
   */
  boolean checkpoint(long size, String root) {
    if (size <= checkpointSize) return false;
    checkpointSize = size;
    checkpointRoot = root;
    version++;
    return true;
  }

  /** @return whether the signed checkpoint covers every vote shown (or the poll has no log) */
  boolean checkpointCurrent() {
    long total = 0;
    for (long c : counts()) total += c;
    return checkpointSize < 0 ? true : checkpointSize >= total;
  }

  /** @return whether the results are final (the poll closed and every accepted vote counted) */
  boolean isFinal() {
    return fin;
  }

  /** @return a counter that moves whenever the view changes */
  long version() {
    return version;
  }

  /** @return the summed count of each option */
  long[] counts() {
    long[] out = new long[shards.length];
    for (int o = 0; o < shards.length; o++) for (long c : shards[o]) out[o] += c;
    return out;
  }

  /** @return the contract's results JSON */
  JsonObject toJson() {
    JsonObject out = poll.results(counts(), fin);
    if (checkpointSize >= 0) out.put("checkpoint", new JsonObject().put("size", checkpointSize).put("root", checkpointRoot));
    return out;
  }
}
