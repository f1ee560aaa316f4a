package io.landslide.writer;

import io.landslide.writer.store.AddressRetention;
import io.landslide.writer.store.BatchWriter;
import io.landslide.writer.store.FencedException;
import io.landslide.writer.store.LogSigner;
import io.landslide.writer.store.OffsetStore;
import io.landslide.writer.store.WriterConnection;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the votes topic and writes it to PostgreSQL in batches, exactly once. A WORKER verticle: the
 * Kafka {@code poll} and JDBC {@code COPY} block, so they never touch an event loop. It runs as a chain of
 * short cycles on its worker context (poll, maybe flush, schedule the next cycle), so it never holds a
 * thread for long and {@code stop()} runs between two cycles.
 *
 * <p>Natural batching: records accumulate while Kafka has more ready; the batch is written when the
 * consumer has nothing more ready, at {@code batchMax} records, or when its oldest record waited
 * {@code batchMaxDelayMs}. Offsets live in PostgreSQL, committed with the rows; on assignment the writer
 * seeks to them, so a crash or a rebalance replays nothing twice.
 */
public final class VoteWriterVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(VoteWriterVerticle.class);
  /** Batches failing (PostgreSQL down): logged once per change of state, not once per retry. */
  private static final io.landslide.runtime.log.StateLog BATCH = io.landslide.runtime.log.StateLog.of(LOG, "batch writes");
  /**
   * This consumer's batches keeping records they cannot count (duplicates, late or corrupt records): logged once per
   * change of state (one per consumer: another consumer's clean batch does not end this one's episode).
   */
  private final io.landslide.runtime.log.StateLog kept = io.landslide.runtime.log.StateLog.of(LOG, "batches keeping uncountable records");
  private static final long RETRY_BACKOFF_MS = 500;
  /** The longest a seal check waits for Kafka's end offsets. */
  static final long END_OFFSETS_TIMEOUT_MS = 2000;

  private final WriterConfig config;
  private final WriterMetrics metrics;
  private final TallyPublisher tallies;
  /** Once per process: the figure behind "a writer consumes within 5 s of its start". */
  private static final java.util.concurrent.atomic.AtomicBoolean FIRST_COMMIT = new java.util.concurrent.atomic.AtomicBoolean();
  private KafkaConsumer<byte[], byte[]> consumer;
  private WriterConnection connection;
  private OffsetStore offsets;
  private BatchWriter writer;
  private LogSigner signer;
  private AddressRetention retention;
  private final List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();
  private final Map<TopicPartition, Long> expected = new HashMap<>();
  private long oldestPendingNanos;
  /** When {@link #lagFromBroker()} last asked (epoch ms). */
  private long lagAskedAt;
  private volatile boolean stopping;

  /** The consumer's default session timeout (ms). */
  static final int SESSION_TIMEOUT_MS = 10_000;

  VoteWriterVerticle(WriterConfig config, WriterMetrics metrics, TallyPublisher tallies) {
    this.config = config;
    this.metrics = metrics;
    this.tallies = tallies;
  }

  @Override
  public Future<?> start() {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchMax());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
    // Let the broker gather a batch worth a transaction (or the batch delay) before it answers a fetch:
    // fewer, fuller fetches and commits at moderate rates, at most batchMaxDelayMs added latency.
    p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 256 * 1024);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) Math.max(1, config.batchMaxDelayMs()));
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "writer-" + ProcessHandle.current().pid());
    // A writer killed without leaving the group holds its partitions until the group coordinator misses it for the
    // session timeout: 10 s rather than the client's 45 s, so the survivors take over within seconds (heartbeats
    // every 3 s). A default only: VOTING_KAFKA_CLIENT_SESSION_TIMEOUT_MS / ..._HEARTBEAT_INTERVAL_MS override it.
    if (!config.kafkaClient().containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)) {
      p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    }
    if (!config.kafkaClient().containsKey(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)) {
      p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
    }
    consumer = new KafkaConsumer<>(config.kafkaClientProperties(p), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    connection = new WriterConnection(config.pg());
    offsets = new OffsetStore(connection, config.group(), config.topic());
    writer = new BatchWriter(connection, offsets);
    retention = new AddressRetention(connection, config.addressRetentionDays());
    signer = new LogSigner(connection, config.log().signer(), config.group(), config.topic(), config.log().checkpointMs(), config.log().sealGraceMs());
    consumer.subscribe(List.of(config.topic()), new Rebalance());
    context.runOnContext(v -> cycle());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    consumer.close(Duration.ofSeconds(5)); // pending records are not committed: the next owner reads them again
    connection.close();
    return Future.succeededFuture();
  }

  private void cycle() {
    if (stopping) return;
    try {
      if (!pending.isEmpty() && pending.size() >= config.batchMax()) {
        flush(); // a retry after a failure, or a full batch: write before reading more
      } else {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pending.isEmpty() ? Duration.ofMillis(config.pollTimeoutMs()) : Duration.ZERO);
        if (pending.isEmpty() && !records.isEmpty()) oldestPendingNanos = System.nanoTime();
        long oldest = 0; // the records come partition by partition: the oldest vote is any of them
        for (ConsumerRecord<byte[], byte[]> r : records) {
          pending.add(r);
          long a = acceptedAt(r);
          if (a > 0 && (oldest == 0 || a < oldest)) oldest = a;
        }
        if (oldest > 0) metrics.holding(oldest);
        lagFromFetchState();
        boolean nothingMoreReady = records.isEmpty();
        boolean tooOld = System.nanoTime() - oldestPendingNanos >= config.batchMaxDelayMs() * 1_000_000L;
        if (!pending.isEmpty() && (nothingMoreReady || pending.size() >= config.batchMax() || tooOld)) flush();
      }
      signer.tick(System.currentTimeMillis(), this::endOffsets);
      if (pending.isEmpty()) retention.tick(System.currentTimeMillis()); // only when idle: a show's votes never wait behind it
      context.runOnContext(v -> cycle());
    } catch (SQLException | RuntimeException e) {
      metrics.failed();
      BATCH.failed(e + " (retried every " + RETRY_BACKOFF_MS + " ms; nothing is lost: the votes stay in Kafka)", "records", pending.size());
      lagFromBroker(); // a full batch failing is retried without polling, which would leave the lag where it was
      vertx.setTimer(RETRY_BACKOFF_MS, t -> context.runOnContext(v -> cycle()));
    }
  }

  /**
   * The lag per partition, log end minus the stored offset (what the writers have committed), from the consumer's own
   * fetch state: its position plus its lag behind the log end it last fetched. No call to the broker.
   */
  private void lagFromFetchState() {
    for (TopicPartition tp : consumer.assignment()) {
      java.util.OptionalLong behind = consumer.currentLag(tp);
      Long stored = expected.get(tp);
      if (behind.isPresent() && stored != null) metrics.lag(tp.partition(), Math.max(0, consumer.position(tp) + behind.getAsLong() - stored));
    }
  }

  /**
   * The lag per partition while batches fail: the consumer does not poll, so its fetch state stands still while the
   * log grows; the log ends are asked of the broker instead ({@link #endOffsets()}, bounded), at most once a second.
   * Kafka not answering either leaves the lag as last seen; the oldest vote's age keeps growing.
   */
  private void lagFromBroker() {
    long now = System.currentTimeMillis();
    if (now - lagAskedAt < 1000) return;
    lagAskedAt = now;
    java.util.Set<TopicPartition> mine = consumer.assignment();
    if (mine.isEmpty()) return;
    long[] end = endOffsets();
    if (end == null) return;
    for (TopicPartition tp : mine) {
      Long stored = expected.get(tp);
      if (stored != null && tp.partition() < end.length) metrics.lag(tp.partition(), Math.max(0, end[tp.partition()] - stored));
    }
  }

  /** @return the accepted time (epoch ms) a vote record carries, 0 when it is not one */
  private static long acceptedAt(ConsumerRecord<byte[], byte[]> r) {
    byte[] v = r.value();
    if (v == null || v.length < io.landslide.codec.VoteEventDescriptor.ACCEPTED_AT_OFFSET + 8) return 0;
    return io.landslide.codec.VoteEventDescriptor.acceptedAt(v);
  }

  private void flush() throws SQLException {
    long start = System.nanoTime();
    try {
      BatchWriter.Result r = writer.write(pending, expected);
      expected.putAll(r.next());
      lagFromFetchState(); // the stored offsets moved: the lag falls now, not at the next poll
      signer.grew(r.logged());
      metrics.committed(r, pending.size(), System.nanoTime() - start);
      BATCH.ok();
      if (FIRST_COMMIT.compareAndSet(false, true)) {
        long sinceStart = System.currentTimeMillis() - ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        LOG.info("first commit {} ms after the process started", sinceStart);
      }
      publish(r);
      if (r.rejected() > 0 || r.corrupt() > 0) { // once per change of state, a summary every 10 s: not a line per batch in a storm
        kept.failed("batch of " + pending.size() + ": " + r.inserted() + " inserted, " + r.rejected() + " kept in vote_rejects, " + r.corrupt()
          + " kept in vote_corrupt", "records", pending.size());
      } else {
        kept.ok();
      }
      pending.clear();
    } catch (FencedException e) {
      metrics.fenced();
      LOG.warn("{}; dropping the batch and seeking to the stored offsets", e.getMessage());
      pending.clear();
      metrics.holdingNone();
      seekToStored(consumer.assignment());
    }
  }

  /** Absolute shard counts to every edge in the cluster (at most once; edges also resynchronise from PostgreSQL). */
  private void publish(BatchWriter.Result r) {
    tallies.publish(r.absolute(), r.polls(), r.oldest());
  }

  /**
   * @return the votes topic's end offsets now, per partition, or null when Kafka does not answer within
   *     {@value #END_OFFSETS_TIMEOUT_MS} ms (blocking: this worker thread, so bounded)
   */
  private long[] endOffsets() {
    Duration timeout = Duration.ofMillis(END_OFFSETS_TIMEOUT_MS);
    List<TopicPartition> all = new ArrayList<>();
    Map<TopicPartition, Long> end;
    try {
      for (var p : consumer.partitionsFor(config.topic(), timeout)) all.add(new TopicPartition(config.topic(), p.partition()));
      end = consumer.endOffsets(all, timeout);
    } catch (org.apache.kafka.common.KafkaException e) { // a timeout among them: no seal this round
      return null;
    }
    long[] out = new long[all.size()];
    end.forEach((tp, o) -> {
      if (tp.partition() < out.length) out[tp.partition()] = o;
    });
    return out;
  }

  private void seekToStored(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) return;
    Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    for (TopicPartition tp : partitions) {
      try {
        long offset = offsets.resumeAt(tp, start.getOrDefault(tp, 0L), end.getOrDefault(tp, Long.MAX_VALUE));
        consumer.seek(tp, offset);
        expected.put(tp, offset);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read the stored offset of " + tp, e);
      }
    }
  }

  /** Runs inside {@code poll}, on this verticle's worker thread. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Uncommitted records of revoked partitions belong to their next owner, which starts from PostgreSQL.
      pending.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
      if (pending.isEmpty()) metrics.holdingNone();
      partitions.forEach(expected::remove);
      partitions.forEach(tp -> metrics.released(tp.partition()));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      seekToStored(partitions);
      LOG.info("assigned {}", partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      onPartitionsRevoked(partitions);
    }
  }
}
