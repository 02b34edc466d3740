package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldProduceAndConsumeRecords() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, Map.of())) {
      assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
      createTopic(kafka, "plain", 3);

      produce(kafka, "plain", numbered("r", 100));

      List<ConsumerRecord<String, String>> read = consume(kafka, "plain", 100);
      assertThat(values(read)).containsExactlyInAnyOrderElementsOf(numbered("r", 100));
      assertThat(read).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldKeepRecordsAcrossRestart() throws Exception {
    int port;
    String clusterId;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, Map.of())) {
      port = Integer.parseInt(kafka.bootstrapServers().split(":")[1]);
      clusterId = clusterId(kafka);
      createTopic(kafka, "kept", 2);
      produce(kafka, "kept", numbered("before", 20));
    }

    // same port again: a restarted broker must be able to rebind it at once
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, port, Map.of())) {
      assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
      assertThat(clusterId(kafka)).isEqualTo(clusterId);
      produce(kafka, "kept", numbered("after", 5));

      List<ConsumerRecord<String, String>> read = consume(kafka, "kept", 25);
      assertThat(values(read))
          .containsExactlyInAnyOrderElementsOf(
              concat(numbered("before", 20), numbered("after", 5)));
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldRunTransactions() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, Map.of())) {
      createTopic(kafka, "txn", 3);
      Map<String, Object> config =
          Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ProducerConfig.TRANSACTIONAL_ID_CONFIG,
              "embedded-kafka-it");
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
        producer.initTransactions();
        producer.beginTransaction();
        numbered("committed", 10).forEach(v -> producer.send(new ProducerRecord<>("txn", v, v)));
        producer.commitTransaction();
        producer.beginTransaction();
        numbered("aborted", 10).forEach(v -> producer.send(new ProducerRecord<>("txn", v, v)));
        producer.flush();
        producer.abortTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("txn", "last", "last"));
        producer.commitTransaction();
      }

      // consumeAll reads every partition up to its end, so aborted records would show up here
      List<ConsumerRecord<String, String>> read = consume(kafka, "txn", 11);
      assertThat(values(read))
          .containsExactlyInAnyOrderElementsOf(concat(numbered("committed", 10), List.of("last")));
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldRunKafkaStreamsExactlyOnce() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), 0, Map.of())) {
      try (Admin admin = admin(kafka)) {
        KafkaTestSupport.createTopics(admin, Map.of("eos-in", 3, "eos-out", 3), Map.of());
      }
      StreamsBuilder builder = new StreamsBuilder();
      builder.stream("eos-in", Consumed.with(Serdes.String(), Serdes.String()))
          .mapValues(v -> v.toUpperCase(Locale.ROOT))
          .to("eos-out", Produced.with(Serdes.String(), Serdes.String()));
      Properties config = new Properties();
      config.put(StreamsConfig.APPLICATION_ID_CONFIG, "embedded-kafka-eos-it");
      config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      config.put(StreamsConfig.STATE_DIR_CONFIG, dataDir.resolve("streams").toString());
      try (KafkaStreams streams = new KafkaStreams(builder.build(), config)) {
        streams.start();
        produce(kafka, "eos-in", numbered("word", 30));

        List<ConsumerRecord<String, String>> read = consume(kafka, "eos-out", 30);
        assertThat(values(read)).containsExactlyInAnyOrderElementsOf(numbered("WORD", 30));
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldRefuseSecondBrokerOnSameDirectory() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, Map.of())) {
      createTopic(kafka, "shared", 1);

      assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, 0, Map.of()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use");

      produce(kafka, "shared", List.of("still-serving"));
      assertThat(values(consume(kafka, "shared", 1))).containsExactly("still-serving");
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, Map.of())) {
      assertThat(values(consume(kafka, "shared", 1))).containsExactly("still-serving");
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldFailClearlyWhenPortTaken() throws Exception {
    Set<Thread> before = nonDaemonThreads();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, port, Map.of()))
          .isInstanceOf(PortInUseException.class)
          .hasMessage("port " + port + " on 127.0.0.1 is in use (another local stack?)");
    }
    assertThat(newNonDaemonThreads(before)).isEmpty();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldLeaveNoThreadsRunningAfterClose() throws Exception {
    Set<Thread> before = nonDaemonThreads();
    EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, Map.of());
    createTopic(kafka, "threads", 1);
    produce(kafka, "threads", List.of("x"));
    assertThat(newNonDaemonThreads(before)).isNotEmpty();

    kafka.close();
    kafka.close();

    assertThat(newNonDaemonThreads(before)).isEmpty();
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void shouldFailClearlyWhenDataDirectoryUnusable() throws Exception {
    Path file = Files.createFile(dataDir.resolve("not-a-directory"));

    assertThatThrownBy(() -> EmbeddedKafka.start(file, 0, Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void shouldRefuseOverridingListenersAndDirectories() {
    assertThatThrownBy(
            () -> EmbeddedKafka.start(dataDir, 0, Map.of("listeners", "PLAINTEXT://0.0.0.0:9092")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listeners");
    assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, 0, Map.of("log.dirs", "/tmp/elsewhere")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("log.dirs");
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void shouldRunTransactionsOverSaslSslAndRefuseStartingWithoutTlsOnceStartedWithIt()
      throws Exception {
    LocalCertificates certificates =
        LocalCertificates.createOrLoad(dataDir.resolve("tls"), Clock.systemUTC());
    Map<String, String> passwords = Map.of("admin", "admin-secret");
    EmbeddedKafka.Auth tls =
        new EmbeddedKafka.Auth("admin", passwords, Optional.of(certificates.brokerTls()));
    Path dir = dataDir.resolve("kafka");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, Map.of(), Optional.of(tls))) {
      Map<String, Object> client = new HashMap<>(tls.clientProperties("admin"));
      client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (Admin admin = Admin.create(client)) {
        KafkaTestSupport.createTopics(admin, Map.of("tls-txn", 2), Map.of());
      }
      // the commit's markers go from the broker to itself over the SASL_SSL listener
      Map<String, Object> producerConfig = new HashMap<>(client);
      producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-tls-it");
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
        producer.initTransactions();
        producer.beginTransaction();
        numbered("tls", 10).forEach(v -> producer.send(new ProducerRecord<>("tls-txn", v, v)));
        producer.commitTransaction();
      }
      Map<String, Object> consumerConfig = new HashMap<>(client);
      consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
        List<TopicPartition> partitions =
            List.of(new TopicPartition("tls-txn", 0), new TopicPartition("tls-txn", 1));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        List<String> read = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (read.size() < 10 && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(r -> read.add(r.value()));
        }
        assertThat(read).containsExactlyInAnyOrderElementsOf(numbered("tls", 10));
      }
    }

    // without TLS its clients would move to plaintext without a word: refused, before any start
    EmbeddedKafka.Auth plaintext = new EmbeddedKafka.Auth("admin", passwords);
    assertThatThrownBy(() -> EmbeddedKafka.start(dir, 0, Map.of(), Optional.of(plaintext)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was started with TLS: start it with TLS again");
    try (EmbeddedKafka again = EmbeddedKafka.start(dir, 0, Map.of(), Optional.of(tls))) {
      assertThat(again.bootstrapServers()).startsWith("127.0.0.1:");
    }
  }

  private static void createTopic(EmbeddedKafka kafka, String topic, int partitions)
      throws Exception {
    try (Admin admin = admin(kafka)) {
      KafkaTestSupport.createTopics(admin, Map.of(topic, partitions), Map.of());
    }
  }

  private static String clusterId(EmbeddedKafka kafka) throws Exception {
    try (Admin admin = admin(kafka)) {
      return admin.describeCluster().clusterId().get();
    }
  }

  private static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  private static void produce(EmbeddedKafka kafka, String topic, List<String> values)
      throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.ACKS_CONFIG,
            "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      List<Future<RecordMetadata>> sent =
          values.stream()
              .map(value -> producer.send(new ProducerRecord<>(topic, value, value)))
              .collect(Collectors.toList());
      for (Future<RecordMetadata> ack : sent) {
        ack.get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<ConsumerRecord<String, String>> consume(
      EmbeddedKafka kafka, String topic, int expected) {
    return KafkaTestSupport.consumeAll(
        kafka.bootstrapServers(),
        topic,
        new StringDeserializer(),
        new StringDeserializer(),
        expected,
        READ_TIMEOUT);
  }

  private static List<String> values(List<ConsumerRecord<String, String>> records) {
    return records.stream().map(ConsumerRecord::value).collect(Collectors.toList());
  }

  private static List<String> numbered(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).collect(Collectors.toList());
  }

  private static List<String> concat(List<String> first, List<String> second) {
    return Stream.concat(first.stream(), second.stream()).collect(Collectors.toList());
  }

  private static Set<Thread> nonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .collect(Collectors.toSet());
  }

  private static List<String> newNonDaemonThreads(Set<Thread> before) {
    return nonDaemonThreads().stream()
        .filter(t -> !before.contains(t))
        .map(Thread::getName)
        .sorted()
        .collect(Collectors.toList());
  }
}
