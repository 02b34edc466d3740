package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Completion;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.TopicProvisioner;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.EventTimeRange;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN section 7.5, end to end on the real broker: a history arrives live, in chunks, while the
 * live application runs; then the same history is reprocessed into run-scoped topics, exported to
 * an archive and imported into a fresh stack. The finals are identical every time, record for
 * record, and equal to the independent reference.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryDeterminismIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC);
  private static final int PARTITIONS = 3;
  private static final Duration WAIT = Duration.ofSeconds(90);

  private final String bootstrap = SharedKafka.bootstrapServers();
  private final Cluster cluster = Cluster.of(bootstrap);
  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final String id = SharedKafka.unique("history");
  private final TopologySettings live =
      TopologySettings.defaults(PARTITIONS)
          .withTopicPrefix(id)
          .withApplicationId(id)
          .withIdleTimeout(Duration.ZERO)
          .withStoreType(TopologySettings.StoreType.IN_MEMORY);
  private final Topics liveTopics = Topics.create(id, id, registry);
  private final StringWriter progress = new StringWriter();

  private Path dir;
  private List<ScanEvent> events;
  private long end;
  private List<RemediationCount> liveFinals;

  @BeforeAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void runTheHistoryLive() throws Exception {
    dir = Files.createTempDirectory("patchwatch-history-it-");
    events =
        new ArrayList<>(
            RandomEvents.generate(501, RandomEvents.Options.defaults().withHosts(200).withDays(4)));
    // product details are carried, not counted: some of every kind, so the archive must keep them
    for (int i = 0; i < events.size(); i += 10) {
      events.set(
          i,
          ScanEvent.newBuilder(events.get(i))
              .setProduct("Microsoft Exchange Server")
              .setProductVersion("15.1.2176.2")
              .build());
    }
    end =
        Replay.closingWatermark(
            live,
            events.stream().mapToLong(e -> e.getObservedAt().toEpochMilli()).max().orElseThrow());
    try (Admin admin = cluster.admin()) {
      new TopicProvisioner(admin, Duration.ofSeconds(30))
          .ensure(liveTopics, PARTITIONS, Optional.empty());
      try (Pipeline streams = streams(live, liveTopics, registry, dir.resolve("live-state"));
          ScanPublisher publisher = publisher(id, registry)) {
        // four chunks, each processed by the running application before the next arrives
        int chunk = events.size() / 4 + 1;
        for (int from = 0; from < events.size(); from += chunk) {
          List<ScanEvent> part = events.subList(from, Math.min(events.size(), from + chunk));
          List<CompletableFuture<?>> sent = new ArrayList<>();
          part.forEach(e -> sent.add(publisher.publish(e)));
          CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
          long published = from + part.size();
          awaitTrue(
              () -> Completion.committed(admin, id, liveTopics.scans().name()) >= published,
              "chunk processed");
        }
        publisher.watermark(Instant.ofEpochMilli(end)).get();
        awaitTrue(
            () -> Completion.reached(streams.streams(), PARTITIONS, end) == PARTITIONS * PARTITIONS,
            "live finals");
      }
    }
    liveFinals = finals(liveTopics);
    FinalsAssert.assertSameFinals(liveFinals, ReferenceModel.compute(events, PARTITIONS).finals());
  }

  @AfterAll
  void deleteTemporaryFiles() throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldReprocessTheLiveHistoryIntoIdenticalFinalsLeavingTheLiveOutputsAlone()
      throws Exception {
    Map<TopicPartition, Long> liveEnds = endOffsets(liveTopics);
    RunId runId = new RunId("all");
    try (Reprocess run = start(runId, Optional.empty())) {
      assertThat(run.settings().applicationId()).isEqualTo(id + "-run-all");
      assertThat(run.topics().countsDaily().name()).isEqualTo(id + ".run-all.counts.daily");
      assertThat(run.topics().scans().name()).isEqualTo(liveTopics.scans().name());
      assertThat(run.awaitCaughtUp(WAIT)).as("caught up").isTrue();
    }
    Runs runs = new Runs(cluster, id, id, Duration.ofSeconds(30));
    Topics runTopics = runs.topics(runId, registry);
    FinalsAssert.assertSameFinals(finals(runTopics), liveFinals);
    assertThat(endOffsets(liveTopics)).as("live outputs untouched").isEqualTo(liveEnds);

    Runs.Listed listed = runs.find(runId).orElseThrow();
    assertThat(listed.running()).isFalse();
    assertThat(listed.record().orElseThrow().caughtUpAt()).isPresent();
    assertThat(listed.topics())
        .contains(id + ".run-all.counts.hourly", id + ".run-all.rejected", id + "-run-all-progress")
        .allMatch(t -> t.startsWith(id + ".run-all.") || t.startsWith(id + "-run-all-"));

    Runs.Deleted deleted = runs.delete(runId, Optional.of(dir.resolve("run-state")));
    assertThat(deleted.topics()).isEqualTo(listed.topics());
    assertThat(deleted.group()).isTrue();
    assertThat(runs.find(runId)).isEmpty();
    try (Admin admin = cluster.admin()) {
      Map<String, Integer> liveTopicNames = new HashMap<>();
      liveTopics.all().forEach(t -> liveTopicNames.put(t.name(), 1));
      assertThat(admin.listTopics().names().get()).containsAll(liveTopicNames.keySet());
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldPromoteALimitedRunOverExactlyTheWindowsOfItsRange() throws Exception {
    EventTimeRange range =
        EventTimeRange.of(
            Instant.parse("2021-03-09T00:00:00Z"), Instant.parse("2021-03-11T00:00:00Z"));
    RunId runId = new RunId("mar9");
    try (Reprocess run = start(runId, Optional.of(range))) {
      assertThat(run.awaitCaughtUp(WAIT)).as("caught up").isTrue();
    }
    Runs runs = new Runs(cluster, id, id, Duration.ofSeconds(30));
    List<RemediationCount> runFinals = finals(runs.topics(runId, registry));
    assertThat(runFinals).isNotEmpty();
    // windows inside the range: exactly the live finals; the others at least meet the range
    assertThat(covered(runFinals, range)).isEqualTo(covered(liveFinals, range));
    assertThat(covered(runFinals, range))
        .extracting(RemediationCount::getGranularity)
        .contains(Granularity.HOURLY, Granularity.DAILY);
    assertThat(runFinals)
        .allMatch(
            f ->
                f.getWindowStart().isBefore(range.to().orElseThrow())
                    && f.getWindowEnd().isAfter(range.from().orElseThrow()));

    // the live daily topic goes wrong: a final in the range changed, one invented in it, one before
    // it
    RemediationCount inRange =
        liveFinals.stream()
            .filter(
                f ->
                    f.getGranularity() == Granularity.DAILY
                        && f.getWindowStart().equals(Instant.parse("2021-03-09T00:00:00Z"))
                        && f.getDimension() == Dimension.GLOBAL)
            .findFirst()
            .orElseThrow();
    RemediationCount wrong =
        RemediationCount.newBuilder(inRange).setHosts(inRange.getHosts() + 1000).build();
    RemediationCount invented =
        RemediationCount.newBuilder(inRange)
            .setWindowStart(Instant.parse("2021-03-10T00:00:00Z"))
            .setWindowEnd(Instant.parse("2021-03-11T00:00:00Z"))
            .setDimension(Dimension.COUNTRY)
            .setValue("AQ")
            .build();
    RemediationCount outside =
        RemediationCount.newBuilder(invented)
            .setWindowStart(Instant.parse("2021-03-08T00:00:00Z"))
            .setWindowEnd(Instant.parse("2021-03-09T00:00:00Z"))
            .build();
    write(liveTopics.countsDaily(), wrong, invented, outside);

    Promotion promotion = new Promotion(cluster, registry, live, CLOCK);
    // the live application keeps running: it never writes a closed window again
    try (Pipeline running = streams(live, liveTopics, registry, dir.resolve("live-state"))) {
      Promotion.Plan plan = promotion.plan(runId);
      Promotion.TopicPlan daily =
          plan.topics().stream()
              .filter(t -> t.topic().name().equals(liveTopics.countsDaily().name()))
              .findFirst()
              .orElseThrow();
      assertThat(daily.writes())
          .extracting(Promotion.Write::key)
          .containsExactlyInAnyOrder(key(wrong), key(invented));
      assertThat(List.of(daily.added(), daily.changed(), daily.removed()))
          .containsExactly(0L, 1L, 1L);
      assertThat(plan.topics())
          .filteredOn(t -> t.topic().name().equals(liveTopics.countsHourly().name()))
          .singleElement()
          .satisfies(t -> assertThat(t.writes()).isEmpty());
      promotion.execute(plan);
    }

    Map<CountKey, RemediationCount> dailyNow = latest(liveTopics.countsDaily());
    assertThat(dailyNow.get(key(wrong))).isEqualTo(inRange);
    assertThat(dailyNow).doesNotContainKey(key(invented));
    assertThat(dailyNow.get(key(outside))).as("outside the range: untouched").isEqualTo(outside);
    Map<CountKey, RemediationCount> liveNow = latest(liveTopics.countsLive());
    covered(runFinals, range).forEach(f -> assertThat(liveNow.get(key(f))).isEqualTo(f));
    assertThat(promotion.plan(runId).writes()).as("a second promotion has nothing to do").isZero();
    assertThat(runs.record(runId).orElseThrow().promotedAt()).contains(CLOCK.instant());

    // a stopped application with partial results it never aggregated could still publish finals
    // in the scope: refused
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", bootstrap),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(id + "-partials-repartition", 0, new byte[4], new byte[] {1}))
          .get();
    }
    assertThatThrownBy(() -> promotion.plan(runId))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "application "
                + id
                + " stopped with 1 partial results it has not aggregated: start it"
                + " until it has, then promote");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldRoundTripTheHistoryThroughAnArchiveIntoAFreshStack() throws Exception {
    Path archive = dir.resolve("history.avro");
    ScanArchive.Exported exported =
        new ScanArchive(cluster, registry, CLOCK, new PrintWriter(progress))
            .export(
                liveTopics.scans().name(),
                EventTimeRange.ALL,
                archive,
                CodecFactory.deflateCodec(6),
                false);
    assertThat(exported.exported()).isEqualTo(events.size());
    assertThat(exported.watermarks()).isEqualTo(PARTITIONS);
    assertThat(exported.read()).isEqualTo(events.size() + PARTITIONS);
    assertThat(exported.undecodable() + exported.outsideRange()).isZero();

    // every field of every record; each partition's events in the order it holds them
    EventContract contract = new EventContract(CLOCK);
    List<ScanEvent> archived = new ArrayList<>();
    try (DataFileReader<ScanEvent> reader =
        new DataFileReader<>(archive.toFile(), new SpecificDatumReader<>(ScanEvent.class))) {
      reader.forEach(archived::add);
      assertThat(reader.getMetaString(ScanArchive.META_TOPIC)).isEqualTo(liveTopics.scans().name());
      assertThat(reader.getMetaString(ScanArchive.META_PARTITIONS)).isEqualTo("3");
      assertThat(reader.getMetaString("avro.codec")).isEqualTo("deflate");
    }
    for (int p = 0; p < PARTITIONS; p++) {
      int partition = p;
      assertThat(
              archived.stream()
                  .filter(e -> ReferenceModel.partitionOf(e.getIp(), PARTITIONS) == partition)
                  .toList())
          .as("partition %d", p)
          .isEqualTo(
              events.stream()
                  .filter(e -> ReferenceModel.partitionOf(e.getIp(), PARTITIONS) == partition)
                  .map(e -> ((Parsed.Valid) contract.normalize(e)).event())
                  .toList());
    }
    assertThat(archived).hasSize(events.size());
    // merged by observedAt: nothing is more behind the events before it than the stream allows
    long latest = archived.get(0).getObservedAt().toEpochMilli();
    for (ScanEvent e : archived) {
      long t = e.getObservedAt().toEpochMilli();
      assertThat(latest - t).isLessThan(Duration.ofHours(1).toMillis());
      latest = Math.max(latest, t);
    }
    assertThat(archived)
        .anyMatch(e -> !e.getAttributes().isEmpty())
        .anyMatch(e -> e.getPort() != null)
        .anyMatch(e -> e.getHostname() != null)
        .anyMatch(e -> e.getEventId() != null)
        .anyMatch(e -> e.getProductVersion() != null)
        .anyMatch(e -> e.getProduct() != null)
        .anyMatch(e -> e.getCompromised());

    EventTimeRange day =
        EventTimeRange.of(
            Instant.parse("2021-03-09T00:00:00Z"), Instant.parse("2021-03-10T00:00:00Z"));
    ScanArchive.Exported oneDay =
        new ScanArchive(cluster, registry, CLOCK, new PrintWriter(progress))
            .export(
                liveTopics.scans().name(),
                day,
                dir.resolve("day.avro"),
                CodecFactory.nullCodec(),
                false);
    assertThat(oneDay.exported())
        .isEqualTo(
            events.stream().filter(e -> day.contains(e.getObservedAt().toEpochMilli())).count())
        .isPositive();
    assertThat(oneDay.exported() + oneDay.outsideRange()).isEqualTo(events.size());

    // another stack: its own prefix, application and registry, and another partition count
    String other = SharedKafka.unique("imported");
    InMemorySchemaRegistry otherRegistry = new InMemorySchemaRegistry();
    TopologySettings fresh =
        live.withTopicPrefix(other).withApplicationId(other).withInputPartitions(2);
    ScanArchive.Imported imported =
        new ScanArchive(cluster, otherRegistry, CLOCK, new PrintWriter(progress))
            .importFile(
                archive,
                fresh,
                Optional.empty(),
                Optional.of(
                    new ScanArchive.ImportWatermark.Closing(
                        ScanArchive.closingWatermark(fresh, CLOCK))));
    assertThat(imported.published()).isEqualTo(events.size());
    assertThat(imported.rejected()).isZero();
    assertThat(imported.watermark()).contains(Instant.ofEpochMilli(end));
    Topics otherTopics = Topics.create(other, other, otherRegistry);
    try (Pipeline streams =
        streams(fresh, otherTopics, otherRegistry, dir.resolve("import-state"))) {
      awaitTrue(() -> Completion.reached(streams.streams(), 2, end) == 4, "imported finals");
    }
    FinalsAssert.assertSameFinals(finals(otherTopics), liveFinals);
  }

  private Reprocess start(RunId runId, Optional<EventTimeRange> range) {
    return Reprocess.start(
        cluster,
        registry,
        live,
        Optional.of(runId),
        range,
        dir.resolve("run-state"),
        Map.of(),
        Optional.empty(),
        StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
        CLOCK,
        new PrintWriter(progress));
  }

  /** Started, on topics that exist already. */
  private Pipeline streams(
      TopologySettings settings, Topics topics, InMemorySchemaRegistry schemas, Path stateDir) {
    return Pipeline.on(cluster, schemas, settings).topics(topics).stateDir(stateDir).start();
  }

  private ScanPublisher publisher(String prefix, InMemorySchemaRegistry schemas) {
    return ScanPublisher.builder()
        .bootstrapServers(bootstrap)
        .registry(schemas)
        .topicPrefix(prefix)
        .clock(CLOCK)
        .build();
  }

  private List<RemediationCount> finals(Topics topics) {
    List<RemediationCount> finals = new ArrayList<>();
    for (Granularity g : Granularity.values()) {
      TopicReader.readAll(bootstrap, Map.of(), topics.finals(g), r -> finals.add(r.value()));
    }
    finals.sort(ReferenceModel.OUTPUT_ORDER);
    return finals;
  }

  private Map<CountKey, RemediationCount> latest(TopicSpec<CountKey, RemediationCount> spec) {
    Map<CountKey, RemediationCount> latest = new LinkedHashMap<>();
    TopicReader.readAll(bootstrap, Map.of(), spec, r -> latest.put(r.key(), r.value()));
    latest.values().removeIf(v -> v == null);
    return latest;
  }

  private static List<RemediationCount> covered(
      List<RemediationCount> finals, EventTimeRange range) {
    return finals.stream()
        .filter(
            f -> range.covers(f.getWindowStart().toEpochMilli(), f.getWindowEnd().toEpochMilli()))
        .toList();
  }

  private static CountKey key(RemediationCount c) {
    return new CountKey(
        c.getGranularity(),
        c.getWindowStart(),
        c.getVulnerability(),
        c.getDimension(),
        c.getValue());
  }

  private void write(TopicSpec<CountKey, RemediationCount> spec, RemediationCount... counts)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", bootstrap),
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

  private Map<TopicPartition, Long> endOffsets(Topics topics) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (TopicSpec<?, ?> spec :
        List.of(
            topics.countsHourly(),
            topics.countsDaily(),
            topics.exposureDaily(),
            topics.countsLive(),
            topics.rejected())) {
      for (int p = 0; p < PARTITIONS; p++) {
        request.put(new TopicPartition(spec.name(), p), OffsetSpec.latest());
      }
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    try (Admin admin = cluster.admin()) {
      admin.listOffsets(request).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    }
    return ends;
  }

  private static void awaitTrue(Check check, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!check.ok()) {
      assertThat(System.nanoTime()).as(what + " in time").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private interface Check {
    boolean ok();
  }
}
