package io.landslide.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker with a TLS listener: kafka-clients 3.7.1 produce and consume over it; plaintext is refused there. */
class LocalKafkaTlsIT {

  @Test
  void shouldMakeAPkcs12ServerCertificateForLocalhostAndTrustIt(@TempDir Path dir) throws Exception {
    LocalTls tls = LocalTls.create(dir);
    assertThat(tls.password()).matches("[0-9a-f]{24}");
    assertThat(LocalTls.create(dir.resolve("again")).password()).isNotEqualTo(tls.password());

    KeyStore ks = load(tls.keystore(), tls.password());
    X509Certificate cert = (X509Certificate) ks.getCertificate("localhost");
    assertThat(ks.isKeyEntry("localhost")).isTrue();
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    assertThat(cert.getSubjectAlternativeNames()).containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    assertThat(load(tls.truststore(), tls.password()).getCertificate("localhost")).isEqualTo(cert);

    assertThat(tls.clientProperties()).containsEntry("security.protocol", "SSL")
      .containsEntry("ssl.truststore.location", tls.truststore().toString())
      .containsEntry("ssl.truststore.password", tls.password())
      .containsEntry("ssl.truststore.type", "PKCS12")
      .containsEntry("ssl.endpoint.identification.algorithm", "https");
  }

  @Test
  void shouldProduceAndConsumeOverTlsAndRefusePlaintextOnTheTlsPort(@TempDir Path dir) throws Exception {
    LocalTls tls = LocalTls.create(dir.resolve("tls"));
    LocalKafka kafka = LocalKafka.startTls(dir.resolve("kafka"), tls);
    try {
      assertThat(kafka.tlsBootstrap()).startsWith("localhost:").isNotEqualTo(kafka.bootstrap());
      String topic = "tls-" + UUID.randomUUID();
      LocalKafka.ensureTopic(kafka.bootstrap(), topic, 1);

      Map<String, Object> producerProps = new HashMap<>(tls.clientProperties());
      producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.tlsBootstrap());
      producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
      producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
      producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
      producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
        RecordMetadata sent = producer.send(new ProducerRecord<>(topic, "poll-7", "vote over tls")).get(30, TimeUnit.SECONDS);
        assertThat(sent.topic()).isEqualTo(topic);
        assertThat(sent.offset()).isZero();
      }

      Map<String, Object> consumerProps = new HashMap<>(tls.clientProperties());
      consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.tlsBootstrap());
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "tls-it-" + UUID.randomUUID());
      consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      List<ConsumerRecord<String, String>> got = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (got.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(got::add);
        }
      }
      assertThat(got).hasSize(1);
      assertThat(got.get(0).key()).isEqualTo("poll-7");
      assertThat(got.get(0).value()).isEqualTo("vote over tls");

      Map<String, Object> plainProps = new HashMap<>();
      plainProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.tlsBootstrap());
      plainProps.put("security.protocol", "PLAINTEXT");
      plainProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
      try (KafkaProducer<String, String> plain = new KafkaProducer<>(plainProps, new StringSerializer(), new StringSerializer())) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> plain.partitionsFor(topic)).isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        plain.close(Duration.ZERO);
      }
    } finally {
      kafka.stop();
    }
    assertThat(kafka.process().isAlive()).isFalse();
  }

  @Test
  void shouldRequireTheTlsStoresToStartATlsBroker(@TempDir Path dir) {
    assertThatThrownBy(() -> LocalKafka.startTls(dir, null)).isInstanceOf(IllegalArgumentException.class);
  }

  private static KeyStore load(Path store, String password) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, password.toCharArray());
    }
    return ks;
  }
}
