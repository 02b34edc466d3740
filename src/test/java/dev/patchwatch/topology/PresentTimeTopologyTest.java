package dev.patchwatch.topology;

import static dev.patchwatch.topology.TopologyHarness.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.event.EventContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Test;

/**
 * Live telemetry on today's clock: events up to a day ahead are counted, watermarks past that (or
 * past what epoch milliseconds hold) are rejected and close nothing, and no record, however broken,
 * stops the topology.
 */
class PresentTimeTopologyTest {

  /** The stream thread's clock: today, mid-morning. */
  private static final Instant NOW = Instant.parse("2026-11-30T09:30:00Z");

  private static final String HOST_A = "192.0.2.10";
  private static final String HOST_B = "192.0.2.11";

  private static TopologyHarness harness() {
    return new TopologyHarness(
        TopologySettings.defaults(1).withStoreType(TopologySettings.StoreType.IN_MEMORY), NOW);
  }

  @Test
  void shouldCountAnEventTwoHoursAheadOfTheClock() {
    try (TopologyHarness h = harness()) {
      // in [11:00, 12:00), two hours ahead of the thread's clock: valid, a scanner's clock is off
      h.send(event("s1", "2026-11-30T11:30:00Z", HOST_A, ScanStatus.VULNERABLE));
      // closes [11:00, 12:00) + 1 h grace; within a day of the clock, so accepted
      h.watermark("2026-11-30T13:00:00Z");

      assertThat(h.rejected.isEmpty()).isTrue();
      RemediationCount global =
          TopologyHarness.byDimension(h.hourly.readKeyValuesToList(), "2026-11-30T11:00:00Z")
              .get(Dimension.GLOBAL + "/ALL");
      assertThat(global.getHosts()).isEqualTo(1);
      assertThat(global.getVulnerable()).isEqualTo(1);
    }
  }

  @Test
  void shouldAcceptAWatermarkExactlyADayAheadAndRejectOneJustPastIt() {
    try (TopologyHarness h = harness()) {
      h.send(event("s1", "2026-11-30T09:00:00Z", HOST_A, ScanStatus.PATCHED));
      h.watermark("2026-12-01T09:30:00.001Z");
      // the rejected watermark moved nothing: an event of [08:00, 09:00) is still on time
      h.send(event("s1", "2026-11-30T08:10:00Z", HOST_B, ScanStatus.VULNERABLE));
      assertThat(h.hourly.isEmpty()).isTrue();
      h.watermark("2026-12-01T09:30:00Z");

      List<Rejected> rejected = h.rejected.readValuesToList();
      assertThat(rejected).extracting(Rejected::getReason).containsExactly(INVALID_WATERMARK);
      assertThat(rejected.get(0).getMessage())
          .contains("2026-12-01T09:30:00.001Z", "24 h ahead", "2026-11-30T09:30:00Z");
      assertThat(
              TopologyHarness.byDimension(h.hourly.readKeyValuesToList(), "2026-11-30T08:00:00Z")
                  .get(Dimension.GLOBAL + "/ALL")
                  .getHosts())
          .isEqualTo(1);
    }
  }

  @Test
  void shouldRejectFarFutureAndOverflowingWatermarksAndKeepCounting() {
    try (TopologyHarness h = harness()) {
      h.watermarkHeader("9999-12-31T23:59:59Z");
      // Instant.MAX: parses, but is no epoch millisecond
      h.watermarkHeader("+1000000000-12-31T23:59:59.999999999Z");
      h.watermarkHeader("-1000000000-01-01T00:00:00Z");
      h.watermarkHeader("tomorrow");
      h.send(event("s1", "2026-11-30T09:10:00Z", HOST_A, ScanStatus.MITIGATED));
      h.watermark("2026-11-30T11:00:00Z");

      List<Rejected> rejected = h.rejected.readValuesToList();
      assertThat(rejected)
          .extracting(Rejected::getReason)
          .containsExactly(
              INVALID_WATERMARK, INVALID_WATERMARK, INVALID_WATERMARK, INVALID_WATERMARK);
      assertThat(rejected.get(1).getMessage()).contains("epoch milliseconds");
      assertThat(rejected.get(3).getMessage()).contains("does not hold an ISO-8601 instant");
      assertThat(
              TopologyHarness.byDimension(h.hourly.readKeyValuesToList(), "2026-11-30T09:00:00Z")
                  .get(Dimension.GLOBAL + "/ALL")
                  .getMitigated())
          .isEqualTo(1);
    }
  }

  @Test
  void shouldAcceptAFurtherWatermarkWhenTheSettingsAllowIt() {
    TopologySettings replayLike =
        TopologySettings.defaults(1)
            .withStoreType(TopologySettings.StoreType.IN_MEMORY)
            .withWatermarkAhead(Duration.ofDays(10));
    try (TopologyHarness h = new TopologyHarness(replayLike, NOW)) {
      h.send(event("s1", "2026-11-30T09:10:00Z", HOST_A, ScanStatus.VULNERABLE));
      // replay's closing watermark for this input: max observedAt + 7 d + 2 h + 1 d
      h.watermark("2026-12-08T11:10:00Z");
      assertThat(h.rejected.isEmpty()).isTrue();
      assertThat(
              TopologyHarness.byDimension(h.exposure.readKeyValuesToList(), "2026-11-30T00:00:00Z")
                  .get(Dimension.GLOBAL + "/ALL")
                  .getVulnerable())
          .isEqualTo(1);
    }
  }

  @Test
  void shouldRejectAnUndecodablePartialsRecordInsteadOfStoppingTheTask() {
    try (TopologyHarness h = harness()) {
      TestInputTopic<byte[], byte[]> partials =
          h.driver.createInputTopic(
              h.settings.applicationId() + "-" + PatchWatchTopology.PARTIALS + "-repartition",
              Serdes.ByteArray().serializer(),
              Serdes.ByteArray().serializer());
      byte[] garbage = new byte[3000];
      Arrays.fill(garbage, (byte) 0x7f);
      partials.pipeInput(new byte[4], garbage);
      // the topology goes on counting
      h.send(event("s1", "2026-11-30T09:10:00Z", HOST_A, ScanStatus.PATCHED));
      h.watermark("2026-11-30T11:00:00Z");

      List<Rejected> rejected = h.rejected.readValuesToList();
      assertThat(rejected).extracting(Rejected::getReason).containsExactly(UNDECODABLE);
      Rejected r = rejected.get(0);
      assertThat(r.getOrigin().getTopic()).endsWith("-partials-repartition");
      assertThat(r.getOriginal().remaining()).isEqualTo(EventContract.KEPT_BYTES);
      assertThat(r.getMessage()).contains("3000 bytes");
      assertThat(
              TopologyHarness.byDimension(h.hourly.readKeyValuesToList(), "2026-11-30T09:00:00Z")
                  .get(Dimension.GLOBAL + "/ALL")
                  .getPatched())
          .isEqualTo(1);
    }
  }

  @Test
  void shouldRejectAnOversizeScansRecordKeepingOnlyItsFirstBytes() {
    TopologySettings small =
        TopologySettings.defaults(1)
            .withStoreType(TopologySettings.StoreType.IN_MEMORY)
            .withMaxEventBytes(2048);
    try (TopologyHarness h = new TopologyHarness(small, NOW)) {
      byte[] big = new byte[5000];
      Arrays.fill(big, (byte) 'x');
      h.rawScans.pipeInput(HOST_A.getBytes(StandardCharsets.UTF_8), big);
      h.send(event("s1", "2026-11-30T09:10:00Z", HOST_A, ScanStatus.PATCHED));
      h.watermark("2026-11-30T11:00:00Z");

      Rejected r = h.rejected.readValuesToList().get(0);
      assertThat(r.getReason()).isEqualTo(RejectReason.TOO_LARGE);
      assertThat(r.getMessage()).contains("5000 bytes", "2048");
      assertThat(r.getOriginal().remaining()).isEqualTo(EventContract.KEPT_BYTES);
      assertThat(
              TopologyHarness.byDimension(h.hourly.readKeyValuesToList(), "2026-11-30T09:00:00Z")
                  .get(Dimension.GLOBAL + "/ALL")
                  .getPatched())
          .isEqualTo(1);
    }
  }

  private static final RejectReason INVALID_WATERMARK = RejectReason.INVALID_WATERMARK;
  private static final RejectReason UNDECODABLE = RejectReason.UNDECODABLE;
}
