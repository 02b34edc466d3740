package dev.patchwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.event.Watermark;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SDK against a real broker and registry: normalised, keyed by IP, watermarks everywhere. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScanPublisherIT {

  @Test
  void shouldPublishNormalisedEventsKeyedByIpAndWatermarksOnEveryPartition() throws Exception {
    String prefix = SharedKafka.unique("sdk");
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    Topics topics = Topics.create(prefix, prefix, registry);
    SharedKafka.provision(topics, 3);
    try (ScanPublisher publisher =
        ScanPublisher.builder()
            .bootstrapServers(SharedKafka.bootstrapServers())
            .registryUrl(SharedRegistry.url())
            .topicPrefix(prefix)
            .clock(Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC))
            .build()) {
      ScanEvent raw =
          ScanEvent.newBuilder()
              .setScanner("s1")
              .setObservedAt(Instant.parse("2021-03-01T10:00:00Z"))
              .setIp("2001:DB8:0:0:0:0:0:1")
              .setVulnerability("cve-2021-26855")
              .setStatus(ScanStatus.VULNERABLE)
              .setCountry("fr")
              .build();
      var sent = publisher.publish(raw).get();
      assertThat(sent.partition())
          .isEqualTo(
              Utils.toPositive(Utils.murmur2("2001:db8::1".getBytes(StandardCharsets.UTF_8))) % 3);
      publisher.watermark(Instant.parse("2021-03-02T00:00:00Z")).get();
    }

    List<ConsumerRecord<String, ScanEvent>> events = new ArrayList<>();
    TopicReader.readAll(SharedKafka.bootstrapServers(), Map.of(), topics.scans(), events::add);
    List<ConsumerRecord<byte[], byte[]>> raw = new ArrayList<>();
    TopicReader.readAll(
        SharedKafka.bootstrapServers(),
        Map.of(),
        new TopicSpec<>(topics.scans().name(), Serdes.ByteArray(), Serdes.ByteArray(), Map.of()),
        raw::add);
    List<ConsumerRecord<String, ScanEvent>> scanEvents =
        events.stream().filter(r -> r.value() != null).toList();
    assertThat(scanEvents)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.key()).isEqualTo("2001:db8::1");
              assertThat(r.value().getIp()).isEqualTo("2001:db8::1");
              assertThat(r.value().getVulnerability()).isEqualTo("CVE-2021-26855");
              assertThat(r.value().getCountry()).isEqualTo("FR");
            });
    List<ConsumerRecord<byte[], byte[]>> watermarks =
        raw.stream().filter(r -> r.headers().lastHeader(Watermark.HEADER) != null).toList();
    assertThat(watermarks).extracting(ConsumerRecord::partition).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(watermarks)
        .allSatisfy(
            r -> {
              assertThat(r.key()).isNull();
              assertThat(r.value()).isNull();
              assertThat(Watermark.decode(r.headers().lastHeader(Watermark.HEADER).value()))
                  .contains(Instant.parse("2021-03-02T00:00:00Z"));
            });
  }
}
