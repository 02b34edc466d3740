package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanStatus;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class ScanTimestampExtractorTest {

  private final ScanTimestampExtractor extractor = new ScanTimestampExtractor();

  /** The broker's append time: what the extractor must ignore for events. */
  private static final long APPEND_TIME = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

  @Test
  void shouldUseObservedAtOfAnEventNotTheRecordTimestamp() {
    var event =
        TopologyHarness.event("s1", "2021-03-01T10:05:00.123Z", "192.0.2.1", ScanStatus.PATCHED);
    assertThat(extractor.extract(record(new ScanInput.Event(event, new byte[0])), 5L))
        .isEqualTo(Instant.parse("2021-03-01T10:05:00.123Z").toEpochMilli());
  }

  @Test
  void shouldUseTheInstantOfAWatermark() {
    long t = Instant.parse("2021-03-02T00:00:00Z").toEpochMilli();
    assertThat(extractor.extract(record(new ScanInput.Watermark(t)), 5L)).isEqualTo(t);
  }

  @Test
  void shouldKeepPartitionTimeForABrokenRecord() {
    var broken = new ScanInput.Broken(RejectReason.UNDECODABLE, "bad", new byte[] {1});
    assertThat(extractor.extract(record(broken), 42L)).isEqualTo(42L);
  }

  @Test
  void shouldNeverReturnANegativeTimestamp() {
    var event =
        TopologyHarness.event("s1", "1969-12-31T23:00:00Z", "192.0.2.1", ScanStatus.PATCHED);
    assertThat(extractor.extract(record(new ScanInput.Event(event, new byte[0])), -1L))
        .isEqualTo(APPEND_TIME);
  }

  private static ConsumerRecord<Object, Object> record(ScanInput value) {
    return new ConsumerRecord<>(
        "patchwatch.scans",
        0,
        0L,
        APPEND_TIME,
        org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME,
        0,
        0,
        null,
        value,
        new org.apache.kafka.common.header.internals.RecordHeaders(),
        java.util.Optional.empty());
  }
}
