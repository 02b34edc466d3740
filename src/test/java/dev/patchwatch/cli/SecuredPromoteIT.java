package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.EmbeddedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.replay.RunId;
import dev.patchwatch.replay.Runs;
import dev.patchwatch.runtime.AccessPolicy;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Completion;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprocess promote} writing records under {@code local --auth}'s ACLs ({@link
 * AccessPolicy}): a run's finals that differ from the live ones in its scope are written to the
 * live topics through the application's client file, in the promotion's own transaction, and the
 * reader's client file is refused. A broker of its own, so that no other test's transactions or
 * topics mix with these.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SecuredPromoteIT {

  private static final String PREFIX = "promoted";
  private static final Map<String, String> PASSWORDS =
      Map.of(
          "admin", "admin-secret",
          "patchwatch", "app-secret",
          "scanner", "scanner-secret",
          "reader", "reader-secret");
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  private EmbeddedKafka kafka;

  @Test
  void shouldPromoteARunsDifferingFinalsThroughTheApplicationsClientFileOnly() throws Exception {
    kafka =
        EmbeddedKafka.start(
            dir.resolve("kafka"),
            0,
            Map.of(),
            Optional.of(new EmbeddedKafka.Auth("admin", PASSWORDS)));
    try {
      promote();
    } finally {
      kafka.close();
    }
  }

  private void promote() throws Exception {
    try (Admin admin = cluster("admin").admin()) {
      AclsCommand.apply(
          admin,
          AccessPolicy.bindings(
              PREFIX,
              PREFIX,
              new AccessPolicy.Roles("User:patchwatch", "User:scanner", "User:reader")));
    }
    int partitions = 3;
    TopologySettings settings =
        TopologySettings.defaults(partitions)
            .withTopicPrefix(PREFIX)
            .withApplicationId(PREFIX)
            .withIdleTimeout(Duration.ZERO);
    SchemaRegistry registry = ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    List<ScanEvent> events =
        RandomEvents.generate(
            700,
            RandomEvents.Options.defaults()
                .withStart(Instant.parse("2026-11-20T00:00:00Z"))
                .withHosts(120)
                .withDays(3));
    long end = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();

    // the live application, as the application, over the scanner's events
    try (Pipeline live =
        Pipeline.on(cluster("patchwatch"), registry, settings)
            .stateDir(dir.resolve("live-state"))
            .overrides(Map.of("commit.interval.ms", "100"))
            .start()) {
      try (ScanPublisher publisher =
          ScanPublisher.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .properties(EmbeddedKafka.clientProperties("scanner", PASSWORDS.get("scanner")))
              .registry(registry)
              .topicPrefix(PREFIX)
              .clock(CLOCK)
              .build()) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        events.forEach(e -> sent.add(publisher.publish(e)));
        sent.add(publisher.watermark(Instant.ofEpochMilli(end)));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
      }
      while (Completion.reached(live.streams(), partitions, end) < partitions * partitions) {
        assertThat(live.failure()).isEmpty();
        Thread.sleep(100);
      }
    }
    Topics liveTopics = Topics.create(PREFIX, PREFIX, registry);

    // a run over the whole history, through the application's client file
    Cli run =
        Cli.run(
            "reprocess",
            "--config",
            clientFile("patchwatch"),
            "--run-id",
            "fix",
            "--until-caught-up",
            "--set",
            "state.dir=" + dir.resolve("run-state"));
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("run fix caught up");
    Topics runTopics =
        new Runs(cluster("patchwatch"), PREFIX, PREFIX, Duration.ofSeconds(60))
            .topics(new RunId("fix"), registry);
    Map<Granularity, Map<CountKey, RemediationCount>> runFinals = latestFinals(runTopics);
    FinalsAssert.assertSameFinals(
        sorted(runFinals), ReferenceModel.compute(events, partitions).finals());

    // the live daily topic goes wrong in the run's scope, as an earlier faulty version of the
    // application could have left it (the application is the only principal that may write there):
    // a final changed, and one for a key the run has no final for
    RemediationCount right =
        runFinals.get(Granularity.DAILY).values().stream()
            .filter(f -> f.getDimension() == Dimension.GLOBAL)
            .min(Comparator.comparing(RemediationCount::getWindowStart))
            .orElseThrow();
    RemediationCount wrong =
        RemediationCount.newBuilder(right).setHosts(right.getHosts() + 1000).build();
    RemediationCount invented =
        RemediationCount.newBuilder(right).setDimension(Dimension.COUNTRY).setValue("AQ").build();
    assertThat(runFinals.get(Granularity.DAILY)).doesNotContainKey(key(invented));
    write(liveTopics.countsDaily(), wrong, invented);
    assertThat(latest(liveTopics.countsDaily()))
        .containsEntry(key(wrong), wrong)
        .containsEntry(key(invented), invented);

    // the reader may not promote, and nothing is written when it tries
    Cli byReader = Cli.run("reprocess", "promote", "fix", "--config", clientFile("reader"));
    assertThat(byReader.exitCode()).as(byReader.out() + byReader.err()).isEqualTo(1);
    assertThat(byReader.err()).startsWith("error: ").doesNotContain("\tat ");
    assertThat(latest(liveTopics.countsDaily())).containsEntry(key(wrong), wrong);

    Cli dryRun =
        Cli.run("reprocess", "promote", "fix", "--dry-run", "--config", clientFile("patchwatch"));
    assertThat(dryRun.exitCode()).as(dryRun.out() + dryRun.err()).isZero();
    assertThat(dryRun.out())
        .contains(PREFIX + ".counts.daily: 0 added, 1 changed, 1 removed, ")
        .contains(PREFIX + ".counts.hourly: 0 added, 0 changed, 0 removed, ")
        .endsWith("dry run: nothing written.\n");

    Cli promoted = Cli.run("reprocess", "promote", "fix", "--config", clientFile("patchwatch"));
    assertThat(promoted.exitCode()).as(promoted.out() + promoted.err()).isZero();
    assertThat(promoted.out())
        .containsPattern("promoted: [1-9][0-9,]* records written in one transaction")
        .contains(PREFIX + ".counts.daily: 0 added, 1 changed, 1 removed, ");

    // every window is closed in both, and the run covers all of them: the live finals are now
    // exactly the run's, the wrong one corrected and the invented one gone
    Map<Granularity, Map<CountKey, RemediationCount>> liveNow = latestFinals(liveTopics);
    for (Granularity g : Granularity.values()) {
      assertThat(liveNow.get(g))
          .as(g + " live finals after the promotion")
          .isEqualTo(runFinals.get(g));
    }
    Map<CountKey, RemediationCount> countsLive = latest(liveTopics.countsLive());
    assertThat(countsLive).containsEntry(key(right), right).doesNotContainKey(key(invented));
    try (Admin admin = cluster("admin").admin()) {
      assertThat(admin.listTransactions().all().get())
          .extracting(t -> t.transactionalId())
          .contains(PREFIX + "-promote")
          .allMatch(id -> id.startsWith(PREFIX + "-"));
    }
    Cli again = Cli.run("reprocess", "promote", "fix", "--config", clientFile("patchwatch"));
    assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
    assertThat(again.out()).contains("promoted: nothing to write");
    System.out.printf(
        "promote under ACLs: %d events, %d run finals; %s; the reader refused with: %s%n",
        events.size(),
        sorted(runFinals).size(),
        promoted.out().lines().filter(l -> l.startsWith("promoted: ")).findFirst().orElseThrow(),
        byReader.err().lines().findFirst().orElseThrow());
  }

  private Cluster cluster(String user) {
    return new Cluster(
        kafka.bootstrapServers(), EmbeddedKafka.clientProperties(user, PASSWORDS.get(user)));
  }

  /** A client file as local --auth writes it for {@code user}, on this broker and registry. */
  private String clientFile(String user) throws Exception {
    Path config = dir.resolve(user + ".properties");
    StringBuilder text =
        new StringBuilder("bootstrap.servers=" + kafka.bootstrapServers() + "\n")
            .append("registry.url=")
            .append(SharedRegistry.url())
            .append("\ntopic.prefix=")
            .append(PREFIX)
            .append("\napplication.id=")
            .append(PREFIX)
            .append("\npartitions=3\n");
    EmbeddedKafka.clientProperties(user, PASSWORDS.get(user))
        .forEach((k, v) -> text.append("kafka.").append(k).append('=').append(v).append('\n'));
    Files.writeString(config, text, StandardCharsets.UTF_8);
    return config.toString();
  }

  private Map<Granularity, Map<CountKey, RemediationCount>> latestFinals(Topics topics) {
    Map<Granularity, Map<CountKey, RemediationCount>> finals = new EnumMap<>(Granularity.class);
    for (Granularity g : Granularity.values()) {
      finals.put(g, latest(topics.finals(g)));
    }
    return finals;
  }

  /** The latest committed value of each key, read as the application; a tombstone removes it. */
  private Map<CountKey, RemediationCount> latest(TopicSpec<CountKey, RemediationCount> spec) {
    Map<CountKey, RemediationCount> latest = new HashMap<>();
    TopicReader.readAll(
        kafka.bootstrapServers(),
        new HashMap<>(EmbeddedKafka.clientProperties("patchwatch", PASSWORDS.get("patchwatch"))),
        spec,
        r -> {
          if (r.value() == null) {
            latest.remove(r.key());
          } else {
            latest.put(r.key(), r.value());
          }
        });
    return latest;
  }

  private static List<RemediationCount> sorted(
      Map<Granularity, Map<CountKey, RemediationCount>> m) {
    List<RemediationCount> all = new ArrayList<>();
    m.values().forEach(byKey -> all.addAll(byKey.values()));
    all.sort(ReferenceModel.OUTPUT_ORDER);
    return all;
  }

  /** Written as the application, the only principal allowed to write the live final topics. */
  private void write(TopicSpec<CountKey, RemediationCount> spec, RemediationCount... counts)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            cluster("patchwatch").clientConfig(),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (RemediationCount c : counts) {
        producer
            .send(
                new ProducerRecord<>(
                    spec.name(),
                    spec.keySerde().serializer().serialize(spec.name(), key(c)),
                    spec.valueSerde().serializer().serialize(spec.name(), c)))
            .get();
      }
    }
  }

  private static CountKey key(RemediationCount c) {
    return new CountKey(
        c.getGranularity(),
        c.getWindowStart(),
        c.getVulnerability(),
        c.getDimension(),
        c.getValue());
  }
}
