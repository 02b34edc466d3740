package dev.patchwatch.topology;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.event.Watermark;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.runtime.RejectingDeserializationHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The topology under TopologyTestDriver, one partition, an in-memory registry, a fixed wall clock.
 */
final class TopologyHarness implements AutoCloseable {

  /** Wall clock at start: after every event time used in tests, so none is "in the future". */
  static final Instant WALL_CLOCK = Instant.parse("2021-04-01T00:00:00Z");

  final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  final Instant wallClock;
  final TopologySettings settings;
  final Topics topics;
  final TopologyTestDriver driver;
  final TestInputTopic<String, ScanEvent> scans;
  final TestInputTopic<byte[], byte[]> rawScans;
  final TestInputTopic<Integer, PartitionProgress> progressIn;
  final TestOutputTopic<CountKey, RemediationCount> hourly;
  final TestOutputTopic<CountKey, RemediationCount> daily;
  final TestOutputTopic<CountKey, RemediationCount> exposure;
  final TestOutputTopic<CountKey, RemediationCount> live;
  final TestOutputTopic<CountKey, TransitionCount> transitions;
  final TestOutputTopic<CohortKey, CohortCount> cohorts;
  final TestOutputTopic<byte[], Rejected> rejected;
  final TestOutputTopic<Integer, PartitionProgress> progressOut;

  TopologyHarness() {
    this(TopologySettings.defaults(1).withStoreType(TopologySettings.StoreType.IN_MEMORY));
  }

  TopologyHarness(TopologySettings settings) {
    this(settings, WALL_CLOCK);
  }

  /** A harness whose stream-thread clock starts at {@code wallClock}, for today's data. */
  TopologyHarness(TopologySettings settings, Instant wallClock) {
    this.wallClock = wallClock;
    this.settings = settings;
    this.topics = Topics.create(settings.topicPrefix(), settings.applicationId(), registry);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        RejectingDeserializationHandler.class);
    props.putAll(RejectingDeserializationHandler.configs(topics));
    this.driver =
        new TopologyTestDriver(PatchWatchTopology.build(settings, topics), props, wallClock);
    this.scans =
        driver.createInputTopic(
            topics.scans().name(),
            topics.scans().keySerde().serializer(),
            topics.scans().valueSerde().serializer());
    this.rawScans =
        driver.createInputTopic(
            topics.scans().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer());
    this.progressIn =
        driver.createInputTopic(
            topics.progress().name(),
            topics.progress().keySerde().serializer(),
            topics.progress().valueSerde().serializer());
    this.hourly = output(topics.countsHourly());
    this.daily = output(topics.countsDaily());
    this.exposure = output(topics.exposureDaily());
    this.live = output(topics.countsLive());
    this.transitions = output(topics.transitionsDaily());
    this.cohorts = output(topics.cohortsDaily());
    this.rejected =
        driver.createOutputTopic(
            topics.rejected().name(),
            topics.rejected().keySerde().deserializer(),
            topics.rejected().valueSerde().deserializer());
    this.progressOut =
        driver.createOutputTopic(
            topics.progress().name(),
            topics.progress().keySerde().deserializer(),
            topics.progress().valueSerde().deserializer());
  }

  private <K, V> TestOutputTopic<K, V> output(TopicSpec<K, V> spec) {
    return driver.createOutputTopic(
        spec.name(), spec.keySerde().deserializer(), spec.valueSerde().deserializer());
  }

  void send(ScanEvent... events) {
    for (ScanEvent e : events) {
      scans.pipeInput(e.getIp(), e);
    }
  }

  void watermark(String instant) {
    watermarkHeader(Instant.parse(instant).toString());
  }

  /** A watermark record whose header holds {@code text}, valid or not. */
  void watermarkHeader(String text) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Watermark.HEADER, text.getBytes(StandardCharsets.UTF_8));
    rawScans.pipeInput(new TestRecord<>(null, null, headers, wallClock));
  }

  void advanceWallClock(Duration by) {
    driver.advanceWallClockTime(by);
  }

  static ScanEvent event(String scanner, String observedAt, String ip, ScanStatus status) {
    return ScanEvent.newBuilder()
        .setScanner(scanner)
        .setObservedAt(Instant.parse(observedAt))
        .setIp(ip)
        .setVulnerability("CVE-2021-26855")
        .setStatus(status)
        .build();
  }

  static ScanEvent event(
      String scanner, String observedAt, String ip, ScanStatus status, String country, long asn) {
    return ScanEvent.newBuilder(event(scanner, observedAt, ip, status))
        .setCountry(country)
        .setAsn(asn)
        .build();
  }

  /** Final values keyed "DIMENSION/value" for one window start, read and consumed from a topic. */
  static Map<String, RemediationCount> byDimension(
      List<org.apache.kafka.streams.KeyValue<CountKey, RemediationCount>> records,
      String windowStart) {
    Map<String, RemediationCount> out = new java.util.TreeMap<>();
    for (var kv : records) {
      if (kv.key.getWindowStart().equals(Instant.parse(windowStart))) {
        RemediationCount previous =
            out.put(kv.key.getDimension() + "/" + kv.key.getValue(), kv.value);
        if (previous != null) {
          throw new AssertionError("two finals for " + kv.key);
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    driver.close();
  }
}
