package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.event.Watermark;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PassthroughTopologyTest {

  private static final Instant NOW = Instant.parse("2021-03-15T00:00:00Z");

  private final Topics topics = Topics.create("t", "t", new InMemorySchemaRegistry());
  private final Map<PatchWatchTopology.Outcome, Integer> counts =
      new EnumMap<>(PatchWatchTopology.Outcome.class);
  private TopologyTestDriver driver;
  private TestInputTopic<String, ScanEvent> scans;
  private TestInputTopic<byte[], byte[]> raw;

  /** The driver runs the task of partition 0 of a scans topic of {@code partitions}. */
  private void start(int partitions) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "passthrough-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver =
        new TopologyTestDriver(
            PatchWatchTopology.buildPassthrough(
                TopologySettings.defaults(partitions),
                topics.scans(),
                outcome -> counts.merge(outcome, 1, Integer::sum)),
            props,
            NOW);
    scans =
        driver.createInputTopic(
            topics.scans().name(),
            topics.scans().keySerde().serializer(),
            topics.scans().valueSerde().serializer());
    raw =
        driver.createInputTopic(
            topics.scans().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private static ScanEvent event(String scanner, String ip) {
    return ScanEvent.newBuilder()
        .setScanner(scanner)
        .setObservedAt(Instant.parse("2021-03-14T10:00:00Z"))
        .setIp(ip)
        .setVulnerability("CVE-2021-26855")
        .setStatus(ScanStatus.VULNERABLE)
        .build();
  }

  @Test
  void shouldCountValidEventsAndRejectWhatTheTopologyRejects() {
    start(1);

    scans.pipeInput("192.0.2.1", event("shodan", "192.0.2.1"));
    scans.pipeInput("192.0.2.2", event("shodan", "192.0.2.2"));
    // keyed by another host
    scans.pipeInput("192.0.2.9", event("shodan", "192.0.2.3"));
    // a scanner id with a space fails the contract
    scans.pipeInput("192.0.2.4", event("bad scanner", "192.0.2.4"));
    // not the registry's wire format
    raw.pipeInput("192.0.2.5".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
    RecordHeaders headers = new RecordHeaders();
    headers.add(Watermark.HEADER, "2021-03-15T00:00:00Z".getBytes(StandardCharsets.UTF_8));
    raw.pipeInput(new TestRecord<>(null, null, headers, NOW));

    assertThat(counts.get(PatchWatchTopology.Outcome.VALID)).isEqualTo(2);
    assertThat(counts.get(PatchWatchTopology.Outcome.REJECTED)).isEqualTo(3);
    assertThat(counts.get(PatchWatchTopology.Outcome.WATERMARK)).isEqualTo(1);
  }

  @Test
  void shouldRejectAHostOnAnotherPartitionThanTheDefaultPartitionersOne() {
    start(2);
    String elsewhere = null;
    String here = null;
    for (int i = 1; elsewhere == null || here == null; i++) {
      String ip = "198.51.100." + i;
      int partition = Utils.toPositive(Utils.murmur2(ip.getBytes(StandardCharsets.UTF_8))) % 2;
      if (partition == 0) {
        here = ip;
      } else {
        elsewhere = ip;
      }
    }

    scans.pipeInput(here, event("shodan", here));
    scans.pipeInput(elsewhere, event("shodan", elsewhere));

    assertThat(counts.get(PatchWatchTopology.Outcome.VALID)).isEqualTo(1);
    assertThat(counts.get(PatchWatchTopology.Outcome.REJECTED)).isEqualTo(1);
  }
}
