package dev.patchwatch.topology;

import static dev.patchwatch.topology.TopologyHarness.byDimension;
import static dev.patchwatch.topology.TopologyHarness.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * A reprocessing run limited to observedAt in [10:00, 12:00) on 2021-03-01: events outside are
 * neither counted nor rejected, but move progress as in a run over everything (DESIGN 7.5).
 */
class EventTimeRangeTopologyTest {

  private static final String HOST_A = "192.0.2.1";
  private static final String HOST_B = "192.0.2.2";
  private static final String HOST_C = "192.0.2.3";
  private static final String HOST_D = "192.0.2.4";

  private static TopologyHarness limitedRun() {
    return new TopologyHarness(
        TopologySettings.defaults(1)
            .withStoreType(TopologySettings.StoreType.IN_MEMORY)
            .withEventTimeRange(
                EventTimeRange.of(
                    Instant.parse("2021-03-01T10:00:00Z"), Instant.parse("2021-03-01T12:00:00Z"))));
  }

  @Test
  void shouldCountOnlyEventsObservedInsideTheRange() {
    try (TopologyHarness h = limitedRun()) {
      h.send(
          event("s1", "2021-03-01T09:59:59.999Z", HOST_A, ScanStatus.VULNERABLE), // before from
          event("s1", "2021-03-01T10:00:00Z", HOST_B, ScanStatus.VULNERABLE), // at from: counted
          event("s1", "2021-03-01T11:59:59.999Z", HOST_C, ScanStatus.PATCHED), // last counted ms
          event("s1", "2021-03-01T12:00:00Z", HOST_D, ScanStatus.VULNERABLE)); // at to: not counted
      h.watermark("2021-03-02T12:00:00Z");

      List<KeyValue<CountKey, RemediationCount>> hourly = h.hourly.readKeyValuesToList();
      assertThat(hourly)
          .extracting(kv -> kv.key.getWindowStart())
          .containsOnly(
              Instant.parse("2021-03-01T10:00:00Z"), Instant.parse("2021-03-01T11:00:00Z"));
      assertThat(byDimension(hourly, "2021-03-01T10:00:00Z").get("GLOBAL/ALL").getVulnerable())
          .isEqualTo(1);
      assertThat(byDimension(hourly, "2021-03-01T11:00:00Z").get("GLOBAL/ALL").getPatched())
          .isEqualTo(1);
      Map<String, RemediationCount> day =
          byDimension(h.daily.readKeyValuesToList(), "2021-03-01T00:00:00Z");
      assertThat(day.get("GLOBAL/ALL").getHosts()).isEqualTo(2);
      assertThat(h.rejected.isEmpty()).isTrue();
    }
  }

  @Test
  void shouldMoveProgressWithEventsOutsideTheRangeAndJudgeLatenessAsAFullRun() {
    try (TopologyHarness h = limitedRun()) {
      h.send(event("s1", "2021-03-01T10:05:00Z", HOST_B, ScanStatus.VULNERABLE));
      assertThat(h.hourly.isEmpty()).isTrue();
      // outside the range, yet progress 12:00 closes [10:00, 11:00) (1 h grace): no watermark
      // needed
      h.send(event("s1", "2021-03-01T12:00:00Z", HOST_D, ScanStatus.VULNERABLE));
      Map<String, RemediationCount> tenToEleven =
          byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(tenToEleven.get("GLOBAL/ALL").getHosts()).isEqualTo(1);

      // inside the range but after its hour closed: LATE for HOURLY, as a run over everything says
      h.send(event("s1", "2021-03-01T10:30:00Z", HOST_C, ScanStatus.PATCHED));
      List<Rejected> rejected = h.rejected.readValuesToList();
      assertThat(rejected).hasSize(1);
      assertThat(rejected.get(0).getReason()).isEqualTo(RejectReason.LATE);
      assertThat(rejected.get(0).getGranularities()).containsExactly(Granularity.HOURLY);

      h.watermark("2021-03-02T12:00:00Z");
      Map<String, RemediationCount> day =
          byDimension(h.daily.readKeyValuesToList(), "2021-03-01T00:00:00Z");
      assertThat(day.get("GLOBAL/ALL").getHosts())
          .as("B and the late C; D is outside")
          .isEqualTo(2);
    }
  }

  @Test
  void shouldNotRejectAnEventOutsideTheRangeEvenWhenItWouldBeLate() {
    try (TopologyHarness h = limitedRun()) {
      h.send(event("s1", "2021-03-01T12:00:00Z", HOST_D, ScanStatus.VULNERABLE));
      // 09:00 is LATE for [09:00, 10:00) at progress 12:00, but outside the range: ignored
      h.send(event("s1", "2021-03-01T09:00:00Z", HOST_A, ScanStatus.VULNERABLE));
      h.watermark("2021-03-02T12:00:00Z");
      assertThat(h.rejected.isEmpty()).isTrue();
      assertThat(h.hourly.isEmpty()).isTrue();
      assertThat(h.daily.isEmpty()).isTrue();
    }
  }
}
