package dev.patchwatch.topology;

import static dev.patchwatch.topology.TopologyHarness.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.ScanStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The aggregating stage writes its store only when the task commits, through {@link CommitHook}:
 * Kafka Streams' commit (here the test driver's, which runs a real {@code StreamTask}) must call
 * it, or nothing the stage holds would survive a restart.
 */
class CommitHookTest {

  private static final String HOST = "192.0.2.10";

  @Test
  void shouldWriteHeldCountsAtCommitAndDropThemOnceFinal() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(event("s1", "2021-03-01T10:05:00Z", HOST, ScanStatus.VULNERABLE, "FR", 3215));
      // live partials reach the aggregating stage at the next live interval; the driver commits
      // after each input and each wall-clock advance
      h.advanceWallClock(Duration.ofSeconds(1));

      KeyValueStore<Bytes, byte[]> store =
          h.driver.getKeyValueStore(AggregateProcessor.COUNTS_STORE);
      byte[] hourAll =
          AggregateKey.encode(
              Granularity.HOURLY,
              Instant.parse("2021-03-01T10:00:00Z").toEpochMilli(),
              "CVE-2021-26855",
              Dimension.COUNTRY,
              "FR");
      byte[] stored = store.get(Bytes.wrap(hourAll));
      assertThat(stored).isNotNull();
      assertThat(stored[0]).isEqualTo(Compact.FORMAT);
      Counts counts = SourceCounts.decode(stored).sum();
      assertThat(counts.hosts).isEqualTo(1);
      assertThat(counts.vulnerable).isEqualTo(1);
      // HOURLY and DAILY, 4 slices each (GLOBAL, COUNTRY, ASN, SCANNER)
      assertThat(keys(store)).hasSize(8);

      h.watermark("2021-03-02T02:00:00Z"); // closes the hour and the day (its grace is 2 h)
      assertThat(h.hourly.readValuesToList()).hasSize(4);
      assertThat(h.daily.readValuesToList()).hasSize(4);
      assertThat(keys(store))
          .as("final keys leave the store at the commit after their finals")
          .noneMatch(k -> AggregateKey.kind(k.get()).closesWith() != Granularity.EXPOSURE);
    }
  }

  private static List<Bytes> keys(KeyValueStore<Bytes, byte[]> store) {
    List<Bytes> keys = new ArrayList<>();
    try (var all = store.all()) {
      all.forEachRemaining(kv -> keys.add(kv.key));
    }
    return keys;
  }
}
