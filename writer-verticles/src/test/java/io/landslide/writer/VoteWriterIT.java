package io.landslide.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.landslide.runtime.PgSettings;
import io.landslide.codec.Receipt;
import io.landslide.codec.UserKeySerializer;
import io.landslide.codec.VoteEvent;
import io.landslide.codec.VoteEventSerializer;
import io.landslide.codec.tlog.LogKeys;
import io.landslide.codec.tlog.SignedNote;
import io.landslide.infra.LocalKafka;
import io.landslide.infra.LogAudit;
import io.landslide.infra.Schema;
import io.landslide.infra.TestStack;
import io.landslide.writer.store.BatchWriter;
import io.landslide.writer.store.FencedException;
import io.landslide.writer.store.OffsetStore;
import io.landslide.writer.store.WriterConnection;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The writer on a real broker and a real PostgreSQL: exactly once, exact tallies, nothing dropped. */
class VoteWriterIT {
  private static final int PARTITIONS = 4;
  private final PgSettings pg = TestStack.pg();
  private final String bootstrap = TestStack.kafkaBootstrap();
  private final String topic = "votes-writer-test-" + UUID.randomUUID();
  private final String group = "writer-test-" + UUID.randomUUID();

  VoteWriterIT() {
    LocalKafka.ensureTopic(bootstrap, topic, PARTITIONS);
  }

  private WriterMain startWriter(int batchMax) throws Exception {
    return WriterMain.start(new WriterConfig(bootstrap, topic, group, batchMax, 20, 50, 0, 2, io.landslide.runtime.ClusterSettings.none(), pg)).await(60, TimeUnit.SECONDS);
  }

  private int newPoll(int options) throws SQLException {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement()) {
      StringBuilder opts = new StringBuilder("ARRAY[");
      for (int i = 0; i < options; i++) opts.append(i == 0 ? "" : ",").append("'o").append(i).append("'");
      try (ResultSet rs = s.executeQuery("INSERT INTO polls (title, options) VALUES ('writer test', " + opts + "]) RETURNING id")) {
        rs.next();
        int id = rs.getInt(1);
        s.execute("SELECT landslide_create_vote_partitions(" + id + ", 4)");
        return id;
      }
    }
  }

  private static VoteEvent vote(int poll, long user, int option) {
    return new VoteEvent(poll, user, option, System.currentTimeMillis(), Receipt.random(), new byte[] {127, 0, 0, 1}, 0);
  }

  private void produce(List<VoteEvent> votes) throws Exception {
    try (var p = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
      ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5), new UserKeySerializer(), new VoteEventSerializer())) {
      for (VoteEvent v : votes) p.send(new ProducerRecord<>(topic, v.userId(), v));
      p.flush();
    }
  }

  private void produceRaw(long key, byte[] value) throws Exception {
    try (var p = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
      new UserKeySerializer(), new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
  }

  private long query(String sql) {
    try (Connection c = Schema.connect(pg); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** Waits for a condition, with a deadline; never a bare sleep. */
  private static void await(String what, LongSupplier value, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long v;
    while ((v = value.getAsLong()) != expected) {
      if (System.nanoTime() > deadline) throw new AssertionError(what + ": " + v + ", expected " + expected);
      Thread.sleep(50);
    }
  }

  private long votes(int poll) {
    return query("SELECT count(*) FROM votes WHERE poll_id = " + poll);
  }

  private long tallied(int poll) {
    return query("SELECT coalesce(sum(count), 0) FROM tallies WHERE poll_id = " + poll);
  }

  private long rejects(int poll, String reason) {
    return query("SELECT count(*) FROM vote_rejects WHERE poll_id = " + poll + " AND reason = '" + reason + "'");
  }

  @Test
  @DisplayName("PostgreSQL's connections cut mid-stream (a restart, as the writer sees it): the writer reconnects and writes every vote once")
  void shouldReconnectWhenPostgresDropsItsConnection() throws Exception {
    int poll = newPoll(2);
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try (io.landslide.infra.TcpProxy proxy = io.landslide.infra.TcpProxy.start(vertx, pg.host(), pg.port())) {
      PgSettings viaProxy = new PgSettings(pg.host(), proxy.port(), pg.database(), pg.user(), pg.password());
      WriterMain w = WriterMain.start(new WriterConfig(bootstrap, topic, group, 500, 20, 50, 0, 2,
        io.landslide.runtime.ClusterSettings.none(), viaProxy)).await(60, TimeUnit.SECONDS);
      try {
        List<VoteEvent> first = new ArrayList<>();
        for (long u = 1; u <= 2_000; u++) first.add(vote(poll, u, (int) (u % 2)));
        produce(first);
        await("rows before the cut", () -> votes(poll), 2_000);
        proxy.cut();
        // Accepted a second apart, the first produced the newest: the oldest vote held is any of a poll's records.
        long base = System.currentTimeMillis();
        List<VoteEvent> second = new ArrayList<>();
        for (long u = 2_001; u <= 4_000; u++) {
          second.add(new VoteEvent(poll, u, (int) (u % 2), base - (u - 2_001) * 1000, Receipt.random(), new byte[] {127, 0, 0, 1}, 0));
        }
        produce(second);
        // While every batch fails (a full one is retried without polling), the lag still follows the log: log end
        // minus the stored offsets, all 2,000 records; and the oldest vote held is older than the first polled.
        await("the writers' lag while PostgreSQL is away", () -> Math.round(metric(w, "landslide_writer_lag_records")), 2_000);
        assertThat(metric(w, "landslide_writer_oldest_vote_age_seconds")).as("the oldest vote held, of the 500 polled").isGreaterThan(300);
        proxy.mend();
        await("rows after the server came back", () -> votes(poll), 4_000);
        await("the lag once written", () -> Math.round(metric(w, "landslide_writer_lag_records")), 0);
        assertThat(tallied(poll)).isEqualTo(4_000);
        assertThat(rejects(poll, BatchWriter.DUPLICATE)).isZero();
      } finally {
        w.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** @return the sum of a metric's samples (every label) on the writer's ops port */
  private static double metric(WriterMain w, String name) {
    try {
      var http = java.net.http.HttpClient.newHttpClient();
      String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + w.opsPort() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      double sum = 0;
      for (String line : body.split("\n")) {
        if (line.startsWith(name + " ") || line.startsWith(name + "{")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
      return sum;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private LogAudit.Summary audit(int poll) throws SQLException {
    try (Connection c = Schema.connect(pg)) {
      return LogAudit.check(c, poll, SignedNote.Verifier.parse(LogKeys.DEV_VERIFIER));
    }
  }

  @Test
  @DisplayName("The vote log: every counted vote once, in the batch's transaction; checkpoints signed and prefixes of it; duplicates not logged; a sealed poll's late votes kept out")
  void shouldAppendEveryCountedVoteToItsPollsLog() throws Exception {
    int poll = newPoll(3);
    int other = newPoll(2);
    List<VoteEvent> votes = new ArrayList<>();
    for (long u = 1; u <= 3_000; u++) votes.add(vote(poll, u, (int) (u % 3)));
    for (long u = 1; u <= 700; u++) votes.add(vote(other, u, (int) (u % 2)));
    votes.add(vote(poll, 17, 2)); // a duplicate: the staging path, not logged
    produce(votes);
    WriterMain w = startWriter(400);
    try {
      await("rows", () -> votes(poll) + votes(other), 3_700);
      await("rejects", () -> rejects(poll, BatchWriter.DUPLICATE), 1);
      await("the head signed", () -> query("SELECT coalesce(max(size), 0) FROM log_checkpoints WHERE poll_id = " + poll), 3_000);
      LogAudit.Summary s = audit(poll);
      assertThat(s.size()).isEqualTo(3_000);
      assertThat(s.checkpoints()).isNotEmpty().last().isEqualTo(3_000L);
      assertThat(s.result()).as("open: no result yet").isNull();
      assertThat(audit(other).size()).isEqualTo(700);
      assertThat(query("SELECT count(*) FROM log_nodes WHERE poll_id = " + poll + " AND height = 8")).isEqualTo(3_000 / 256);

      try (Connection c = Schema.connect(pg); Statement st = c.createStatement()) {
        st.execute("UPDATE polls SET closes_at = now() - interval '1 minute' WHERE id = " + poll);
      }
      await("the result signed", () -> query("SELECT count(*) FROM log_results WHERE poll_id = " + poll), 1);
      String result = audit(poll).result();
      assertThat(result).contains("\nresult\n0 1000\n1 1000\n2 1000\n");
      // Accepted before the closing time, but reaching the writer after the seal (an edge's long retry): poll_sealed.
      long beforeClose = System.currentTimeMillis() - 120_000;
      produce(List.of(new VoteEvent(poll, 50_000, 1, beforeClose, Receipt.random(), new byte[] {127, 0, 0, 1}, 0)));
      await("the late vote kept apart", () -> rejects(poll, BatchWriter.SEALED), 1);
      // Accepted after the closing time: poll_closed, sealed or not.
      produce(List.of(vote(poll, 50_001, 1)));
      await("the vote after the close kept apart", () -> rejects(poll, BatchWriter.CLOSED), 1);
      assertThat(votes(poll)).isEqualTo(3_000);
      assertThat(tallied(poll)).isEqualTo(3_000);
      assertThat(audit(poll).size()).isEqualTo(3_000);
    } finally {
      w.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("Retention: a closed poll's voter networks are dropped after VOTING_ADDRESS_RETENTION_DAYS, once; its counts, receipts and log unchanged")
  void shouldDropVotersNetworksAfterTheRetention() throws Exception {
    // A backlog of closed polls older than this one, more than the retention looks at in one run: it must work
    // through them, not stop at a page a minute (the test database also keeps earlier runs' polls).
    for (int i = 0; i < 25; i++) {
      int old = newPoll(2);
      try (Connection c = Schema.connect(pg); Statement st = c.createStatement()) {
        st.execute("UPDATE polls SET closes_at = now() - interval '2 minutes' WHERE id = " + old);
      }
    }
    int poll = newPoll(2);
    List<VoteEvent> votes = new ArrayList<>();
    for (long u = 1; u <= 300; u++) votes.add(vote(poll, u, (int) (u % 2)));
    produce(votes);
    WriterMain first = startWriter(100);
    try {
      await("rows", () -> votes(poll), 300);
      await("signed", () -> query("SELECT coalesce(max(size), 0) FROM log_checkpoints WHERE poll_id = " + poll), 300);
    } finally {
      first.close().await(30, TimeUnit.SECONDS);
    }
    assertThat(query("SELECT count(*) FROM votes WHERE poll_id = " + poll + " AND client_addr IS NOT NULL")).isEqualTo(300);
    String receipts = String.valueOf(query("SELECT sum(hashtext(receipt::text)) FROM votes WHERE poll_id = " + poll));
    try (Connection c = Schema.connect(pg); Statement st = c.createStatement()) {
      st.execute("UPDATE polls SET closes_at = now() - interval '1 minute' WHERE id = " + poll);
    }
    WriterMain second = WriterMain.start(new WriterConfig(bootstrap, topic, group, 100, 20, 50, 0, 1, io.landslide.runtime.ClusterSettings.none(), pg)
      .withAddressRetentionDays(0)).await(60, TimeUnit.SECONDS);
    try {
      await("networks dropped", () -> query("SELECT count(*) FROM votes WHERE poll_id = " + poll + " AND client_addr IS NOT NULL"), 0);
      await("recorded once", () -> query("SELECT count(*) FROM poll_retention WHERE poll_id = " + poll), 1);
      assertThat(votes(poll)).isEqualTo(300);
      assertThat(tallied(poll)).isEqualTo(300);
      assertThat(String.valueOf(query("SELECT sum(hashtext(receipt::text)) FROM votes WHERE poll_id = " + poll))).isEqualTo(receipts);
      assertThat(audit(poll).size()).as("the log unchanged, and still every vote's").isEqualTo(300);
    } finally {
      second.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("The close is authoritative: a vote accepted at or after its poll's closing time is kept in vote_rejects (poll_closed), never counted or logged; one accepted before it is counted")
  void shouldNeverCountAVoteAcceptedAfterTheClose() throws Exception {
    int poll = newPoll(2);
    // The closing time half a minute ahead: the votes are judged by their accepted time, and the poll cannot be
    // sealed (its closing time plus the grace) before they reach the writer, which would keep them all apart.
    long closesAt = System.currentTimeMillis() + 30_000;
    try (Connection c = Schema.connect(pg); Statement st = c.createStatement()) {
      st.execute("UPDATE polls SET closes_at = to_timestamp(" + closesAt + " / 1000.0) WHERE id = " + poll);
    }
    WriterMain w = startWriter(100);
    try {
      // One batch with both: the late one must not ride along with the good one.
      produce(List.of(new VoteEvent(poll, 1, 0, closesAt - 1, Receipt.random(), new byte[] {127, 0, 0, 1}, 0),
        new VoteEvent(poll, 2, 1, closesAt, Receipt.random(), new byte[] {127, 0, 0, 1}, 0),
        new VoteEvent(poll, 3, 1, closesAt + 30_000, Receipt.random(), new byte[] {127, 0, 0, 1}, 0)));
      await("the late votes kept apart", () -> rejects(poll, BatchWriter.CLOSED), 2);
      await("the vote before the close counted", () -> votes(poll), 1);
      assertThat(query("SELECT count(*) FROM votes WHERE poll_id = " + poll + " AND user_id = 1")).isEqualTo(1);
      assertThat(tallied(poll)).isEqualTo(1);
      // A batch of late votes alone takes the same path.
      produce(List.of(new VoteEvent(poll, 4, 0, closesAt + 1_000, Receipt.random(), new byte[] {127, 0, 0, 1}, 0)));
      await("a later late vote kept apart", () -> rejects(poll, BatchWriter.CLOSED), 3);
      assertThat(votes(poll)).isEqualTo(1);
      assertThat(tallied(poll)).isEqualTo(1);
      await("the log holds the counted vote only", () -> query("SELECT size FROM vote_log WHERE poll_id = " + poll), 1);
    } finally {
      w.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("A well-formed record no poll can count (an option over 31, a time out of range) is kept in vote_corrupt; the partition goes on")
  void shouldKeepOutOfRangeRecordsAndGoOn() throws Exception {
    int poll = newPoll(2);
    WriterMain w = startWriter(100);
    try {
      produce(List.of(vote(poll, 1, 40), new VoteEvent(poll, 2, 0, -5, Receipt.random(), new byte[0], 0)));
      produce(List.of(vote(poll, 3, 1)));
      await("the good vote", () -> votes(poll), 1);
      assertThat(query("SELECT count(*) FROM vote_corrupt WHERE topic = '" + topic + "' AND error LIKE 'option out of range%' AND payload IS NOT NULL")).isEqualTo(1);
      assertThat(query("SELECT count(*) FROM vote_corrupt WHERE topic = '" + topic + "' AND error LIKE 'acceptedAt out of range%'")).isEqualTo(1);
      assertThat(tallied(poll)).isEqualTo(1);
    } finally {
      w.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("Every vote written once; tallies exact and sharded by partition; offsets stored with the rows")
  void shouldWriteEveryVoteOnceWithTalliesAndOffsets() throws Exception {
    int poll = newPoll(3);
    List<VoteEvent> votes = new ArrayList<>();
    Map<Integer, Long> perOption = new HashMap<>();
    for (long u = 1; u <= 20_000; u++) {
      int option = (int) (u * 7 % 3);
      votes.add(vote(poll, u * 101, option));
      perOption.merge(option, 1L, Long::sum);
    }
    produce(votes);
    WriterMain w = startWriter(1000);
    try {
      await("rows", () -> votes(poll), 20_000);
      assertThat(tallied(poll)).isEqualTo(20_000);
      for (var e : perOption.entrySet()) {
        assertThat(query("SELECT sum(count) FROM tallies WHERE poll_id = " + poll + " AND option_id = " + e.getKey())).isEqualTo(e.getValue());
      }
      assertThat(query("SELECT count(*) FROM (SELECT kafka_partition, count(*) c FROM votes WHERE poll_id = " + poll
        + " GROUP BY 1) v JOIN (SELECT shard, sum(count) c FROM tallies WHERE poll_id = " + poll + " GROUP BY 1) t"
        + " ON t.shard = v.kafka_partition AND t.c = v.c")).as("each shard counts its partition's rows").isEqualTo(PARTITIONS);
      await("stored offsets", () -> query("SELECT coalesce(sum(next_offset), 0) FROM kafka_offsets WHERE group_id = '" + group + "'"), 20_000);
      assertThat(rejects(poll, BatchWriter.DUPLICATE)).isZero();
    } finally {
      w.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("A duplicate that reaches the writer is kept in vote_rejects and counted once; the first vote wins")
  void shouldKeepDuplicatesInTheAuditTableAndCountOnce() throws Exception {
    int poll = newPoll(2);
    WriterMain w = startWriter(500);
    try {
      List<VoteEvent> batch = new ArrayList<>();
      for (long u = 1; u <= 300; u++) batch.add(vote(poll, u, 0));
      batch.add(vote(poll, 5, 1)); // same batch
      produce(batch);
      await("rows", () -> votes(poll), 300);
      produce(List.of(vote(poll, 7, 1))); // a later batch
      await("rejects", () -> rejects(poll, BatchWriter.DUPLICATE), 2);
      assertThat(votes(poll)).isEqualTo(300);
      assertThat(tallied(poll)).isEqualTo(300);
      assertThat(query("SELECT count(*) FROM votes WHERE poll_id = " + poll + " AND option_id = 1")).as("first vote wins").isZero();
      produce(List.of(vote(poll, 1000, 1)));
      await("rows after the duplicates", () -> votes(poll), 301);
      assertThat(tallied(poll)).isEqualTo(301);
    } finally {
      w.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("A restarted writer resumes at the offsets stored in PostgreSQL: nothing is replayed twice")
  void shouldResumeAtStoredOffsets() throws Exception {
    int poll = newPoll(2);
    List<VoteEvent> first = new ArrayList<>();
    for (long u = 1; u <= 5000; u++) first.add(vote(poll, u, (int) (u % 2)));
    produce(first);
    WriterMain a = startWriter(700);
    await("rows", () -> votes(poll), 5000);
    a.close().await(30, TimeUnit.SECONDS);

    // The writer never commits offsets to Kafka: a writer that did not seek to PostgreSQL's would start at 0.
    WriterMain b = startWriter(700);
    try {
      List<VoteEvent> more = new ArrayList<>();
      for (long u = 5001; u <= 6000; u++) more.add(vote(poll, u, 0));
      produce(more);
      await("rows", () -> votes(poll), 6000);
      assertThat(query("SELECT count(*) FROM vote_rejects WHERE poll_id = " + poll)).isZero();
      assertThat(tallied(poll)).isEqualTo(6000);
    } finally {
      b.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("The log's entries, derived from the votes, are the receipts' entries from events of either version, and a forged commitment in an event changes nothing")
  void shouldLogTheSameEntryFromEitherVersionOfTheEvent() throws Exception {
    int poll = newPoll(3);
    List<VoteEvent> v1 = new ArrayList<>();
    List<VoteEvent> all = new ArrayList<>();
    for (long u = 1; u <= 300; u++) {
      VoteEvent v = vote(poll, u, (int) (u % 3));
      all.add(v);
      if (u == 150) { // an event of version 2 whose commitment is not its receipt's (a faulty edge): the writer computes its own
        byte[] forged = io.landslide.codec.VoteEventDescriptor.encodeVersion2(v);
        forged[io.landslide.codec.VoteEventDescriptor.COMMITMENT_OFFSET] ^= 0x01;
        produceRaw(u, forged);
      } else if (u % 2 == 0) produceRaw(u, io.landslide.codec.VoteEventDescriptor.encodeVersion2(v)); // the release before's
      else v1.add(v); // what edges write
    }
    produce(v1);
    WriterMain w = startWriter(64);
    try {
      await("rows", () -> votes(poll), 300);
      await("the log", () -> query("SELECT coalesce(size, 0) FROM vote_log WHERE poll_id = " + poll), 300);
      java.util.Set<String> expected = new java.util.HashSet<>();
      var sha = io.landslide.codec.tlog.TreeHash.sha256();
      var hex = java.util.HexFormat.of();
      for (VoteEvent v : all) {
        expected.add(hex.formatHex(new io.landslide.codec.tlog.VoteEntry(poll, v.option(),
          io.landslide.codec.tlog.VoteEntry.commitment(sha, poll, v.receipt())).bytes()));
      }
      java.util.Set<String> logged = new java.util.HashSet<>();
      try (Connection c = Schema.connect(pg); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT entries FROM landslide_log_entries(" + poll + ", 0, " + Long.MAX_VALUE + ")")) {
        while (rs.next()) {
          byte[] b = rs.getBytes(1);
          for (int at = 0; at < b.length; at += io.landslide.codec.tlog.VoteEntry.SIZE) {
            logged.add(hex.formatHex(b, at, at + io.landslide.codec.tlog.VoteEntry.SIZE));
          }
        }
      }
      assertThat(logged).hasSize(300).isEqualTo(expected);
      assertThat(audit(poll).size()).isEqualTo(300);
    } finally {
      w.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("Corrupt records and votes for unknown polls are kept, never dropped, and do not block the partition")
  void shouldKeepCorruptRecordsAndUnknownPolls() throws Exception {
    int poll = newPoll(2);
    int unknown = (int) query("SELECT nextval(pg_get_serial_sequence('polls', 'id'))"); // an id no poll will ever have
    WriterMain w = startWriter(100);
    try {
      produceRaw(1, new byte[] {1, 2, 3});
      produce(List.of(vote(poll, 1, 0), vote(unknown, 2, 0), vote(poll, 3, 1)));
      await("rows", () -> votes(poll), 2);
      await("unknown poll kept", () -> query("SELECT count(*) FROM vote_rejects WHERE poll_id = " + unknown
        + " AND reason = '" + BatchWriter.UNKNOWN_POLL + "'"), 1);
      assertThat(query("SELECT count(*) FROM vote_corrupt WHERE payload = '\\x010203'::bytea")).isGreaterThanOrEqualTo(1);
      assertThat(tallied(poll)).isEqualTo(2);
      assertThat(query("SELECT coalesce(sum(count), 0) FROM tallies WHERE poll_id = " + unknown)).isZero();
    } finally {
      w.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("A writer whose offset moved under it (a zombie) writes nothing")
  void shouldFenceAWriterThatLostItsPartition() throws Exception {
    int poll = newPoll(2);
    String g = "fence-" + UUID.randomUUID();
    try (WriterConnection conn = new WriterConnection(pg)) {
      OffsetStore offsets = new OffsetStore(conn, g, topic);
      BatchWriter bw = new BatchWriter(conn, offsets);
      assertThat(offsets.storedOffset(0, 0)).isZero();
      var rec = new ConsumerRecord<byte[], byte[]>(topic, 0, 0, null, io.landslide.codec.VoteEventDescriptor.encode(vote(poll, 9, 1)));
      TopicPartition tp = new TopicPartition(topic, 0);
      assertThatThrownBy(() -> bw.write(List.of(rec), Map.of(tp, 5L))).isInstanceOf(FencedException.class);
      assertThat(votes(poll)).isZero();
      assertThat(tallied(poll)).isZero();
      assertThat(offsets.storedOffset(0, 0)).isZero();
      assertThat(bw.write(List.of(rec), Map.of(tp, 0L)).inserted()).isEqualTo(1);
      assertThat(offsets.storedOffset(0, 0)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("Invariant 7: the blocking batch write refuses to run on an event loop")
  void shouldRefuseToBlockAnEventLoop() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (WriterConnection conn = new WriterConnection(pg)) {
      BatchWriter bw = new BatchWriter(conn, new OffsetStore(conn, "el-" + UUID.randomUUID(), topic));
      Throwable failure = vertx.getOrCreateContext().<Void>executeBlocking(() -> null)
        .compose(v -> {
          try {
            bw.write(List.of(), Map.of());
            return io.vertx.core.Future.<Void>succeededFuture();
          } catch (Exception | Error e) {
            return io.vertx.core.Future.<Void>failedFuture(e);
          }
        }).transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("event loop");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
