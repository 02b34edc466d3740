package dev.patchwatch.topology;

import static dev.patchwatch.topology.TopologyHarness.byDimension;
import static dev.patchwatch.topology.TopologyHarness.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.avro.internal.PartitionProgress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

class PatchWatchTopologyTest {

  private static final String HOST_A = "192.0.2.1";
  private static final String HOST_B = "2001:db8::1";

  @Test
  void shouldCountValidEventsLateOnesIncludedInTheAcceptedMetric() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(
          event("s1", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE),
          event("s1", "2021-03-01T10:06:00Z", "999.0.2.1", ScanStatus.VULNERABLE));
      h.watermark("2021-03-20T00:00:00Z");
      h.send(event("s1", "2021-03-01T10:07:00Z", HOST_B, ScanStatus.PATCHED));

      assertThat(h.rejected.readValuesToList())
          .extracting(r -> r.getReason())
          .containsExactlyInAnyOrder(RejectReason.INVALID_FIELD, RejectReason.LATE);
      double accepted =
          h.driver.metrics().entrySet().stream()
              .filter(
                  e ->
                      e.getKey().name().equals(PatchWatchTopology.EVENTS_ACCEPTED_METRIC)
                          && e.getKey().group().equals(PatchWatchTopology.METRICS_GROUP))
              .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
              .sum();
      assertThat(accepted).isEqualTo(2.0);
    }
  }

  @Test
  void shouldCountHostOnceWhenRescanned() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(
          event("s1", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE),
          event("s1", "2021-03-01T10:40:00Z", HOST_A, ScanStatus.PATCHED),
          event("s1", "2021-03-01T10:50:00Z", HOST_B, ScanStatus.VULNERABLE));
      // [10:00, 11:00) closes once progress >= 12:00 (1 h grace)
      h.watermark("2021-03-01T12:00:00Z");

      Map<String, RemediationCount> finals =
          byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      RemediationCount global = finals.get("GLOBAL/ALL");
      assertThat(global.getHosts()).isEqualTo(2);
      assertThat(global.getPatched()).isEqualTo(1);
      assertThat(global.getVulnerable()).isEqualTo(1);
      assertThat(global.getRemediatedRatio()).isEqualTo(0.5);
      assertThat(global.getWindowEnd()).isEqualTo(Instant.parse("2021-03-01T11:00:00Z"));
      assertThat(finals.get("SCANNER/s1").getHosts()).isEqualTo(2);
      assertThat(finals.get("COUNTRY/ZZ").getHosts()).isEqualTo(2);
      assertThat(finals.get("ASN/0").getHosts()).isEqualTo(2);
      assertThat(finals).hasSize(4);
    }
  }

  @Test
  void shouldPublishFinalsOnlyWhenProgressPassesEndPlusGrace() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(event("s1", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE));
      // progress 11:59:59.999 < 12:00: [10:00, 11:00) still open
      h.send(event("s1", "2021-03-01T11:59:59.999Z", HOST_B, ScanStatus.PATCHED));
      assertThat(h.hourly.isEmpty()).isTrue();
      // progress 12:00: closed
      h.send(event("s1", "2021-03-01T12:00:00Z", HOST_B, ScanStatus.PATCHED));
      List<KeyValue<dev.patchwatch.avro.CountKey, RemediationCount>> out =
          h.hourly.readKeyValuesToList();
      assertThat(out).isNotEmpty();
      assertThat(out)
          .allSatisfy(
              kv ->
                  assertThat(kv.key.getWindowStart())
                      .isEqualTo(Instant.parse("2021-03-01T10:00:00Z")));
      // a later watermark publishes [11:00, 12:00) and [12:00, 13:00), never [10:00, 11:00) again
      h.watermark("2021-03-02T00:00:00Z");
      assertThat(h.hourly.readKeyValuesToList())
          .extracting(kv -> kv.key.getWindowStart())
          .doesNotContain(Instant.parse("2021-03-01T10:00:00Z"))
          .contains(Instant.parse("2021-03-01T11:00:00Z"), Instant.parse("2021-03-01T12:00:00Z"));
    }
  }

  @Test
  void shouldTakeCountryAndAsnOfLatestEvent() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(
          event("s1", "2021-03-01T10:30:00Z", HOST_A, ScanStatus.VULNERABLE, "FR", 16276),
          event("s1", "2021-03-01T10:10:00Z", HOST_A, ScanStatus.VULNERABLE, "DE", 3320));
      h.watermark("2021-03-02T12:00:00Z");
      Map<String, RemediationCount> finals =
          byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(finals.keySet())
          .containsExactly("ASN/16276", "COUNTRY/FR", "GLOBAL/ALL", "SCANNER/s1");
    }
  }

  @Test
  void shouldBreakTiesByRankThenScannerThenEventId() {
    try (TopologyHarness h = new TopologyHarness()) {
      String at = "2021-03-01T10:00:00Z";
      // same instant: VULNERABLE (rank 3) beats PATCHED (rank 1) whatever the arrival order
      h.send(
          event("s1", at, HOST_A, ScanStatus.VULNERABLE, "FR", 1),
          event("s1", at, HOST_A, ScanStatus.PATCHED, "DE", 2));
      // same instant and status: scanner "b" beats "a"
      h.send(
          event("b", at, HOST_B, ScanStatus.PATCHED, "IT", 3),
          event("a", at, HOST_B, ScanStatus.PATCHED, "ES", 4));
      // same instant, status and scanner: eventId "2" beats "1", and an absent id sorts as ""
      String hostC = "198.51.100.7";
      h.send(
          ScanEvent.newBuilder(event("s1", at, hostC, ScanStatus.MITIGATED, "NL", 5))
              .setEventId("2")
              .build(),
          ScanEvent.newBuilder(event("s1", at, hostC, ScanStatus.MITIGATED, "BE", 6))
              .setEventId("1")
              .build(),
          event("s1", at, hostC, ScanStatus.MITIGATED, "LU", 7));
      h.watermark("2021-03-02T00:00:00Z");

      Map<String, RemediationCount> finals =
          byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(finals.get("GLOBAL/ALL").getHosts()).isEqualTo(3);
      assertThat(finals.get("GLOBAL/ALL").getVulnerable()).isEqualTo(1);
      assertThat(finals.get("GLOBAL/ALL").getPatched()).isEqualTo(1);
      assertThat(finals.get("GLOBAL/ALL").getMitigated()).isEqualTo(1);
      assertThat(finals).containsKeys("COUNTRY/FR", "COUNTRY/IT", "COUNTRY/NL");
      assertThat(finals).doesNotContainKeys("COUNTRY/DE", "COUNTRY/ES", "COUNTRY/BE", "COUNTRY/LU");
    }
  }

  @Test
  void shouldKeepFirstEventOfAnExactDuplicate() {
    try (TopologyHarness h = new TopologyHarness()) {
      // equal keys, different country: the first to arrive stays
      h.send(
          event("s1", "2021-03-01T10:00:00Z", HOST_A, ScanStatus.VULNERABLE, "FR", 1),
          event("s1", "2021-03-01T10:00:00Z", HOST_A, ScanStatus.VULNERABLE, "DE", 1));
      h.watermark("2021-03-02T00:00:00Z");
      Map<String, RemediationCount> finals =
          byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(finals).containsKey("COUNTRY/FR").doesNotContainKey("COUNTRY/DE");
    }
  }

  @Test
  void shouldCountCompromisedWhenAnyEventOfTheWindowSaysSo() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(
          ScanEvent.newBuilder(event("s1", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE))
              .setCompromised(true)
              .build(),
          event("s2", "2021-03-01T10:30:00Z", HOST_A, ScanStatus.PATCHED));
      h.watermark("2021-03-02T00:00:00Z");
      Map<String, RemediationCount> finals =
          byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(finals.get("GLOBAL/ALL").getCompromised()).isEqualTo(1);
      assertThat(finals.get("GLOBAL/ALL").getPatched()).isEqualTo(1);
      // each scanner's own view: s1 saw it vulnerable and compromised, s2 patched and clean
      assertThat(finals.get("SCANNER/s1").getVulnerable()).isEqualTo(1);
      assertThat(finals.get("SCANNER/s1").getCompromised()).isEqualTo(1);
      assertThat(finals.get("SCANNER/s2").getPatched()).isEqualTo(1);
      assertThat(finals.get("SCANNER/s2").getCompromised()).isZero();
    }
  }

  @Test
  void shouldIncludeHostsOfTheLookBackInExposure() {
    try (TopologyHarness h = new TopologyHarness()) {
      // EXPOSURE window ending 2021-03-10T00:00 covers [03-03, 03-10)
      h.send(
          event("s1", "2021-03-02T23:59:59.999Z", "192.0.2.8", ScanStatus.VULNERABLE), // before
          event("s1", "2021-03-03T00:00:00Z", HOST_A, ScanStatus.VULNERABLE), // first instant
          event("s1", "2021-03-09T23:59:59.999Z", HOST_B, ScanStatus.PATCHED), // last instant
          event("s1", "2021-03-09T12:00:00Z", HOST_A, ScanStatus.MITIGATED)); // A's latest
      // closes once progress >= 03-10T02:00 (2 h grace); every window holding these events
      // closes by 03-17T02:00
      h.watermark("2021-03-20T00:00:00Z");
      Map<String, RemediationCount> finals =
          byDimension(h.exposure.readKeyValuesToList(), "2021-03-03T00:00:00Z");
      RemediationCount global = finals.get("GLOBAL/ALL");
      assertThat(global.getWindowEnd()).isEqualTo(Instant.parse("2021-03-10T00:00:00Z"));
      assertThat(global.getHosts()).isEqualTo(2);
      assertThat(global.getMitigated()).isEqualTo(1);
      assertThat(global.getPatched()).isEqualTo(1);
      assertThat(global.getVulnerable()).isZero();
    }
  }

  @Test
  void shouldRejectLateEventsAndStillCountThemWhereWindowsAreOpen() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(event("s1", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE));
      // progress 12:30 closes [10:00, 11:00) (at 12:00) but not the day (closes 03-02T02:00)
      h.send(event("s1", "2021-03-01T12:30:00Z", HOST_A, ScanStatus.VULNERABLE));
      h.send(event("s1", "2021-03-01T10:10:00Z", HOST_B, ScanStatus.PATCHED)); // late for HOURLY

      List<Rejected> rejected = h.rejected.readValuesToList();
      assertThat(rejected).hasSize(1);
      assertThat(rejected.get(0).getReason()).isEqualTo(RejectReason.LATE);
      assertThat(rejected.get(0).getGranularities()).containsExactly(Granularity.HOURLY);
      assertThat(rejected.get(0).getOrigin().getOffset()).isEqualTo(2L);

      h.watermark("2021-03-20T00:00:00Z");
      assertThat(
              byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z")
                  .get("GLOBAL/ALL")
                  .getHosts())
          .isEqualTo(1);
      assertThat(
              byDimension(h.daily.readKeyValuesToList(), "2021-03-01T00:00:00Z")
                  .get("GLOBAL/ALL")
                  .getHosts())
          .isEqualTo(2);
    }
  }

  @Test
  void shouldRejectInvalidAndUndecodableRecordsWithoutCountingThem() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(event("bad scanner", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE));
      byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
      h.rawScans.pipeInput(HOST_A.getBytes(StandardCharsets.UTF_8), garbage);
      byte[] unknownId = ByteBuffer.allocate(6).put((byte) 0).putInt(999).put((byte) 2).array();
      h.rawScans.pipeInput(HOST_A.getBytes(StandardCharsets.UTF_8), unknownId);
      // keyed by a non-canonical spelling of the IP
      h.scans.pipeInput(
          "2001:DB8::1", event("s1", "2021-03-01T10:05:00Z", "2001:DB8::1", ScanStatus.PATCHED));
      h.watermark("2021-03-20T00:00:00Z");

      List<Rejected> rejected = h.rejected.readValuesToList();
      assertThat(rejected)
          .extracting(Rejected::getReason)
          .containsExactly(
              RejectReason.INVALID_FIELD,
              RejectReason.UNDECODABLE,
              RejectReason.UNKNOWN_SCHEMA,
              RejectReason.KEY_MISMATCH);
      assertThat(rejected.get(1).getOriginal()).isEqualTo(ByteBuffer.wrap(garbage));
      assertThat(rejected.get(1).getOrigin().getTopic()).isEqualTo("patchwatch.scans");
      assertThat(rejected.get(0).getMessage()).contains("scanner");
      assertThat(h.hourly.isEmpty()).isTrue();
    }
  }

  @Test
  void shouldNeverMoveProgressWithRejectedRecords() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(event("s1", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE));
      // invalid (bad status spelling is impossible in Avro, so a bad scanner) and far later
      h.send(event("bad scanner", "2021-03-05T10:05:00Z", HOST_B, ScanStatus.VULNERABLE));
      // still open: a valid event in [10:00, 11:00) is not late
      h.send(event("s1", "2021-03-01T10:06:00Z", HOST_B, ScanStatus.VULNERABLE));
      assertThat(h.rejected.readValuesToList())
          .extracting(Rejected::getReason)
          .containsExactly(RejectReason.INVALID_FIELD);
      assertThat(h.hourly.isEmpty()).isTrue();
    }
  }

  @Test
  void shouldPublishLiveCountsForOpenWindowsOncePerInterval() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(
          event("s1", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE, "FR", 1),
          event("s1", "2021-03-01T10:06:00Z", HOST_B, ScanStatus.VULNERABLE, "FR", 1));
      assertThat(h.live.isEmpty()).isTrue();
      // one punctuation of stage A sends partials, the next of stage B publishes them
      h.advanceWallClock(h.settings.liveInterval());
      h.advanceWallClock(h.settings.liveInterval());
      Map<String, RemediationCount> live =
          byDimension(h.live.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(live.get("COUNTRY/FR").getHosts()).isEqualTo(2);
      assertThat(live.get("COUNTRY/FR").getVulnerable()).isEqualTo(2);
      // EXPOSURE windows are recounted at their own, longer interval: the 7 holding 10:06
      h.advanceWallClock(h.settings.exposureLiveInterval());
      h.advanceWallClock(h.settings.liveInterval());
      assertThat(h.live.readKeyValuesToList())
          .filteredOn(kv -> kv.key.getValue().equals("FR"))
          .hasSize(7)
          .allSatisfy(
              kv -> {
                assertThat(kv.key.getGranularity()).isEqualTo(Granularity.EXPOSURE);
                assertThat(kv.value.getHosts()).isEqualTo(2);
              });

      // A moves to DE: FR drops to one host, DE appears
      h.send(event("s1", "2021-03-01T10:07:00Z", HOST_A, ScanStatus.PATCHED, "DE", 1));
      h.advanceWallClock(h.settings.liveInterval());
      h.advanceWallClock(h.settings.liveInterval());
      live = byDimension(h.live.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(live.get("COUNTRY/FR").getHosts()).isEqualTo(1);
      assertThat(live.get("COUNTRY/DE").getPatched()).isEqualTo(1);

      // B moves to DE too: FR has no host left and is removed with a tombstone, in the hour and
      // the day at the next live interval
      h.send(event("s1", "2021-03-01T10:08:00Z", HOST_B, ScanStatus.PATCHED, "DE", 1));
      h.advanceWallClock(h.settings.liveInterval());
      h.advanceWallClock(h.settings.liveInterval());
      var records = h.live.readKeyValuesToList();
      assertThat(records)
          .filteredOn(kv -> kv.key.getValue().equals("FR"))
          .extracting(kv -> kv.key.getGranularity())
          .containsExactlyInAnyOrder(Granularity.HOURLY, Granularity.DAILY);
      assertThat(records)
          .filteredOn(kv -> kv.key.getValue().equals("FR"))
          .allSatisfy(kv -> assertThat(kv.value).isNull());

      // and in the 7 EXPOSURE windows holding 10:08 once they are recounted, at the longer
      // exposure live interval
      h.advanceWallClock(h.settings.exposureLiveInterval());
      h.advanceWallClock(h.settings.liveInterval());
      records = h.live.readKeyValuesToList();
      assertThat(records)
          .filteredOn(kv -> kv.key.getValue().equals("FR"))
          .hasSize(7)
          .allSatisfy(
              kv -> {
                assertThat(kv.key.getGranularity()).isEqualTo(Granularity.EXPOSURE);
                assertThat(kv.value).isNull();
              });
    }
  }

  @Test
  void shouldPublishOnlyFinalsToLiveWhenCatchingUp() {
    TopologySettings catchingUp = TopologySettings.defaults(1).withLiveOutput(false);
    try (TopologyHarness h = new TopologyHarness(catchingUp)) {
      h.send(
          event("s1", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE, "FR", 1),
          event("s1", "2021-03-01T10:06:00Z", HOST_B, ScanStatus.PATCHED, "DE", 1));
      h.advanceWallClock(catchingUp.exposureLiveInterval());
      h.advanceWallClock(catchingUp.exposureLiveInterval());
      assertThat(h.live.isEmpty()).isTrue();

      // closes [10:00, 11:00) only: its finals, and nothing of the windows still open
      h.watermark("2021-03-01T12:00:00Z");
      h.advanceWallClock(catchingUp.exposureLiveInterval());
      var live = h.live.readKeyValuesToList();
      assertThat(live).isNotEmpty();
      assertThat(live)
          .allSatisfy(kv -> assertThat(kv.key.getGranularity()).isEqualTo(Granularity.HOURLY));
      assertThat(byDimension(live, "2021-03-01T10:00:00Z"))
          .isEqualTo(byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z"));
    }
  }

  @Test
  void shouldWriteFinalValuesToLiveWhenWindowCloses() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(event("s1", "2021-03-01T10:05:00Z", HOST_A, ScanStatus.VULNERABLE));
      h.watermark("2021-03-01T12:00:00Z");
      var finals = byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      var live = byDimension(h.live.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(live).isEqualTo(finals);
    }
  }

  @Test
  void shouldAdoptProgressOfActivePartitionsWhenIdle() {
    TopologySettings settings =
        TopologySettings.defaults(2)
            .withStoreType(TopologySettings.StoreType.IN_MEMORY)
            .withIdleTimeout(Duration.ofSeconds(30));
    try (TopologyHarness h = new TopologyHarness(settings)) {
      // partition 1, which TopologyTestDriver does not run, reports progress 03-02T00:00
      long other = Instant.parse("2021-03-02T00:00:00Z").toEpochMilli();
      h.progressIn.pipeInput(1, new PartitionProgress(other, false));
      h.advanceWallClock(Duration.ofSeconds(29));
      assertThat(h.progressOut.readValuesToList())
          .extracting(PartitionProgress::getProgress)
          .doesNotContain(other);
      // 30 s without a record on partition 0: it goes idle and takes partition 1's progress
      h.advanceWallClock(Duration.ofSeconds(1));
      List<KeyValue<Integer, PartitionProgress>> announced = h.progressOut.readKeyValuesToList();
      assertThat(announced)
          .filteredOn(kv -> kv.key == 0)
          .last()
          .satisfies(
              kv -> {
                assertThat(kv.value.getIdle()).isTrue();
                assertThat(kv.value.getProgress()).isEqualTo(other);
              });
      // having adopted it, it judges lateness by it: an event of 03-01T10:00 is late for HOURLY
      String host = hostOnPartition(0, 2);
      h.send(event("s1", "2021-03-01T10:00:00Z", host, ScanStatus.VULNERABLE));
      assertThat(h.rejected.readValuesToList())
          .singleElement()
          .satisfies(r -> assertThat(r.getGranularities()).containsExactly(Granularity.HOURLY));
    }
  }

  @Test
  void shouldRejectEventsOnTheWrongPartition() {
    try (TopologyHarness h =
        new TopologyHarness(
            TopologySettings.defaults(2).withStoreType(TopologySettings.StoreType.IN_MEMORY))) {
      h.send(event("s1", "2021-03-01T10:00:00Z", hostOnPartition(1, 2), ScanStatus.VULNERABLE));
      assertThat(h.rejected.readValuesToList())
          .extracting(Rejected::getReason)
          .containsExactly(RejectReason.WRONG_PARTITION);
    }
  }

  /** An IPv4 host that Kafka's default partitioner puts on {@code partition} of {@code of}. */
  static String hostOnPartition(int partition, int of) {
    for (int i = 1; ; i++) {
      String ip = "203.0.113." + i;
      if (Utils.toPositive(Utils.murmur2(ip.getBytes(StandardCharsets.UTF_8))) % of == partition) {
        return ip;
      }
    }
  }
}
