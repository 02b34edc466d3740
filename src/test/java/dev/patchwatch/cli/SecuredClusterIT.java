package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.EmbeddedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.runtime.AccessPolicy;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Completion;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One embedded broker with SCRAM users and {@code allow.everyone.if.no.acl.found=false}, the ACLs
 * of {@link AccessPolicy} and nothing more: the topology runs as the application, scanners and
 * readers are held to their roles, and the command line fails fast and on one line when refused.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SecuredClusterIT {

  private static final String PREFIX = "secured";
  private static final Map<String, String> PASSWORDS =
      Map.of(
          "admin", "admin-secret",
          "patchwatch", "app-secret",
          "scanner", "scanner-secret",
          "reader", "reader-secret");
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir static Path dir;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startSecuredBroker() {
    kafka =
        EmbeddedKafka.start(
            dir.resolve("kafka"),
            0,
            Map.of(),
            Optional.of(new EmbeddedKafka.Auth("admin", PASSWORDS)));
    try (Admin admin = cluster("admin").admin()) {
      AclsCommand.apply(
          admin,
          AccessPolicy.bindings(
              PREFIX,
              PREFIX,
              new AccessPolicy.Roles("User:patchwatch", "User:scanner", "User:reader")));
    }
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static Cluster cluster(String user) {
    return new Cluster(
        kafka.bootstrapServers(), EmbeddedKafka.clientProperties(user, PASSWORDS.get(user)));
  }

  private static Map<String, Object> client(String user) {
    Map<String, Object> config = cluster(user).clientConfig();
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    return config;
  }

  @Test
  void shouldRunTheTopologyAsTheApplicationWithExactlyTheReferenceFinals() throws Exception {
    int partitions = 3;
    TopologySettings settings =
        TopologySettings.defaults(partitions)
            .withTopicPrefix(PREFIX)
            .withApplicationId(PREFIX)
            .withIdleTimeout(Duration.ZERO);
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    // today's dates: this month, closed by a watermark on the eve of the fixed clock
    List<ScanEvent> events =
        RandomEvents.generate(
            1201,
            RandomEvents.Options.defaults()
                .withStart(Instant.parse("2026-11-10T00:00:00Z"))
                .withHosts(200)
                .withDays(3));
    long end = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();

    // the application provisions its own topics: CREATE on them is part of its ACLs
    Pipeline.Builder builder =
        Pipeline.on(cluster("patchwatch"), registry, settings)
            .stateDir(dir.resolve("state"))
            .overrides(Map.of("commit.interval.ms", "100"));
    try (Pipeline pipeline = builder.start()) {
      Topics topics = pipeline.topics();
      try (ScanPublisher publisher =
          ScanPublisher.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .properties(EmbeddedKafka.clientProperties("scanner", PASSWORDS.get("scanner")))
              .registry(registry)
              .topicPrefix(PREFIX)
              .clock(CLOCK)
              .build()) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
          sent.add(publisher.publish(events.get(i)));
          if (i % 100 == 50) {
            // raw garbage straight to the scans topic, in the middle of the stream
            garbage(i);
          }
        }
        sent.add(publisher.watermark(Instant.ofEpochMilli(end)));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
      }
      while (Completion.reached(pipeline.streams(), partitions, end) < partitions * partitions) {
        assertThat(pipeline.failure()).isEmpty();
        Thread.sleep(100);
      }
      // every final is published, but the last ones are committed only at the next commit or on
      // close, and the reader reads committed records only
      pipeline.close();

      List<RemediationCount> finals = new ArrayList<>();
      for (Granularity g : Granularity.values()) {
        TopicReader.readAll(
            kafka.bootstrapServers(),
            new HashMap<>(client("reader")),
            topics.finals(g),
            r -> finals.add(r.value()));
      }
      finals.sort(ReferenceModel.OUTPUT_ORDER);
      assertThat(finals).isNotEmpty();
      // exactly_once_v2: the application's transactions ran under its prefixed transactional ids
      try (Admin admin = cluster("admin").admin()) {
        assertThat(admin.listTransactions().all().get())
            .extracting(t -> t.transactionalId())
            .isNotEmpty()
            .allMatch(id -> id.startsWith(PREFIX + "-"));
      }
      FinalsAssert.assertSameFinals(finals, ReferenceModel.compute(events, partitions).finals());
      List<Rejected> rejected = new ArrayList<>();
      TopicReader.readAll(
          kafka.bootstrapServers(),
          new HashMap<>(client("admin")),
          topics.rejected(),
          r -> rejected.add(r.value()));
      assertThat(garbageSent).isPositive();
      assertThat(rejected)
          .filteredOn(r -> r.getReason() == RejectReason.UNDECODABLE)
          .hasSize(garbageSent);
      System.out.printf(
          "under ACLs: %d events, %d garbage records rejected UNDECODABLE, %d finals exact%n",
          events.size(), garbageSent, finals.size());
    }
  }

  @Test
  void shouldKeepTheScannerFromWritingAggregatesAndFromReadingScans() {
    assertWriteRefused("scanner", PREFIX + ".counts.daily");
    assertWriteRefused("scanner", PREFIX + ".counts.live");
    assertWriteRefused("scanner", PREFIX + "-progress");
    assertReadRefused("scanner", PREFIX + ".scans");
    assertReadRefused("scanner", PREFIX + ".counts.daily");
  }

  @Test
  void shouldKeepTheReaderFromWritingAnything() {
    for (String topic :
        List.of(
            PREFIX + ".scans",
            PREFIX + ".rejected",
            PREFIX + ".counts.hourly",
            PREFIX + ".counts.daily",
            PREFIX + ".exposure.daily",
            PREFIX + ".counts.live",
            PREFIX + "-progress")) {
      assertWriteRefused("reader", topic);
    }
    assertReadRefused("reader", PREFIX + ".scans");
  }

  @Test
  void shouldFailFastOnOneClearLineWithAWrongPassword() throws Exception {
    ensureTopics();
    Path config = dir.resolve("wrong.properties");
    Files.writeString(
        config,
        "bootstrap.servers="
            + kafka.bootstrapServers()
            + "\nkafka.security.protocol=SASL_PLAINTEXT\nkafka.sasl.mechanism=SCRAM-SHA-512\n"
            + "kafka.sasl.jaas.config="
            + EmbeddedKafka.scramJaas("reader", "not-the-password")
            + "\n");
    long start = System.nanoTime();
    Cli cli = Cli.run("tail", "--config", config.toString(), "--topic-prefix", PREFIX, "daily");
    System.out.printf(
        "wrong password refused in %d ms%n",
        Duration.ofNanos(System.nanoTime() - start).toMillis());

    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.err().strip().lines()).hasSize(1);
    assertThat(cli.err())
        .startsWith("error: ")
        .contains("invalid credentials")
        .contains("kafka.sasl.jaas.config");
    // refused by the broker, not given up on after a timeout (tail's is 15 s, then "Timeout")
    assertThat(cli.err()).doesNotContain("Timeout");
  }

  @Test
  void shouldRefuseIngestWithTheReadersConfig() throws Exception {
    ensureTopics();
    String registryUrl = SharedRegistry.url();
    Topics.registerSchemas(
        Topics.create(PREFIX, PREFIX, ConfluentRegistryClient.builder(registryUrl).build()),
        ConfluentRegistryClient.builder(registryUrl).build());
    Path config = dir.resolve("reader.properties");
    StringBuilder text =
        new StringBuilder("bootstrap.servers=" + kafka.bootstrapServers() + "\n")
            .append("registry.url=")
            .append(registryUrl)
            .append("\ntopic.prefix=")
            .append(PREFIX)
            .append('\n');
    EmbeddedKafka.clientProperties("reader", PASSWORDS.get("reader"))
        .forEach((k, v) -> text.append("kafka.").append(k).append('=').append(v).append('\n'));
    Files.writeString(config, text);
    Path scans = dir.resolve("scans.jsonl");
    Files.writeString(
        scans,
        "{\"ip\":\"192.0.2.7\",\"vulnerability\":\"CVE-2021-26855\",\"status\":\"VULNERABLE\","
            + "\"observedAt\":\"2026-11-30T10:00:00Z\",\"scanner\":\"s1\"}\n");

    long before = scansEnd();
    Cli cli =
        Cli.run("ingest", "--format", "jsonl", "--config", config.toString(), scans.toString());

    assertThat(cli.exitCode()).as(cli.out() + cli.err()).isEqualTo(1);
    assertThat(cli.err())
        .contains("error: ")
        .contains("Not authorized to access topics: [" + PREFIX + ".scans]")
        .contains("patchwatch acls");
    assertThat(cli.err()).doesNotContain("\tat ");
    assertThat(scansEnd()).as("records on the scans topic").isEqualTo(before);
  }

  @Test
  void shouldRunArchiveAndReprocessThroughTheRolesClientFiles() throws Exception {
    // a prefix of its own, so that the topology test's scans topic gets no extra event
    String prefix = "history";
    try (Admin admin = cluster("admin").admin()) {
      AclsCommand.apply(
          admin,
          AccessPolicy.bindings(
              prefix,
              prefix,
              new AccessPolicy.Roles("User:patchwatch", "User:scanner", "User:reader")));
    }
    Pipeline.on(
            cluster("patchwatch"),
            ConfluentRegistryClient.builder(SharedRegistry.url()).build(),
            TopologySettings.defaults(3).withTopicPrefix(prefix).withApplicationId(prefix))
        .provision();
    Path scans = dir.resolve("history.jsonl");
    Files.writeString(
        scans,
        "{\"ip\":\"192.0.2.9\",\"vulnerability\":\"CVE-2021-26855\",\"status\":\"VULNERABLE\","
            + "\"observedAt\":\"2026-11-30T10:00:00Z\",\"scanner\":\"s1\"}\n");
    long before = scansEnd(prefix);

    // archive import publishes scans: the scanner's job
    Cli imported =
        Cli.run("archive", "import", "--config", clientFile("scanner", prefix), scans.toString());
    assertThat(imported.exitCode()).as(imported.out() + imported.err()).isZero();
    assertThat(scansEnd(prefix)).isEqualTo(before + 1);

    // archive export reads every scan: the application's, never the reader's
    Path refused = dir.resolve("reader.avro");
    Cli byReader =
        Cli.run(
            "archive",
            "export",
            "--config",
            clientFile("reader", prefix),
            "--output",
            refused.toString());
    assertThat(byReader.exitCode()).isEqualTo(1);
    assertThat(byReader.err()).contains("Not authorized to access topics: [" + prefix + ".scans]");
    assertThat(refused).doesNotExist();
    Path archive = dir.resolve("app.avro");
    Cli exported =
        Cli.run(
            "archive",
            "export",
            "--config",
            clientFile("patchwatch", prefix),
            "--output",
            archive.toString());
    assertThat(exported.exitCode()).as(exported.out() + exported.err()).isZero();
    assertThat(exported.out()).contains("exported " + (before + 1) + " events");

    // reprocess: run topics <prefix>.run-<id>.*, application id <id>-run-<id>, run records
    Cli run =
        Cli.run(
            "reprocess",
            "--config",
            clientFile("patchwatch", prefix),
            "--run-id",
            "auth",
            "--until-caught-up",
            "--set",
            "state.dir=" + dir.resolve("run-state"));
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("run auth caught up");
    Cli deleted =
        Cli.run("reprocess", "delete", "auth", "--config", clientFile("patchwatch", prefix));
    assertThat(deleted.exitCode()).as(deleted.out() + deleted.err()).isZero();
    assertThat(deleted.out())
        .contains("deleted run auth")
        .contains(prefix + ".run-auth.counts.daily");
    Cli byReaderRun =
        Cli.run(
            "reprocess",
            "--config",
            clientFile("reader", prefix),
            "--run-id",
            "no",
            "--until-caught-up");
    assertThat(byReaderRun.exitCode()).isEqualTo(1);
    assertThat(byReaderRun.err()).startsWith("error: ").contains(prefix + ".runs");
  }

  /** A client file as local --auth writes it for {@code user}, on this broker and registry. */
  private static String clientFile(String user, String prefix) throws Exception {
    Path config = dir.resolve(user + "-" + prefix + ".properties");
    StringBuilder text =
        new StringBuilder("bootstrap.servers=" + kafka.bootstrapServers() + "\n")
            .append("registry.url=")
            .append(SharedRegistry.url())
            .append("\ntopic.prefix=")
            .append(prefix)
            .append("\napplication.id=")
            .append(prefix)
            .append("\npartitions=3\n");
    EmbeddedKafka.clientProperties(user, PASSWORDS.get(user))
        .forEach((k, v) -> text.append("kafka.").append(k).append('=').append(v).append('\n'));
    Files.writeString(config, text);
    return config.toString();
  }

  private static long scansEnd() {
    return scansEnd(PREFIX);
  }

  private static long scansEnd(String prefix) {
    try (KafkaConsumer<byte[], byte[]> admin =
        new KafkaConsumer<>(
            client("admin"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      return admin
          .endOffsets(
              admin.partitionsFor(prefix + ".scans").stream()
                  .map(p -> new TopicPartition(p.topic(), p.partition()))
                  .toList())
          .values()
          .stream()
          .mapToLong(Long::longValue)
          .sum();
    }
  }

  private static int garbageSent;

  /** Random bytes that are not the wire format (no magic byte 0), sent as the scanner. */
  private static void garbage(long seed) throws Exception {
    java.util.Random random = new java.util.Random(seed);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            client("scanner"), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < 5; i++) {
        byte[] value = new byte[1 + random.nextInt(300)];
        random.nextBytes(value);
        if (value.length > 0 && value[0] == 0) {
          value[0] = 'G';
        }
        byte[] key = new byte[8];
        random.nextBytes(key);
        producer.send(new ProducerRecord<>(PREFIX + ".scans", key, value)).get();
        garbageSent++;
      }
    }
  }

  /** The topics as the application provisions them (idempotent). */
  private static void ensureTopics() {
    Pipeline.on(
            cluster("patchwatch"),
            new InMemorySchemaRegistry(),
            TopologySettings.defaults(3).withTopicPrefix(PREFIX).withApplicationId(PREFIX))
        .provision();
  }

  private static void assertWriteRefused(String user, String topic) {
    Map<String, Object> config = client(user);
    // not idempotent: an idempotent producer is refused on the cluster (IDEMPOTENT_WRITE) before
    // the topic's ACLs are looked at, and the topic's are what is shown here
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      assertThatThrownBy(
              () ->
                  producer.send(new ProducerRecord<>(topic, new byte[] {1}, new byte[] {2})).get())
          .as(user + " writing " + topic)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
  }

  private static void assertReadRefused(String user, String topic) {
    Map<String, Object> config = client(user);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      assertThatThrownBy(
              () -> {
                consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
                consumer.poll(Duration.ofSeconds(10));
                consumer.poll(Duration.ofSeconds(10));
              })
          .as(user + " reading " + topic)
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }
}
