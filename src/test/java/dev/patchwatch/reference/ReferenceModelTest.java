package dev.patchwatch.reference;

import static dev.patchwatch.avro.Dimension.ASN;
import static dev.patchwatch.avro.Dimension.COUNTRY;
import static dev.patchwatch.avro.Dimension.GLOBAL;
import static dev.patchwatch.avro.Dimension.SCANNER;
import static dev.patchwatch.avro.Granularity.DAILY;
import static dev.patchwatch.avro.Granularity.EXPOSURE;
import static dev.patchwatch.avro.Granularity.HOURLY;
import static dev.patchwatch.avro.ScanStatus.MITIGATED;
import static dev.patchwatch.avro.ScanStatus.PATCHED;
import static dev.patchwatch.avro.ScanStatus.UNREACHABLE;
import static dev.patchwatch.avro.ScanStatus.VULNERABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.reference.ReferenceModel.LateEvent;
import dev.patchwatch.reference.ReferenceModel.Result;
import dev.patchwatch.reference.ReferenceModel.Settings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked cases for {@link ReferenceModel}. Every expected number is derived in the comments
 * from DESIGN sections 3 and 7, never computed by the model, so a wrong model fails here before it
 * can wrongly fail (or pass) the topology.
 */
class ReferenceModelTest {

  private static final String CVE = "CVE-2021-26855";
  private static final String OTHER_CVE = "CVE-2021-27065";

  // With 2 partitions Kafka's default partitioner puts HOST_A and HOST_C on 0, HOST_B and HOST_D on
  // 1
  // (checked in shouldDecideLatenessPerPartition); with 1 partition everything is on 0.
  private static final String HOST_A = "192.0.2.3";
  private static final String HOST_B = "192.0.2.1";
  private static final String HOST_C = "198.51.100.7";
  private static final String HOST_D = "2001:db8::2";

  @Test
  void shouldCountHostOnceWhenRescanned() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:05:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-10T10:20:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-10T10:40:00Z", HOST_A, VULNERABLE).build());

    Result result = ReferenceModel.compute(events, 1);

    // all three in [10:00, 11:00): one host, vulnerable, ratio 0 / 1
    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .containsExactly(
            hourly("10:00", GLOBAL, "ALL", 1, 1, 0, 0, 0, 0, 0.0),
            hourly("10:00", COUNTRY, "US", 1, 1, 0, 0, 0, 0, 0.0),
            hourly("10:00", ASN, "64500", 1, 1, 0, 0, 0, 0, 0.0),
            hourly("10:00", SCANNER, "s1", 1, 1, 0, 0, 0, 0, 0.0));
    assertThat(finals(result, DAILY, "2021-03-10T00:00:00Z"))
        .extracting(RemediationCount::getHosts)
        .containsExactly(1L, 1L, 1L, 1L);
    assertThat(result.late()).isEmpty();
  }

  @Test
  void shouldTakeStatusCountryAndAsnFromLatestEventNotLastArrived() {
    List<ScanEvent> events =
        List.of(
            // arrives first but observed last: it is the latest
            scan("s1", "2021-03-10T10:50:00Z", HOST_A, PATCHED)
                .setCountry("DE")
                .setAsn(64501L)
                .build(),
            // [10:00, 11:00) closes once progress >= 12:00 (grace 1h): progress 10:50, still open
            scan("s1", "2021-03-10T10:05:00Z", HOST_A, VULNERABLE).build());

    Result result = ReferenceModel.compute(events, 1);

    // no US / 64500 record: the host is counted once, where its latest event puts it
    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .containsExactly(
            hourly("10:00", GLOBAL, "ALL", 1, 0, 0, 1, 0, 0, 1.0),
            hourly("10:00", COUNTRY, "DE", 1, 0, 0, 1, 0, 0, 1.0),
            hourly("10:00", ASN, "64501", 1, 0, 0, 1, 0, 0, 1.0),
            hourly("10:00", SCANNER, "s1", 1, 0, 0, 1, 0, 0, 1.0));
    assertThat(result.late()).isEmpty();
  }

  @Test
  void shouldBreakObservedAtTieByStatusRank() {
    List<ScanEvent> events =
        List.of(
            // HOST_A: PATCHED (1) then VULNERABLE (3) at the same instant: VULNERABLE, US
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, PATCHED)
                .setCountry("FR")
                .setAsn(64503L)
                .build(),
            scan("s2", "2021-03-10T10:30:00Z", HOST_A, VULNERABLE).build(),
            // HOST_C: the same two in the other order: still VULNERABLE, US
            scan("s2", "2021-03-10T10:30:00Z", HOST_C, VULNERABLE).build(),
            scan("s1", "2021-03-10T10:30:00Z", HOST_C, PATCHED)
                .setCountry("FR")
                .setAsn(64503L)
                .build(),
            // HOST_D: MITIGATED (2) beats UNREACHABLE (0): MITIGATED, DE
            scan("s1", "2021-03-10T10:30:00Z", HOST_D, MITIGATED)
                .setCountry("DE")
                .setAsn(64501L)
                .build(),
            scan("s2", "2021-03-10T10:30:00Z", HOST_D, UNREACHABLE)
                .setCountry("ZZ")
                .setAsn(0L)
                .build());

    Result result = ReferenceModel.compute(events, 1);

    // GLOBAL: A, C vulnerable, D mitigated: ratio 1 / 3
    // s1 alone: A, C patched, D mitigated: ratio 3 / 3; s2 alone: A, C vulnerable, D unreachable: 0
    // / 2
    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .containsExactly(
            hourly("10:00", GLOBAL, "ALL", 3, 2, 1, 0, 0, 0, 1.0 / 3),
            hourly("10:00", COUNTRY, "DE", 1, 0, 1, 0, 0, 0, 1.0),
            hourly("10:00", COUNTRY, "US", 2, 2, 0, 0, 0, 0, 0.0),
            hourly("10:00", ASN, "64500", 2, 2, 0, 0, 0, 0, 0.0),
            hourly("10:00", ASN, "64501", 1, 0, 1, 0, 0, 0, 1.0),
            hourly("10:00", SCANNER, "s1", 3, 0, 1, 2, 0, 0, 1.0),
            hourly("10:00", SCANNER, "s2", 3, 2, 0, 0, 1, 0, 0.0));
  }

  @Test
  void shouldBreakStatusTieByScannerInCodePointOrder() {
    // 'Z' is U+005A and 'a' U+0061, so "alpha" > "Zeta" (a case-insensitive order would say the
    // opposite)
    List<ScanEvent> events =
        List.of(
            scan("alpha", "2021-03-10T10:30:00Z", HOST_A, PATCHED)
                .setCountry("FR")
                .setAsn(64503L)
                .build(),
            scan("Zeta", "2021-03-10T10:30:00Z", HOST_A, PATCHED)
                .setCountry("DE")
                .setAsn(64501L)
                .build(),
            scan("Zeta", "2021-03-10T10:30:00Z", HOST_C, PATCHED)
                .setCountry("DE")
                .setAsn(64501L)
                .build(),
            scan("alpha", "2021-03-10T10:30:00Z", HOST_C, PATCHED)
                .setCountry("FR")
                .setAsn(64503L)
                .build());

    Result result = ReferenceModel.compute(events, 1);

    // both hosts take alpha's FR / 64503 whatever the arrival order; scanner values sort "Zeta" <
    // "alpha"
    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .containsExactly(
            hourly("10:00", GLOBAL, "ALL", 2, 0, 0, 2, 0, 0, 1.0),
            hourly("10:00", COUNTRY, "FR", 2, 0, 0, 2, 0, 0, 1.0),
            hourly("10:00", ASN, "64503", 2, 0, 0, 2, 0, 0, 1.0),
            hourly("10:00", SCANNER, "Zeta", 2, 0, 0, 2, 0, 0, 1.0),
            hourly("10:00", SCANNER, "alpha", 2, 0, 0, 2, 0, 0, 1.0));
  }

  @Test
  void shouldBreakRemainingTieByEventIdWithAbsentAsEmpty() {
    List<ScanEvent> events =
        List.of(
            // "a" > "" (absent): FR for both hosts, whatever the arrival order
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, PATCHED)
                .setEventId("a")
                .setCountry("FR")
                .build(),
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, PATCHED).setCountry("DE").build(),
            scan("s1", "2021-03-10T10:30:00Z", HOST_C, PATCHED).setCountry("DE").build(),
            scan("s1", "2021-03-10T10:30:00Z", HOST_C, PATCHED)
                .setEventId("a")
                .setCountry("FR")
                .build());

    Result result = ReferenceModel.compute(events, 1);

    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .filteredOn(count -> count.getDimension() == COUNTRY)
        .containsExactly(hourly("10:00", COUNTRY, "FR", 2, 0, 0, 2, 0, 0, 1.0));
  }

  @Test
  void shouldCompareEventIdsByCodePointNotUtf16Unit() {
    // U+1F600 (UTF-16 D83D DE00) > U+FF21 by code point; String.compareTo would rank U+FF21 higher
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, PATCHED)
                .setEventId("\uD83D\uDE00")
                .setCountry("NL")
                .build(),
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, PATCHED)
                .setEventId("\uFF21")
                .setCountry("JP")
                .build());

    Result result = ReferenceModel.compute(events, 1);

    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .filteredOn(count -> count.getDimension() == COUNTRY)
        .containsExactly(hourly("10:00", COUNTRY, "NL", 1, 0, 0, 1, 0, 0, 1.0));
  }

  @Test
  void shouldKeepFirstOfExactDuplicates() {
    List<ScanEvent> events =
        List.of(
            // HOST_A: resent with another geolocation; equal keys, so the first (US) stays
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, PATCHED).setEventId("e1").build(),
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, PATCHED)
                .setEventId("e1")
                .setCountry("DE")
                .setAsn(64501L)
                .build(),
            // HOST_C: DE first, then FR: DE stays (had the last one won, A would be DE and C FR)
            scan("s1", "2021-03-10T10:30:00Z", HOST_C, PATCHED)
                .setEventId("e1")
                .setCountry("DE")
                .setAsn(64501L)
                .build(),
            scan("s1", "2021-03-10T10:30:00Z", HOST_C, PATCHED)
                .setEventId("e1")
                .setCountry("FR")
                .setAsn(64503L)
                .build());

    Result result = ReferenceModel.compute(events, 1);

    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .containsExactly(
            hourly("10:00", GLOBAL, "ALL", 2, 0, 0, 2, 0, 0, 1.0),
            hourly("10:00", COUNTRY, "DE", 1, 0, 0, 1, 0, 0, 1.0),
            hourly("10:00", COUNTRY, "US", 1, 0, 0, 1, 0, 0, 1.0),
            hourly("10:00", ASN, "64500", 1, 0, 0, 1, 0, 0, 1.0),
            hourly("10:00", ASN, "64501", 1, 0, 0, 1, 0, 0, 1.0),
            hourly("10:00", SCANNER, "s1", 2, 0, 0, 2, 0, 0, 1.0));
  }

  @Test
  void shouldKeepHostCompromisedWhenAnyEventInWindowSaysSo() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:05:00Z", HOST_A, VULNERABLE).setCompromised(true).build(),
            scan("s1", "2021-03-10T10:40:00Z", HOST_A, PATCHED).build(),
            scan("s1", "2021-03-10T11:10:00Z", HOST_A, PATCHED).build());

    Result result = ReferenceModel.compute(events, 1);

    // [10:00, 11:00): patched now, but a web shell was seen in the window
    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .first()
        .isEqualTo(hourly("10:00", GLOBAL, "ALL", 1, 0, 0, 1, 0, 1, 1.0));
    // [11:00, 12:00) holds no compromised event
    assertThat(finals(result, HOURLY, "2021-03-10T11:00:00Z"))
        .first()
        .isEqualTo(hourly("11:00", GLOBAL, "ALL", 1, 0, 0, 1, 0, 0, 1.0));
    // the day holds all three
    assertThat(finals(result, DAILY, "2021-03-10T00:00:00Z"))
        .first()
        .isEqualTo(daily("2021-03-10", GLOBAL, "ALL", 1, 0, 0, 1, 0, 1, 1.0));
  }

  @Test
  void shouldGiveEachScannerItsOwnView() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:10:00Z", HOST_A, VULNERABLE).build(),
            scan("s2", "2021-03-10T10:20:00Z", HOST_A, PATCHED).build(),
            scan("s2", "2021-03-10T10:25:00Z", HOST_C, VULNERABLE).build(),
            scan("s1", "2021-03-10T10:30:00Z", HOST_C, PATCHED).setCompromised(true).build());

    Result result = ReferenceModel.compute(events, 1);

    // GLOBAL: A patched (s2 10:20), C patched (s1 10:30) and compromised
    // s1: A vulnerable, C patched and compromised; s2: A patched, C vulnerable, s2 never saw
    // compromise
    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .filteredOn(count -> count.getDimension() == GLOBAL || count.getDimension() == SCANNER)
        .containsExactly(
            hourly("10:00", GLOBAL, "ALL", 2, 0, 0, 2, 0, 1, 1.0),
            hourly("10:00", SCANNER, "s1", 2, 1, 0, 1, 0, 1, 0.5),
            hourly("10:00", SCANNER, "s2", 2, 1, 0, 1, 0, 0, 0.5));
  }

  @Test
  void shouldCountEachVulnerabilitySeparately() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, PATCHED)
                .setVulnerability(OTHER_CVE)
                .build());

    Result result = ReferenceModel.compute(events, 1);

    assertThat(result.finals())
        .filteredOn(count -> count.getGranularity() == HOURLY && count.getDimension() == GLOBAL)
        .extracting(
            RemediationCount::getVulnerability,
            RemediationCount::getVulnerable,
            RemediationCount::getPatched)
        .containsExactly(tuple(CVE, 1L, 0L), tuple(OTHER_CVE, 0L, 1L));
  }

  @Test
  void shouldLookBackSevenDaysForExposure() {
    List<ScanEvent> events =
        List.of(
            // in the EXPOSURE windows ending 03-03 .. 03-09
            scan("s1", "2021-03-02T12:00:00Z", HOST_B, VULNERABLE).build(),
            // in those ending 03-05 .. 03-11
            scan("s1", "2021-03-04T12:00:00Z", HOST_A, PATCHED).build(),
            // the last millisecond of the window ending 03-10: in those ending 03-10 .. 03-16
            scan("s1", "2021-03-09T23:59:59.999Z", HOST_C, MITIGATED).build());

    Result result = ReferenceModel.compute(events, 1);

    // the population as of 03-10 is [03-03, 03-10): A, seen 6 days before, and C, not B (8 days
    // before)
    assertThat(finals(result, EXPOSURE, "2021-03-03T00:00:00Z"))
        .first()
        .isEqualTo(
            count(
                EXPOSURE,
                "2021-03-03T00:00:00Z",
                "2021-03-10T00:00:00Z",
                GLOBAL,
                "ALL",
                2,
                0,
                1,
                1,
                0,
                0,
                1.0));
    assertThat(result.finals())
        .filteredOn(count -> count.getGranularity() == EXPOSURE && count.getDimension() == GLOBAL)
        .extracting(RemediationCount::getWindowEnd, RemediationCount::getHosts)
        .containsExactly(
            tuple(Instant.parse("2021-03-03T00:00:00Z"), 1L), // B
            tuple(Instant.parse("2021-03-04T00:00:00Z"), 1L), // B
            tuple(Instant.parse("2021-03-05T00:00:00Z"), 2L), // B, A
            tuple(Instant.parse("2021-03-06T00:00:00Z"), 2L), // B, A
            tuple(Instant.parse("2021-03-07T00:00:00Z"), 2L), // B, A
            tuple(Instant.parse("2021-03-08T00:00:00Z"), 2L), // B, A
            tuple(Instant.parse("2021-03-09T00:00:00Z"), 2L), // B, A
            tuple(Instant.parse("2021-03-10T00:00:00Z"), 2L), // A, C
            tuple(Instant.parse("2021-03-11T00:00:00Z"), 2L), // A, C
            tuple(Instant.parse("2021-03-12T00:00:00Z"), 1L), // C
            tuple(Instant.parse("2021-03-13T00:00:00Z"), 1L), // C
            tuple(Instant.parse("2021-03-14T00:00:00Z"), 1L), // C
            tuple(Instant.parse("2021-03-15T00:00:00Z"), 1L), // C
            tuple(Instant.parse("2021-03-16T00:00:00Z"), 1L)); // C
    assertThat(result.late()).isEmpty();
  }

  @Test
  void shouldUseConfiguredLookBack() {
    List<ScanEvent> events =
        List.of(scan("s1", "2021-03-10T10:30:00Z", HOST_A, VULNERABLE).build());

    Result result = ReferenceModel.compute(events, 1, Settings.defaults().withLookBackDays(3));

    // 3-day windows ending at the 3 midnights after 10:30: 03-11, 03-12, 03-13
    assertThat(result.finals())
        .filteredOn(count -> count.getGranularity() == EXPOSURE && count.getDimension() == GLOBAL)
        .extracting(RemediationCount::getWindowStart, RemediationCount::getWindowEnd)
        .containsExactly(
            tuple(Instant.parse("2021-03-08T00:00:00Z"), Instant.parse("2021-03-11T00:00:00Z")),
            tuple(Instant.parse("2021-03-09T00:00:00Z"), Instant.parse("2021-03-12T00:00:00Z")),
            tuple(Instant.parse("2021-03-10T00:00:00Z"), Instant.parse("2021-03-13T00:00:00Z")));
  }

  @Test
  void shouldCountEventLateForHourlyInItsDailyAndExposureWindows() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:15:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-10T12:00:00Z", HOST_C, PATCHED).build(),
            // [10:00, 11:00) closes once progress >= 12:00 (grace 1h): progress is 12:00, LATE for
            // HOURLY;
            // [03-10, 03-11) and the EXPOSURE window ending 03-11 close at 03-11 02:00 (grace 2h):
            // open
            scan("s1", "2021-03-10T10:59:59.999Z", HOST_D, MITIGATED).build());

    Result result = ReferenceModel.compute(events, 1);

    assertThat(result.late()).containsExactly(new LateEvent(2, 0, List.of(HOURLY)));
    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .first()
        .isEqualTo(hourly("10:00", GLOBAL, "ALL", 1, 1, 0, 0, 0, 0, 0.0));
    // A vulnerable, C patched, D mitigated: ratio 2 / 3
    assertThat(finals(result, DAILY, "2021-03-10T00:00:00Z"))
        .first()
        .isEqualTo(daily("2021-03-10", GLOBAL, "ALL", 3, 1, 1, 1, 0, 0, 2.0 / 3));
    assertThat(finals(result, EXPOSURE, "2021-03-04T00:00:00Z"))
        .first()
        .isEqualTo(
            count(
                EXPOSURE,
                "2021-03-04T00:00:00Z",
                "2021-03-11T00:00:00Z",
                GLOBAL,
                "ALL",
                3,
                1,
                1,
                1,
                0,
                0,
                2.0 / 3));
  }

  @Test
  void shouldCountEventLateForEveryGranularityInItsLaterExposureWindows() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-11T02:00:00Z", HOST_A, VULNERABLE).build(),
            // progress 03-11 02:00 closes [23:00, 00:00) (since 01:00), [03-10, 03-11) and the
            // EXPOSURE
            // window [03-04, 03-11) (both exactly at 03-11 00:00 + grace 2h); [03-05, 03-12) is
            // open
            scan("s1", "2021-03-10T23:00:00Z", HOST_C, PATCHED).build());

    Result result = ReferenceModel.compute(events, 1);

    assertThat(result.late())
        .containsExactly(new LateEvent(1, 0, List.of(HOURLY, DAILY, EXPOSURE)));
    assertThat(finals(result, HOURLY, "2021-03-10T23:00:00Z")).isEmpty();
    assertThat(finals(result, DAILY, "2021-03-10T00:00:00Z")).isEmpty();
    assertThat(finals(result, EXPOSURE, "2021-03-04T00:00:00Z")).isEmpty();
    // A is in the windows ending 03-12 .. 03-18, C in those ending 03-12 .. 03-17
    assertThat(result.finals())
        .filteredOn(count -> count.getGranularity() == EXPOSURE && count.getDimension() == GLOBAL)
        .extracting(RemediationCount::getWindowEnd, RemediationCount::getHosts)
        .containsExactly(
            tuple(Instant.parse("2021-03-12T00:00:00Z"), 2L),
            tuple(Instant.parse("2021-03-13T00:00:00Z"), 2L),
            tuple(Instant.parse("2021-03-14T00:00:00Z"), 2L),
            tuple(Instant.parse("2021-03-15T00:00:00Z"), 2L),
            tuple(Instant.parse("2021-03-16T00:00:00Z"), 2L),
            tuple(Instant.parse("2021-03-17T00:00:00Z"), 2L),
            tuple(Instant.parse("2021-03-18T00:00:00Z"), 1L));
  }

  @Test
  void shouldCloseWindowOnlyOnceProgressReachesEndPlusGrace() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T11:59:59.999Z", HOST_A, PATCHED).build(),
            // [10:00, 11:00) closes once progress >= 12:00 (grace 1h): 11:59:59.999 is 1 ms short,
            // counted
            scan("s1", "2021-03-10T10:45:00Z", HOST_C, VULNERABLE).build(),
            scan("s1", "2021-03-10T12:00:00Z", HOST_D, PATCHED).build(),
            // progress 12:00: now closed, LATE
            scan("s1", "2021-03-10T10:50:00Z", HOST_B, VULNERABLE).build(),
            scan("s1", "2021-03-11T01:59:59.999Z", HOST_A, PATCHED).build(),
            // [23:00, 00:00) closed since 01:00; [03-10, 03-11) closes once progress >= 03-11 02:00
            // (grace 2h):
            // 1 ms short, so DAILY and the EXPOSURE window ending 03-11 still count it
            scan("s1", "2021-03-10T23:30:00Z", HOST_D, MITIGATED).build());

    Result result = ReferenceModel.compute(events, 1);

    assertThat(result.late())
        .containsExactly(
            new LateEvent(3, 0, List.of(HOURLY)), new LateEvent(5, 0, List.of(HOURLY)));
    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .first()
        .isEqualTo(hourly("10:00", GLOBAL, "ALL", 1, 1, 0, 0, 0, 0, 0.0));
    // A patched (11:59), C vulnerable, D mitigated (23:30 beats 12:00), B vulnerable: ratio 2 / 4
    assertThat(finals(result, DAILY, "2021-03-10T00:00:00Z"))
        .first()
        .isEqualTo(daily("2021-03-10", GLOBAL, "ALL", 4, 2, 1, 1, 0, 0, 0.5));
  }

  @Test
  void shouldPutEventsOnWindowEdgesInTheWindowTheyStart() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:59:59.999Z", HOST_A, VULNERABLE).build(),
            // 11:00:00.000 starts [11:00, 12:00) and is not in [10:00, 11:00)
            scan("s1", "2021-03-10T11:00:00Z", HOST_C, PATCHED).build(),
            // midnight starts [03-11, 03-12) and the EXPOSURE windows ending 03-12 .. 03-18, not
            // 03-11
            scan("s1", "2021-03-11T00:00:00Z", HOST_D, MITIGATED).build());

    Result result = ReferenceModel.compute(events, 1);

    assertThat(result.finals())
        .filteredOn(count -> count.getGranularity() == HOURLY && count.getDimension() == GLOBAL)
        .extracting(
            RemediationCount::getWindowStart,
            RemediationCount::getHosts,
            RemediationCount::getVulnerable,
            RemediationCount::getMitigated,
            RemediationCount::getPatched)
        .containsExactly(
            tuple(Instant.parse("2021-03-10T10:00:00Z"), 1L, 1L, 0L, 0L),
            tuple(Instant.parse("2021-03-10T11:00:00Z"), 1L, 0L, 0L, 1L),
            tuple(Instant.parse("2021-03-11T00:00:00Z"), 1L, 0L, 1L, 0L));
    assertThat(result.finals())
        .filteredOn(count -> count.getGranularity() == DAILY && count.getDimension() == GLOBAL)
        .extracting(RemediationCount::getWindowStart, RemediationCount::getHosts)
        .containsExactly(
            tuple(Instant.parse("2021-03-10T00:00:00Z"), 2L),
            tuple(Instant.parse("2021-03-11T00:00:00Z"), 1L));
    // the EXPOSURE window ending 03-11 holds A and C only; the one ending 03-18 holds D only
    assertThat(finals(result, EXPOSURE, "2021-03-04T00:00:00Z"))
        .first()
        .isEqualTo(
            count(
                EXPOSURE,
                "2021-03-04T00:00:00Z",
                "2021-03-11T00:00:00Z",
                GLOBAL,
                "ALL",
                2,
                1,
                0,
                1,
                0,
                0,
                0.5));
    assertThat(finals(result, EXPOSURE, "2021-03-11T00:00:00Z"))
        .first()
        .isEqualTo(
            count(
                EXPOSURE,
                "2021-03-11T00:00:00Z",
                "2021-03-18T00:00:00Z",
                GLOBAL,
                "ALL",
                1,
                0,
                1,
                0,
                0,
                0,
                1.0));
  }

  @Test
  void shouldDecideLatenessPerPartition() {
    assertThat(kafkaPartition(HOST_A, 2)).isZero();
    assertThat(kafkaPartition(HOST_B, 2)).isOne();
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T12:00:00Z", HOST_A, PATCHED).build(),
            // partition 1 has seen nothing: [10:00, 11:00) is open there
            scan("s1", "2021-03-10T10:30:00Z", HOST_B, VULNERABLE).build(),
            // partition 0 is at 12:00 = 11:00 + grace 1h: [10:00, 11:00) is closed there
            scan("s1", "2021-03-10T10:30:00Z", HOST_A, VULNERABLE).build());

    Result twoPartitions = ReferenceModel.compute(events, 2);

    assertThat(twoPartitions.late()).containsExactly(new LateEvent(2, 0, List.of(HOURLY)));
    assertThat(finals(twoPartitions, HOURLY, "2021-03-10T10:00:00Z"))
        .first()
        .isEqualTo(hourly("10:00", GLOBAL, "ALL", 1, 1, 0, 0, 0, 0, 0.0));
    // A's latest of the day is PATCHED at 12:00, B vulnerable: ratio 1 / 2
    assertThat(finals(twoPartitions, DAILY, "2021-03-10T00:00:00Z"))
        .first()
        .isEqualTo(daily("2021-03-10", GLOBAL, "ALL", 2, 1, 0, 1, 0, 0, 0.5));

    // on one partition, 12:00 closes [10:00, 11:00) for B too
    Result onePartition = ReferenceModel.compute(events, 1);

    assertThat(onePartition.late())
        .containsExactly(
            new LateEvent(1, 0, List.of(HOURLY)), new LateEvent(2, 0, List.of(HOURLY)));
    assertThat(finals(onePartition, HOURLY, "2021-03-10T10:00:00Z")).isEmpty();
  }

  @Test
  void shouldLeaveRatioNullWhenNoHostIsReachable() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:10:00Z", HOST_A, UNREACHABLE)
                .setCountry("ZZ")
                .setAsn(0L)
                .build());

    Result result = ReferenceModel.compute(events, 1);

    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .containsExactly(
            hourly("10:00", GLOBAL, "ALL", 1, 0, 0, 0, 1, 0, null),
            hourly("10:00", COUNTRY, "ZZ", 1, 0, 0, 0, 1, 0, null),
            hourly("10:00", ASN, "0", 1, 0, 0, 0, 1, 0, null),
            hourly("10:00", SCANNER, "s1", 1, 0, 0, 0, 1, 0, null));
  }

  @Test
  void shouldLeaveUnreachableHostsOutOfTheRatio() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:10:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-10T10:10:00Z", HOST_B, MITIGATED).build(),
            scan("s1", "2021-03-10T10:10:00Z", HOST_C, PATCHED).build(),
            scan("s1", "2021-03-10T10:10:00Z", HOST_D, UNREACHABLE)
                .setCountry("ZZ")
                .setAsn(0L)
                .build());

    Result result = ReferenceModel.compute(events, 1);

    // (1 + 1) / (1 + 1 + 1): the unreachable host counts as a host, not in the ratio
    assertThat(finals(result, HOURLY, "2021-03-10T10:00:00Z"))
        .containsExactly(
            hourly("10:00", GLOBAL, "ALL", 4, 1, 1, 1, 1, 0, 2.0 / 3),
            hourly("10:00", COUNTRY, "US", 3, 1, 1, 1, 0, 0, 2.0 / 3),
            hourly("10:00", COUNTRY, "ZZ", 1, 0, 0, 0, 1, 0, null),
            hourly("10:00", ASN, "0", 1, 0, 0, 0, 1, 0, null),
            hourly("10:00", ASN, "64500", 3, 1, 1, 1, 0, 0, 2.0 / 3),
            hourly("10:00", SCANNER, "s1", 4, 1, 1, 1, 1, 0, 2.0 / 3));
  }

  @Test
  void shouldEmitEveryDimensionOfEveryWindowInOutputOrder() {
    List<ScanEvent> events =
        List.of(scan("s1", "2021-03-10T10:30:00Z", HOST_A, VULNERABLE).build());

    Result result = ReferenceModel.compute(events, 1);

    // 1 HOURLY + 1 DAILY + 7 EXPOSURE windows, 4 records each
    List<String> exposureStarts =
        List.of(
            "2021-03-04",
            "2021-03-05",
            "2021-03-06",
            "2021-03-07",
            "2021-03-08",
            "2021-03-09",
            "2021-03-10");
    assertThat(result.finals()).hasSize(36);
    assertThat(result.finals())
        .extracting(RemediationCount::getGranularity, RemediationCount::getWindowStart)
        .containsSubsequence(
            tuple(HOURLY, Instant.parse("2021-03-10T10:00:00Z")),
            tuple(DAILY, Instant.parse("2021-03-10T00:00:00Z")),
            tuple(EXPOSURE, Instant.parse(exposureStarts.get(0) + "T00:00:00Z")),
            tuple(EXPOSURE, Instant.parse(exposureStarts.get(6) + "T00:00:00Z")));
    assertThat(result.finals().subList(0, 8))
        .extracting(RemediationCount::getDimension, RemediationCount::getValue)
        .containsExactly(
            tuple(GLOBAL, "ALL"),
            tuple(COUNTRY, "US"),
            tuple(ASN, "64500"),
            tuple(SCANNER, "s1"),
            tuple(GLOBAL, "ALL"),
            tuple(COUNTRY, "US"),
            tuple(ASN, "64500"),
            tuple(SCANNER, "s1"));
    assertThat(result.finals().subList(8, 36))
        .filteredOn(count -> count.getDimension() == GLOBAL)
        .extracting(count -> count.getWindowStart().toString())
        .containsExactly(
            exposureStarts.stream().map(day -> day + "T00:00:00Z").toArray(String[]::new));
  }

  @Test
  void shouldGiveSameFinalsOnAnyPartitionCountWhenNothingIsLate() {
    // nothing LATE means every event counts in every window, and one host's events stay in input
    // order on whichever partition it lands: the partition count cannot matter
    List<ScanEvent> events =
        RandomEvents.generate(7L, RandomEvents.Options.defaults().withHosts(60).withDays(2));

    Result one = ReferenceModel.compute(events, 1);
    Result six = ReferenceModel.compute(events, 6);

    assertThat(one.late()).isEmpty();
    assertThat(six.late()).isEmpty();
    assertThat(six.finals()).isEqualTo(one.finals());
  }

  @Test
  void shouldKeepDimensionsConsistentOnRandomStreams() {
    List<ScanEvent> events =
        RandomEvents.generate(11L, RandomEvents.Options.withLateEvents().withHosts(80));

    Result result = ReferenceModel.compute(events, 3);

    Set<List<Object>> keys = new HashSet<>();
    Map<List<Object>, Map<Dimension, Long>> hostsPerDimension =
        result.finals().stream()
            .collect(
                Collectors.groupingBy(
                    count ->
                        List.of(
                            count.getGranularity(),
                            count.getWindowStart(),
                            count.getVulnerability()),
                    Collectors.groupingBy(
                        RemediationCount::getDimension,
                        Collectors.summingLong(RemediationCount::getHosts))));
    for (RemediationCount count : result.finals()) {
      assertThat(
              keys.add(
                  List.of(
                      count.getGranularity(),
                      count.getWindowStart(),
                      count.getVulnerability(),
                      count.getDimension(),
                      count.getValue())))
          .as("unique key of %s", count)
          .isTrue();
      assertThat(count.getHosts())
          .isPositive()
          .isEqualTo(
              count.getVulnerable()
                  + count.getMitigated()
                  + count.getPatched()
                  + count.getUnreachable());
      assertThat(count.getCompromised()).isBetween(0L, count.getHosts());
    }
    // each host sits in exactly one country and one ASN; scanners overlap, so at least as many
    hostsPerDimension.forEach(
        (window, perDimension) -> {
          assertThat(perDimension.get(COUNTRY)).isEqualTo(perDimension.get(GLOBAL));
          assertThat(perDimension.get(ASN)).isEqualTo(perDimension.get(GLOBAL));
          assertThat(perDimension.get(SCANNER)).isGreaterThanOrEqualTo(perDimension.get(GLOBAL));
        });
    assertThat(result.finals()).isSortedAccordingTo(ReferenceModel.OUTPUT_ORDER);
    assertThat(result.late()).isNotEmpty();
  }

  // ---- DESIGN 7.9: transitions and cohorts ----

  // A watermark at 03-13 02:00 closes the DAILY windows up to [03-12, 03-13) (end + grace 2h) and
  // no later one, so the cohort curves below stop at 03-12.
  private static final Instant CLOSES_THROUGH_03_12 = Instant.parse("2021-03-13T02:00:00Z");

  @Test
  void shouldCountRemediationAndRegressionAgainstPreviousObservedDay() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:00:00Z", HOST_A, PATCHED).build(),
            scan("s1", "2021-03-10T10:00:00Z", HOST_B, VULNERABLE).build(),
            scan("s1", "2021-03-11T10:00:00Z", HOST_B, MITIGATED).build(),
            // A is not seen on 03-11: its previous state is that of 03-10
            scan("s1", "2021-03-12T10:00:00Z", HOST_A, VULNERABLE).build());

    Result result = ReferenceModel.compute(events, 1, Settings.defaults(), CLOSES_THROUGH_03_12);

    // 03-10: nobody has a previous day
    assertThat(transitions(result, "2021-03-10"))
        .containsExactly(
            transition("2021-03-10", GLOBAL, "ALL", 2, 0, 0, 0, 0),
            transition("2021-03-10", COUNTRY, "US", 2, 0, 0, 0, 0),
            transition("2021-03-10", ASN, "64500", 2, 0, 0, 0, 0),
            transition("2021-03-10", SCANNER, "s1", 2, 0, 0, 0, 0));
    // 03-11: B VULNERABLE -> MITIGATED
    assertThat(transitions(result, "2021-03-11"))
        .containsExactly(
            transition("2021-03-11", GLOBAL, "ALL", 1, 1, 0, 0, 0),
            transition("2021-03-11", COUNTRY, "US", 1, 1, 0, 0, 0),
            transition("2021-03-11", ASN, "64500", 1, 1, 0, 0, 0),
            transition("2021-03-11", SCANNER, "s1", 1, 1, 0, 0, 0));
    // 03-12: A PATCHED (03-10, two days back) -> VULNERABLE
    assertThat(transitions(result, "2021-03-12"))
        .containsExactly(
            transition("2021-03-12", GLOBAL, "ALL", 1, 0, 1, 0, 0),
            transition("2021-03-12", COUNTRY, "US", 1, 0, 1, 0, 0),
            transition("2021-03-12", ASN, "64500", 1, 0, 1, 0, 0),
            transition("2021-03-12", SCANNER, "s1", 1, 0, 1, 0, 0));
    // cohort 03-10 is B alone: seen VULNERABLE, then MITIGATED, then not seen at all on 03-12
    assertThat(cohorts(result, "2021-03-10", GLOBAL))
        .containsExactly(
            cohort("2021-03-10", 0, GLOBAL, "ALL", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-10", 1, GLOBAL, "ALL", 1, 1, 0, 1, 0, 0),
            cohort("2021-03-10", 2, GLOBAL, "ALL", 1, 0, 0, 0, 0, 0));
    // A, regressed, starts the cohort of 03-12; 03-13 has not closed
    assertThat(cohorts(result, "2021-03-12", GLOBAL))
        .containsExactly(cohort("2021-03-12", 0, GLOBAL, "ALL", 1, 1, 1, 0, 0, 0));
    assertThat(cohorts(result, "2021-03-11", GLOBAL)).isEmpty();
    assertThat(result.cohorts()).hasSize(4 * 4);
  }

  @Test
  void shouldDecideStateAndSlicesByTheEventThatWinsATie() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:00:00Z", HOST_A, VULNERABLE).build(),
            // same instant: VULNERABLE (rank 3) beats PATCHED (rank 1), and brings its country
            scan("s1", "2021-03-11T10:00:00Z", HOST_A, PATCHED).build(),
            scan("s2", "2021-03-11T10:00:00Z", HOST_A, VULNERABLE).setCountry("DE").build(),
            // same instant, same status: scanner "s2" > "s1" decides, with its country
            scan("s2", "2021-03-12T10:00:00Z", HOST_A, PATCHED).setCountry("FR").build(),
            scan("s1", "2021-03-12T10:00:00Z", HOST_A, PATCHED).build());

    Result result = ReferenceModel.compute(events, 1, Settings.defaults(), CLOSES_THROUGH_03_12);

    // all scanners: VULNERABLE on 03-11, no transition, sliced into DE by s2's event;
    // s1 alone went VULNERABLE -> PATCHED; s2 has no previous day
    assertThat(transitions(result, "2021-03-11"))
        .containsExactly(
            transition("2021-03-11", GLOBAL, "ALL", 1, 0, 0, 0, 0),
            transition("2021-03-11", COUNTRY, "DE", 1, 0, 0, 0, 0),
            transition("2021-03-11", ASN, "64500", 1, 0, 0, 0, 0),
            transition("2021-03-11", SCANNER, "s1", 1, 1, 0, 0, 0),
            transition("2021-03-11", SCANNER, "s2", 1, 0, 0, 0, 0));
    // all scanners VULNERABLE (03-11) -> PATCHED, in FR; s1 PATCHED -> PATCHED; s2 VULNERABLE ->
    // PATCHED
    assertThat(transitions(result, "2021-03-12"))
        .containsExactly(
            transition("2021-03-12", GLOBAL, "ALL", 1, 1, 0, 0, 0),
            transition("2021-03-12", COUNTRY, "FR", 1, 1, 0, 0, 0),
            transition("2021-03-12", ASN, "64500", 1, 1, 0, 0, 0),
            transition("2021-03-12", SCANNER, "s1", 1, 0, 0, 0, 0),
            transition("2021-03-12", SCANNER, "s2", 1, 1, 0, 0, 0));
    // the tie makes A a member of the 03-11 cohort, in DE (all scanners) and for s2 only
    assertThat(cohorts(result, "2021-03-11", null))
        .containsExactly(
            cohort("2021-03-11", 0, GLOBAL, "ALL", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-11", 0, COUNTRY, "DE", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-11", 0, ASN, "64500", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-11", 0, SCANNER, "s2", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-11", 1, GLOBAL, "ALL", 1, 1, 0, 0, 1, 0),
            cohort("2021-03-11", 1, COUNTRY, "DE", 1, 1, 0, 0, 1, 0),
            cohort("2021-03-11", 1, ASN, "64500", 1, 1, 0, 0, 1, 0),
            cohort("2021-03-11", 1, SCANNER, "s2", 1, 1, 0, 0, 1, 0));
  }

  @Test
  void shouldLetAnEventLateForDailyDecideNothing() {
    List<ScanEvent> onTime =
        List.of(
            scan("s1", "2021-03-10T10:00:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-11T10:00:00Z", HOST_A, PATCHED).build(),
            // progress 03-12 03:00 is past 03-12 00:00 + 2h: [03-11, 03-12) has closed
            scan("s1", "2021-03-12T03:00:00Z", HOST_A, PATCHED).build());
    List<ScanEvent> withLate = new ArrayList<>(onTime);
    // later than the PATCHED of 03-11 and compromised: had it counted, 03-11 would be VULNERABLE,
    // newly compromised, and A a member of the 03-11 cohort, compromised-but-remediated on 03-12
    withLate.add(
        scan("s1", "2021-03-11T23:00:00Z", HOST_A, VULNERABLE).setCompromised(true).build());

    Result result = ReferenceModel.compute(withLate, 1, Settings.defaults(), CLOSES_THROUGH_03_12);

    assertThat(result.late())
        .containsExactly(new LateEvent(3, 0, List.of(HOURLY, DAILY, EXPOSURE)));
    assertThat(result.transitions())
        .filteredOn(t -> t.getDimension() == GLOBAL)
        .containsExactly(
            transition("2021-03-10", GLOBAL, "ALL", 1, 0, 0, 0, 0),
            transition("2021-03-11", GLOBAL, "ALL", 1, 1, 0, 0, 0),
            transition("2021-03-12", GLOBAL, "ALL", 1, 0, 0, 0, 0));
    assertThat(cohorts(result, "2021-03-11", null)).isEmpty();
    Result without = ReferenceModel.compute(onTime, 1, Settings.defaults(), CLOSES_THROUGH_03_12);
    assertThat(result.transitions()).isEqualTo(without.transitions());
    assertThat(result.cohorts()).isEqualTo(without.cohorts());
  }

  @Test
  void shouldLookBackExactlySevenDaysForThePreviousState() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-01T10:00:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-01T10:00:00Z", HOST_B, VULNERABLE).build(),
            scan("s1", "2021-03-01T10:00:00Z", HOST_C, PATCHED).build(),
            scan("s1", "2021-03-01T10:00:00Z", HOST_D, PATCHED).build(),
            // d - 7 = 03-01: C regressed, A remediated
            scan("s1", "2021-03-08T00:00:00Z", HOST_C, VULNERABLE).build(),
            scan("s1", "2021-03-08T23:59:59.999Z", HOST_A, PATCHED).build(),
            // d - 8 = 03-01 lies outside [d - 7, d - 1]: no previous state, no transition
            scan("s1", "2021-03-09T00:00:00Z", HOST_B, PATCHED).build(),
            scan("s1", "2021-03-09T12:00:00Z", HOST_D, VULNERABLE).build());
    // closes [03-09, 03-10), the last day with an event
    Instant watermark = Instant.parse("2021-03-10T02:00:00Z");

    Result result = ReferenceModel.compute(events, 1, Settings.defaults(), watermark);

    assertThat(transitions(result, "2021-03-08"))
        .first()
        .isEqualTo(transition("2021-03-08", GLOBAL, "ALL", 2, 1, 1, 0, 0));
    assertThat(transitions(result, "2021-03-09"))
        .first()
        .isEqualTo(transition("2021-03-09", GLOBAL, "ALL", 2, 0, 0, 0, 0));
    // the EXPOSURE look-back does not move it
    Result shortLookBack =
        ReferenceModel.compute(events, 1, Settings.defaults().withLookBackDays(3), watermark);
    assertThat(shortLookBack.transitions()).isEqualTo(result.transitions());
  }

  @Test
  void shouldKeepCompromiseStickyAcrossDaysAndSeparatePerView() {
    List<ScanEvent> events =
        List.of(
            // 03-10: s1 sees a web shell; s2, later that day, decides the state and sees none
            scan("s1", "2021-03-10T10:00:00Z", HOST_A, VULNERABLE).setCompromised(true).build(),
            scan("s2", "2021-03-10T11:00:00Z", HOST_A, VULNERABLE).build(),
            // 03-11: patched, no web shell seen that day
            scan("s2", "2021-03-11T10:00:00Z", HOST_A, PATCHED).build(),
            // 03-12: the host moved to DE; its compromise goes with it
            scan("s1", "2021-03-12T10:00:00Z", HOST_A, PATCHED).setCountry("DE").build(),
            scan("s2", "2021-03-12T12:00:00Z", HOST_A, MITIGATED).setCountry("DE").build(),
            // 03-13: s2 sees the web shell for the first time
            scan("s2", "2021-03-13T10:00:00Z", HOST_A, PATCHED)
                .setCountry("DE")
                .setCompromised(true)
                .build());
    Instant watermark = Instant.parse("2021-03-14T02:00:00Z");

    Result result = ReferenceModel.compute(events, 1, Settings.defaults(), watermark);

    // hosts, remediated, regressed, newlyCompromised, compromisedButRemediated
    assertThat(transitions(result, "2021-03-10"))
        .containsExactly(
            // compromised on the day, still VULNERABLE
            transition("2021-03-10", GLOBAL, "ALL", 1, 0, 0, 1, 0),
            transition("2021-03-10", COUNTRY, "US", 1, 0, 0, 1, 0),
            transition("2021-03-10", ASN, "64500", 1, 0, 0, 1, 0),
            transition("2021-03-10", SCANNER, "s1", 1, 0, 0, 1, 0),
            transition("2021-03-10", SCANNER, "s2", 1, 0, 0, 0, 0));
    assertThat(transitions(result, "2021-03-11"))
        .containsExactly(
            // patched, compromised on an earlier day: still owned
            transition("2021-03-11", GLOBAL, "ALL", 1, 1, 0, 0, 1),
            transition("2021-03-11", COUNTRY, "US", 1, 1, 0, 0, 1),
            transition("2021-03-11", ASN, "64500", 1, 1, 0, 0, 1),
            // s2 never saw compromise
            transition("2021-03-11", SCANNER, "s2", 1, 1, 0, 0, 0));
    assertThat(transitions(result, "2021-03-12"))
        .containsExactly(
            // PATCHED -> MITIGATED is no transition; compromise followed the host into DE
            transition("2021-03-12", GLOBAL, "ALL", 1, 0, 0, 0, 1),
            transition("2021-03-12", COUNTRY, "DE", 1, 0, 0, 0, 1),
            transition("2021-03-12", ASN, "64500", 1, 0, 0, 0, 1),
            // s1: VULNERABLE on 03-10 (its previous day), PATCHED now, and its own shell
            transition("2021-03-12", SCANNER, "s1", 1, 1, 0, 0, 1),
            transition("2021-03-12", SCANNER, "s2", 1, 0, 0, 0, 0));
    assertThat(transitions(result, "2021-03-13"))
        .containsExactly(
            // all scanners knew since 03-10: not new
            transition("2021-03-13", GLOBAL, "ALL", 1, 0, 0, 0, 1),
            transition("2021-03-13", COUNTRY, "DE", 1, 0, 0, 0, 1),
            transition("2021-03-13", ASN, "64500", 1, 0, 0, 0, 1),
            // new to s2, and patched on the same day
            transition("2021-03-13", SCANNER, "s2", 1, 0, 0, 1, 1));
  }

  @Test
  void shouldPublishEveryCohortAgeUpTo28OfClosedDaysEvenWithNobodyObserved() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-01T10:00:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-05T10:00:00Z", HOST_A, PATCHED).build(),
            scan("s1", "2021-03-25T10:00:00Z", HOST_B, VULNERABLE).build(),
            // age 28: the last
            scan("s1", "2021-03-29T10:00:00Z", HOST_A, PATCHED).build(),
            // age 29: no record
            scan("s1", "2021-03-30T10:00:00Z", HOST_A, UNREACHABLE).build());
    // closes [03-31, 04-01), not [04-01, 04-02)
    Instant watermark = Instant.parse("2021-04-01T02:00:00Z");

    Result result = ReferenceModel.compute(events, 1, Settings.defaults(), watermark);

    List<CohortCount> expected = new ArrayList<>();
    for (int age = 0; age <= 28; age++) {
      if (age == 0) {
        expected.add(cohort("2021-03-01", age, GLOBAL, "ALL", 1, 1, 1, 0, 0, 0));
      } else if (age == 4 || age == 28) {
        expected.add(cohort("2021-03-01", age, GLOBAL, "ALL", 1, 1, 0, 0, 1, 0));
      } else {
        // a point with nobody observed, so the curve has no hole
        expected.add(cohort("2021-03-01", age, GLOBAL, "ALL", 1, 0, 0, 0, 0, 0));
      }
    }
    assertThat(cohorts(result, "2021-03-01", GLOBAL)).isEqualTo(expected);
    // B's cohort reaches the last closed day, 03-31: ages 0 to 6
    assertThat(cohorts(result, "2021-03-25", GLOBAL))
        .extracting(CohortCount::getAgeDays, CohortCount::getObserved)
        .containsExactly(
            tuple(0, 1L),
            tuple(1, 0L),
            tuple(2, 0L),
            tuple(3, 0L),
            tuple(4, 0L),
            tuple(5, 0L),
            tuple(6, 0L));
    // 4 slices of every point, and only those two cohorts
    assertThat(result.cohorts()).hasSize(4 * (29 + 7));
  }

  @Test
  void shouldEndCohortsAtTheLastDayTheClosingWatermarkCloses() {
    List<ScanEvent> events =
        List.of(scan("s1", "2021-03-10T10:00:00Z", HOST_A, VULNERABLE).build());

    // replay's closing watermark: 03-10 10:00 + 7 days + 2h + 1 day = 03-18 12:00, which closes
    // the DAILY windows up to [03-17, 03-18)
    Result result = ReferenceModel.compute(events, 1);

    assertThat(cohorts(result, "2021-03-10", GLOBAL))
        .extracting(CohortCount::getAgeDays)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void shouldFixCohortSlicesByTheDayOfTheCohortWhenTheHostMoves() {
    List<ScanEvent> events =
        List.of(
            scan("s1", "2021-03-10T10:00:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-11T10:00:00Z", HOST_A, VULNERABLE)
                .setCountry("DE")
                .setAsn(64501L)
                .build(),
            scan("s1", "2021-03-12T10:00:00Z", HOST_A, PATCHED)
                .setCountry("FR")
                .setAsn(64502L)
                .build());

    Result result = ReferenceModel.compute(events, 1, Settings.defaults(), CLOSES_THROUGH_03_12);

    // transitions follow the host: its previous state is its own, whatever slice it was in
    assertThat(result.transitions())
        .filteredOn(t -> t.getDimension() == COUNTRY)
        .containsExactly(
            transition("2021-03-10", COUNTRY, "US", 1, 0, 0, 0, 0),
            transition("2021-03-11", COUNTRY, "DE", 1, 0, 0, 0, 0),
            transition("2021-03-12", COUNTRY, "FR", 1, 1, 0, 0, 0));
    // a member stays in the slices of its cohort day: the 03-10 cohort is in US and AS64500 while
    // the host is seen in DE and FR
    assertThat(result.cohorts())
        .filteredOn(c -> c.getDimension() == COUNTRY || c.getDimension() == ASN)
        .containsExactly(
            cohort("2021-03-10", 0, COUNTRY, "US", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-10", 0, ASN, "64500", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-10", 1, COUNTRY, "US", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-10", 1, ASN, "64500", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-10", 2, COUNTRY, "US", 1, 1, 0, 0, 1, 0),
            cohort("2021-03-10", 2, ASN, "64500", 1, 1, 0, 0, 1, 0),
            cohort("2021-03-11", 0, COUNTRY, "DE", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-11", 0, ASN, "64501", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-11", 1, COUNTRY, "DE", 1, 1, 0, 0, 1, 0),
            cohort("2021-03-11", 1, ASN, "64501", 1, 1, 0, 0, 1, 0));
  }

  @Test
  void shouldKeepTransitionsAndCohortsConsistentWithDailyCountsOnRandomStreams() {
    List<ScanEvent> events =
        RandomEvents.generate(
            13L,
            RandomEvents.Options.withLateEvents()
                .withHosts(60)
                .withDays(6)
                .withRegressions(0.2)
                .withScanPeriods(Duration.ofHours(20), Duration.ofHours(60)));

    Result result = ReferenceModel.compute(events, 3);

    // a transition record exists exactly where a DAILY count does, with the same hosts
    Map<List<Object>, Long> dailyHosts = new HashMap<>();
    result.finals().stream()
        .filter(c -> c.getGranularity() == DAILY)
        .forEach(
            c ->
                dailyHosts.put(
                    List.of(
                        c.getWindowStart(), c.getVulnerability(), c.getDimension(), c.getValue()),
                    c.getHosts()));
    Map<List<Object>, Long> transitionHosts = new HashMap<>();
    for (TransitionCount t : result.transitions()) {
      transitionHosts.put(
          List.of(t.getWindowStart(), t.getVulnerability(), t.getDimension(), t.getValue()),
          t.getHosts());
      assertThat(t.getRemediated() + t.getRegressed())
          .as("%s", t)
          .isLessThanOrEqualTo(t.getHosts());
      assertThat(t.getNewlyCompromised()).as("%s", t).isLessThanOrEqualTo(t.getHosts());
      assertThat(t.getCompromisedButRemediated()).as("%s", t).isLessThanOrEqualTo(t.getHosts());
    }
    assertThat(transitionHosts).isEqualTo(dailyHosts);
    assertThat(result.transitions()).isSortedAccordingTo(ReferenceModel.TRANSITION_ORDER);
    assertThat(result.transitions()).anyMatch(t -> t.getRegressed() > 0);
    assertThat(result.transitions()).anyMatch(t -> t.getRemediated() > 0);
    assertThat(result.transitions()).anyMatch(t -> t.getNewlyCompromised() > 0);
    assertThat(result.transitions()).anyMatch(t -> t.getCompromisedButRemediated() > 0);

    // age 0 is the DAILY VULNERABLE count of the cohort day; every point adds up
    for (CohortCount c : result.cohorts()) {
      assertThat(c.getObserved())
          .as("%s", c)
          .isEqualTo(c.getVulnerable() + c.getMitigated() + c.getPatched() + c.getUnreachable())
          .isLessThanOrEqualTo(c.getCohortSize());
      assertThat(c.getAgeDays()).isBetween(0, 28);
      if (c.getAgeDays() == 0) {
        RemediationCount daily =
            result.finals().stream()
                .filter(
                    f ->
                        f.getGranularity() == DAILY
                            && f.getWindowStart().equals(c.getCohortDay())
                            && f.getVulnerability().equals(c.getVulnerability())
                            && f.getDimension() == c.getDimension()
                            && f.getValue().equals(c.getValue()))
                .findFirst()
                .orElseThrow();
        assertThat(c.getCohortSize()).isEqualTo(c.getVulnerable()).isEqualTo(daily.getVulnerable());
      }
    }
    assertThat(result.cohorts()).isSortedAccordingTo(ReferenceModel.COHORT_ORDER);
    assertThat(result.cohorts()).anyMatch(c -> c.getObserved() == 0);
  }

  @Test
  void shouldGiveTheReadmeWorkedExamples() {
    // README, "Beyond counts": transitions
    List<ScanEvent> transitionsExample =
        List.of(
            scan("s1", "2021-03-01T10:00:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-01T10:00:00Z", HOST_B, VULNERABLE).setCompromised(true).build(),
            scan("s1", "2021-03-02T10:00:00Z", HOST_A, PATCHED).build(),
            scan("s1", "2021-03-02T10:00:00Z", HOST_B, PATCHED).build(),
            scan("s1", "2021-03-03T10:00:00Z", HOST_A, VULNERABLE).build(),
            scan("s1", "2021-03-12T10:00:00Z", HOST_A, PATCHED).build());

    Result transitions = ReferenceModel.compute(transitionsExample, 1);

    assertThat(transitions.transitions())
        .filteredOn(t -> t.getDimension() == GLOBAL)
        .containsExactly(
            transition("2021-03-01", GLOBAL, "ALL", 2, 0, 0, 1, 0),
            transition("2021-03-02", GLOBAL, "ALL", 2, 2, 0, 0, 1),
            transition("2021-03-03", GLOBAL, "ALL", 1, 0, 1, 0, 0),
            // 9 days after its last day state: no transition
            transition("2021-03-12", GLOBAL, "ALL", 1, 0, 0, 0, 0));

    // README, "Beyond counts": cohorts
    List<ScanEvent> cohortsExample =
        List.of(
            scan("s1", "2021-03-01T10:00:00Z", HOST_A, VULNERABLE).setCountry("FR").build(),
            scan("s1", "2021-03-01T10:00:00Z", HOST_B, VULNERABLE).setCountry("DE").build(),
            scan("s1", "2021-03-02T10:00:00Z", HOST_A, PATCHED).setCountry("FR").build(),
            scan("s1", "2021-03-05T10:00:00Z", HOST_B, VULNERABLE).setCountry("NL").build());

    Result cohorts = ReferenceModel.compute(cohortsExample, 1);

    List<CohortCount> global = cohorts(cohorts, "2021-03-01", GLOBAL);
    assertThat(global).allMatch(c -> c.getCohortSize() == 2);
    assertThat(global.get(1)).isEqualTo(cohort("2021-03-01", 1, GLOBAL, "ALL", 2, 1, 0, 0, 1, 0));
    assertThat(global.get(2)).isEqualTo(cohort("2021-03-01", 2, GLOBAL, "ALL", 2, 0, 0, 0, 0, 0));
    assertThat(global.get(4)).isEqualTo(cohort("2021-03-01", 4, GLOBAL, "ALL", 2, 1, 1, 0, 0, 0));
    assertThat(cohorts(cohorts, "2021-03-01", COUNTRY))
        .filteredOn(c -> c.getAgeDays() == 4)
        .containsExactly(
            cohort("2021-03-01", 4, COUNTRY, "DE", 1, 1, 1, 0, 0, 0),
            cohort("2021-03-01", 4, COUNTRY, "FR", 1, 0, 0, 0, 0, 0));
  }

  private static List<TransitionCount> transitions(Result result, String day) {
    Instant start = Instant.parse(day + "T00:00:00Z");
    return result.transitions().stream().filter(t -> t.getWindowStart().equals(start)).toList();
  }

  /** The cohort of {@code cohortDay} in {@code dimension} (every dimension when null). */
  private static List<CohortCount> cohorts(Result result, String cohortDay, Dimension dimension) {
    Instant start = Instant.parse(cohortDay + "T00:00:00Z");
    return result.cohorts().stream()
        .filter(c -> c.getCohortDay().equals(start))
        .filter(c -> dimension == null || c.getDimension() == dimension)
        .toList();
  }

  private static TransitionCount transition(
      String day,
      Dimension dimension,
      String value,
      long hosts,
      long remediated,
      long regressed,
      long newlyCompromised,
      long compromisedButRemediated) {
    Instant start = Instant.parse(day + "T00:00:00Z");
    return TransitionCount.newBuilder()
        .setWindowStart(start)
        .setWindowEnd(start.plusSeconds(86_400))
        .setVulnerability(CVE)
        .setDimension(dimension)
        .setValue(value)
        .setHosts(hosts)
        .setRemediated(remediated)
        .setRegressed(regressed)
        .setNewlyCompromised(newlyCompromised)
        .setCompromisedButRemediated(compromisedButRemediated)
        .build();
  }

  private static CohortCount cohort(
      String cohortDay,
      int age,
      Dimension dimension,
      String value,
      long size,
      long observed,
      long vulnerable,
      long mitigated,
      long patched,
      long unreachable) {
    Instant start = Instant.parse(cohortDay + "T00:00:00Z");
    return CohortCount.newBuilder()
        .setVulnerability(CVE)
        .setCohortDay(start)
        .setAgeDays(age)
        .setDay(start.plusSeconds(86_400L * age))
        .setDimension(dimension)
        .setValue(value)
        .setCohortSize(size)
        .setObserved(observed)
        .setVulnerable(vulnerable)
        .setMitigated(mitigated)
        .setPatched(patched)
        .setUnreachable(unreachable)
        .build();
  }

  private static int kafkaPartition(String ip, int partitions) {
    return Utils.toPositive(Utils.murmur2(ip.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * A US, AS64500, not compromised, id-less event for {@link #CVE}; tests override what they vary.
   */
  private static ScanEvent.Builder scan(
      String scanner, String observedAt, String ip, ScanStatus status) {
    return ScanEvent.newBuilder()
        .setScanner(scanner)
        .setObservedAt(Instant.parse(observedAt))
        .setIp(ip)
        .setVulnerability(CVE)
        .setStatus(status)
        .setCountry("US")
        .setAsn(64500L)
        .setCompromised(false)
        .setEventId(null)
        .setAttributes(Map.of());
  }

  private static List<RemediationCount> finals(
      Result result, Granularity granularity, String windowStart) {
    Instant start = Instant.parse(windowStart);
    return result.finals().stream()
        .filter(
            count -> count.getGranularity() == granularity && count.getWindowStart().equals(start))
        .toList();
  }

  /** An HOURLY record of {@link #CVE} for the hour starting at {@code hhmm} on 2021-03-10. */
  private static RemediationCount hourly(
      String hhmm,
      Dimension dimension,
      String value,
      long hosts,
      long vulnerable,
      long mitigated,
      long patched,
      long unreachable,
      long compromised,
      Double ratio) {
    Instant start = Instant.parse("2021-03-10T" + hhmm + ":00Z");
    return count(
        HOURLY,
        start.toString(),
        start.plusSeconds(3600).toString(),
        dimension,
        value,
        hosts,
        vulnerable,
        mitigated,
        patched,
        unreachable,
        compromised,
        ratio);
  }

  /** A DAILY record of {@link #CVE} for {@code day}. */
  private static RemediationCount daily(
      String day,
      Dimension dimension,
      String value,
      long hosts,
      long vulnerable,
      long mitigated,
      long patched,
      long unreachable,
      long compromised,
      Double ratio) {
    Instant start = Instant.parse(day + "T00:00:00Z");
    return count(
        DAILY,
        start.toString(),
        start.plusSeconds(86_400).toString(),
        dimension,
        value,
        hosts,
        vulnerable,
        mitigated,
        patched,
        unreachable,
        compromised,
        ratio);
  }

  private static RemediationCount count(
      Granularity granularity,
      String start,
      String end,
      Dimension dimension,
      String value,
      long hosts,
      long vulnerable,
      long mitigated,
      long patched,
      long unreachable,
      long compromised,
      Double ratio) {
    return RemediationCount.newBuilder()
        .setGranularity(granularity)
        .setWindowStart(Instant.parse(start))
        .setWindowEnd(Instant.parse(end))
        .setVulnerability(CVE)
        .setDimension(dimension)
        .setValue(value)
        .setHosts(hosts)
        .setVulnerable(vulnerable)
        .setMitigated(mitigated)
        .setPatched(patched)
        .setUnreachable(unreachable)
        .setCompromised(compromised)
        .setRemediatedRatio(ratio)
        .build();
  }
}
