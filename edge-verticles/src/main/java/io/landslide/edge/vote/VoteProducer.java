package io.landslide.edge.vote;

import io.landslide.codec.UserKeySerializer;
import io.landslide.codec.VoteEvent;
import io.landslide.codec.VoteEventSerializer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces accepted votes with {@code acks=all} and an idempotent producer; the returned future completes
 * (on the caller's event loop) only once Kafka acknowledged, or failed for sure.
 *
 * <p>Why the plain Kafka client and not vertx-kafka-client here: vertx-kafka-client hands every
 * {@code send} to a worker thread; the Kafka client's own {@code send} is already asynchronous. It only
 * blocks to wait for topic metadata or for buffer space, so {@code max.block.ms} is 0 (never block the
 * event loop: a full buffer or missing metadata fails the send at once, which the edge answers with 503),
 * and the topic's metadata is fetched before the edge serves and kept warm on a worker thread.
 */
public final class VoteProducer {
  private static final Logger LOG = LoggerFactory.getLogger(VoteProducer.class);

  private final KafkaProducer<Long, VoteEvent> producer;
  private final String topic;

  private VoteProducer(KafkaProducer<Long, VoteEvent> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * @param config where votes go
   * @return a producer (not yet warmed)
   */
  public static VoteProducer create(KafkaConfig config) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5); // fewer, fuller batches: the broker's cost is per request
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, config.deliveryTimeoutMs());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, config.deliveryTimeoutMs() / 2);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "edge-" + ProcessHandle.current().pid());
    // The serialisers are the producer's own too: a passed key.serializer or value.serializer is refused.
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, UserKeySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, VoteEventSerializer.class.getName());
    Map<String, Object> props = config.clientProperties(p);
    props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
    props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
    return new VoteProducer(new KafkaProducer<>(props, new UserKeySerializer(), new VoteEventSerializer()), config.topic());
  }

  /** How often {@link #keepWarm} should run: the topic's metadata never goes stale, so a send never blocks on it. */
  public static final long KEEP_WARM_EVERY_MS = 60_000;

  /**
   * Refreshes the topic's metadata on a worker thread (the job's owner runs it every {@value #KEEP_WARM_EVERY_MS} ms).
   *
   * @param vertx the Vert.x instance
   */
  public void keepWarm(Vertx vertx) {
    vertx.executeBlocking(() -> producer.partitionsFor(topic), false)
      .onFailure(e -> LOG.warn("kafka metadata refresh failed: {}", e.getMessage()));
  }

  /**
   * Fetches the topic's metadata (on a worker thread) until it is there.
   *
   * @param vertx   the Vert.x instance
   * @param timeout how long to try
   * @return succeeds once the producer can send without blocking
   */
  public Future<Void> warm(Vertx vertx, Duration timeout) {
    return vertx.executeBlocking(() -> {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        try {
          producer.partitionsFor(topic);
          return null;
        } catch (RuntimeException e) {
          if (System.nanoTime() > deadline) throw new IllegalStateException("no metadata for topic " + topic + " after " + timeout, e);
          Thread.sleep(100); // on a worker: waiting for the broker to answer a metadata request we triggered
        }
      }
    });
  }

  /**
   * @param vote the vote
   * @return completes on the calling context once Kafka acknowledged; fails when it did not
   */
  public Future<Void> send(VoteEvent vote) {
    Context ctx = Vertx.currentContext();
    Promise<Void> done = Promise.promise();
    try {
      producer.send(new ProducerRecord<>(topic, vote.userId(), vote), (md, err) -> {
        if (ctx == null) complete(done, err);
        else ctx.runOnContext(v -> complete(done, err));
      });
    } catch (RuntimeException e) {
      return Future.failedFuture(new NotSent(e)); // no metadata, buffer full, closed: nothing was sent
    }
    return done.future();
  }

  /**
   * @param failure a failed {@link #send}'s cause
   * @return whether the vote may be in the log all the same: anything but a send refused before it left (a batch that
   *         timed out or failed after it went out may have been appended, e.g. by a leader that died before it answered)
   */
  public static boolean mayHaveBeenWritten(Throwable failure) {
    return !(failure instanceof NotSent);
  }

  /** A send the producer refused at once: nothing left this process. */
  static final class NotSent extends RuntimeException {
    NotSent(RuntimeException cause) {
      super(cause.toString(), cause, false, false);
    }
  }

  private static void complete(Promise<Void> done, Exception err) {
    if (err == null) done.complete();
    else done.fail(err);
  }

  /** Flushes and closes (blocking: call from a worker or at shutdown). */
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
