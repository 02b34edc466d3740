package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class HostDayTest {

  private static final long DAY = Instant.parse("2021-03-02T00:00:00Z").toEpochMilli();

  private static ScanEvent event(
      String scanner, String at, ScanStatus status, String country, boolean compromised) {
    return ScanEvent.newBuilder()
        .setScanner(scanner)
        .setObservedAt(Instant.parse(at))
        .setIp("192.0.2.1")
        .setVulnerability("CVE-2021-26855")
        .setStatus(status)
        .setCountry(country)
        .setAsn(4_200_000_000L)
        .setCompromised(compromised)
        .setEventId(null)
        .build();
  }

  private static void apply(HostDay.Slot slot, ScanEvent e) {
    slot.apply(e, e.getObservedAt().toEpochMilli());
  }

  @Test
  void shouldKeepTheLatestEventPerScannerAndOverall() {
    HostDay day = new HostDay(DAY);
    apply(day.day, event("s2", "2021-03-02T10:00:00Z", ScanStatus.VULNERABLE, "FR", true));
    apply(day.day, event("s1", "2021-03-02T11:00:00Z", ScanStatus.PATCHED, "DE", false));
    // older than s2's event: ignored, but compromise sticks for s1
    apply(day.day, event("s1", "2021-03-02T09:00:00Z", ScanStatus.VULNERABLE, "FR", true));

    assertThat(day.day.status()).isEqualTo(ScanStatus.PATCHED);
    assertThat(day.day.country).isEqualTo("DE");
    assertThat(day.day.compromised()).isTrue();
    assertThat(day.day.scanners).extracting(s -> s.scanner).containsExactly("s1", "s2");
    assertThat(day.day.scanners.get(0).status).isEqualTo(ScanStatus.PATCHED);
    assertThat(day.day.scanners.get(0).compromised).isTrue();
  }

  @Test
  void shouldSeeThatAResentDuplicateChangesNothing() {
    HostDay.Slot slot = new HostDay.Slot(-1);
    ScanEvent e = event("s1", "2021-03-02T10:00:00Z", ScanStatus.VULNERABLE, "FR", false);
    assertThat(slot.changedBy(e, e.getObservedAt().toEpochMilli())).isTrue();
    apply(slot, e);
    assertThat(slot.changedBy(e, e.getObservedAt().toEpochMilli())).isFalse();
    // same instant, higher rank: later in the contract's order
    ScanEvent higher = event("s1", "2021-03-02T10:00:00Z", ScanStatus.VULNERABLE, "FR", true);
    assertThat(slot.changedBy(higher, higher.getObservedAt().toEpochMilli())).isTrue();
  }

  @Test
  void shouldRoundTripThroughItsCompactEncoding() {
    HostDay day = new HostDay(DAY);
    apply(day.day, event("s1", "2021-03-02T10:00:00Z", ScanStatus.VULNERABLE, "FR", false));
    ScanEvent withId =
        event("nuclei-eu", "2021-03-02T23:59:59.999Z", ScanStatus.MITIGATED, "XK", true);
    withId.setEventId("ü-🙂-id");
    apply(day.day, withId);
    apply(day.hour(10), event("s1", "2021-03-02T10:00:00Z", ScanStatus.VULNERABLE, "FR", false));
    apply(day.hour(23), withId);

    byte[] encoded = day.encode();
    HostDay back = HostDay.decode(encoded, DAY);

    assertThat(back.encode()).isEqualTo(encoded);
    assertThat(back.day.status()).isEqualTo(ScanStatus.MITIGATED);
    assertThat(back.day.country).isEqualTo("XK");
    assertThat(back.day.asn).isEqualTo(4_200_000_000L);
    assertThat(back.day.latest().eventId).isEqualTo("ü-🙂-id");
    assertThat(back.day.latest().observedAt)
        .isEqualTo(Instant.parse("2021-03-02T23:59:59.999Z").toEpochMilli());
    assertThat(back.hours).extracting(s -> s.hour).containsExactly(10, 23);
    DimensionIds ids = new DimensionIds();
    HostDay.DayView view = new HostDay.DayView();
    assertThat(view.read(encoded, ids)).isTrue();
    assertThat(view.size).isEqualTo(2);
    assertThat(view.status()).isEqualTo(ScanStatus.MITIGATED);
    assertThat(view.compromised()).isTrue();
    assertThat(ids.name(Dimension.COUNTRY, view.country)).isEqualTo("XK");
    assertThat(view.asn).isEqualTo(4_200_000_000L);
    assertThat(ids.name(Dimension.ASN, view.asnId)).isEqualTo("4200000000");
    assertThat(ids.name(Dimension.SCANNER, view.scanner[view.latest])).isEqualTo("nuclei-eu");
    assertThat(ids.name(Dimension.SCANNER, view.scanner[1 - view.latest])).isEqualTo("s1");
    assertThat(view.status[1 - view.latest]).isEqualTo(ScanStatus.VULNERABLE);
    assertThat(view.compromised[1 - view.latest]).isFalse();
  }

  @Test
  void shouldRefuseADaySlotWhoseLatestScannerIsNotInIt() {
    HostDay day = new HostDay(DAY);
    apply(day.day, event("s1", "2021-03-02T10:00:00Z", ScanStatus.VULNERABLE, "FR", false));
    byte[] encoded = day.encode();
    // format, scanner count, country (2), ASN (4), then the latest scanner's index
    encoded[1 + 1 + 2 + 4] = 1;
    assertThatThrownBy(() -> new HostDay.DayView().read(encoded, new DimensionIds()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("scanner 1 of 1");
  }

  @Test
  void shouldReadAnEmptyDaySlotAsEmpty() {
    HostDay day = new HostDay(DAY);
    apply(day.hour(10), event("s1", "2021-03-02T10:00:00Z", ScanStatus.VULNERABLE, "FR", false));
    HostDay.DayView view = new HostDay.DayView();
    assertThat(view.read(day.encode(), new DimensionIds())).isFalse();
    assertThat(view.isEmpty()).isTrue();
  }

  @Test
  void shouldTakeTensOfBytesForAHostScannedOnceADay() {
    HostDay day = new HostDay(DAY);
    ScanEvent e = event("s1", "2021-03-02T10:00:00Z", ScanStatus.VULNERABLE, "FR", false);
    apply(day.day, e);
    apply(day.hour(10), e);
    // format byte; day slot: count 1, country 2, ASN 4, latest 1, scanner (length 1 + "s1" 2,
    // time 4, status 1, no eventId 2); hour count 1; hour 1 + the same slot again (18)
    assertThat(day.encode()).hasSize(1 + 18 + 1 + 1 + 18);
  }

  @Test
  void shouldKeepAHostDaySeenByHundredsOfScanners() {
    HostDay day = new HostDay(DAY);
    for (int i = 0; i < 300; i++) {
      apply(
          day.day, event("node-" + i, "2021-03-02T10:00:00Z", ScanStatus.VULNERABLE, "FR", false));
    }
    HostDay back = HostDay.decode(day.encode(), DAY);
    assertThat(back.day.scanners).hasSize(300);
    assertThat(back.day.latest().scanner).isEqualTo(day.day.latest().scanner);
    DimensionIds ids = new DimensionIds();
    HostDay.DayView view = new HostDay.DayView();
    view.read(day.encode(), ids);
    assertThat(view.size).isEqualTo(300);
    assertThat(ids.name(Dimension.SCANNER, view.scanner[view.latest]))
        .isEqualTo(day.day.latest().scanner);
  }

  @Test
  void shouldReadARecordOfTheFirstFormat() {
    // below 128 scanners, format 1 wrote the same bytes as format 2, under format byte 1
    HostDay day = new HostDay(DAY);
    apply(day.day, event("s1", "2021-03-02T10:00:00Z", ScanStatus.PATCHED, "FR", true));
    byte[] encoded = day.encode();
    encoded[0] = 1;
    HostDay back = HostDay.decode(encoded, DAY);
    assertThat(back.day.status()).isEqualTo(ScanStatus.PATCHED);
    assertThat(back.day.compromised()).isTrue();
  }

  @Test
  void shouldRefuseARecordOfAnotherFormat() {
    byte[] encoded = new HostDay(DAY).encode();
    encoded[0] = 9;
    assertThatThrownBy(() -> HostDay.decode(encoded, DAY))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown format 9");
  }

  @Test
  void shouldSortKeysByDayThenHost() {
    byte[] a = HostDay.key(DAY, "CVE-2021-26855", "192.0.2.9");
    byte[] b = HostDay.key(DAY, "CVE-2021-26855", "192.0.2.10");
    byte[] nextDay = HostDay.key(DAY + Windowing.DAY_MS, "CVE-2021-26855", "10.0.0.1");
    assertThat(HostDay.dayOf(a)).isEqualTo(DAY);
    assertThat(HostDay.vulnerabilityOf(b)).isEqualTo("CVE-2021-26855");
    assertThat(java.util.Arrays.compareUnsigned(a, nextDay)).isNegative();
    assertThat(java.util.Arrays.compareUnsigned(HostDay.firstKeyOf(DAY), a)).isNegative();
    assertThat(java.util.Arrays.compareUnsigned(a, HostDay.lastKeyOf(DAY))).isNegative();
    assertThat(java.util.Arrays.compareUnsigned(HostDay.lastKeyOf(DAY), nextDay)).isNegative();
    assertThat(
            HostDay.compareHosts(
                a, HostDay.key(DAY + 5 * Windowing.DAY_MS, "CVE-2021-26855", "192.0.2.9")))
        .isZero();
  }

  @Test
  void shouldMergeDaysIntoTheExposureView() {
    HostDay monday = new HostDay(DAY - Windowing.DAY_MS);
    apply(monday.day, event("s1", "2021-03-01T10:00:00Z", ScanStatus.VULNERABLE, "FR", true));
    apply(monday.day, event("s2", "2021-03-01T12:00:00Z", ScanStatus.VULNERABLE, "FR", false));
    HostDay tuesday = new HostDay(DAY);
    apply(tuesday.day, event("s1", "2021-03-02T09:00:00Z", ScanStatus.PATCHED, "BE", false));

    DimensionIds ids = new DimensionIds();
    HostDay.DayView merged = new HostDay.DayView();
    merged.clear();
    merged.mergeEarlier(view(ids, tuesday));
    merged.mergeEarlier(view(ids, monday));

    assertThat(merged.status()).isEqualTo(ScanStatus.PATCHED);
    assertThat(ids.name(Dimension.COUNTRY, merged.country)).isEqualTo("BE");
    assertThat(merged.compromised()).isTrue();
    assertThat(merged.size).isEqualTo(2);
    assertThat(ids.name(Dimension.SCANNER, merged.scanner[0])).isEqualTo("s1");
    assertThat(merged.status[0]).isEqualTo(ScanStatus.PATCHED);
    assertThat(merged.compromised[0]).isTrue();
    assertThat(ids.name(Dimension.SCANNER, merged.scanner[1])).isEqualTo("s2");
    assertThat(merged.status[1]).isEqualTo(ScanStatus.VULNERABLE);
    assertThat(merged.compromised[1]).isFalse();
  }

  /**
   * Random windows of up to 7 days (some without a DAILY slot) merged by {@link
   * HostDay.DayView#mergeEarlier} give what DESIGN section 3 says, computed here from every event
   * of the window: the latest event of all, each scanner's latest, compromise from any event.
   */
  @Test
  void shouldMergeRandomDaysAsTheContractSays() {
    Random random = new Random(7);
    String[] scanners = {"a", "b", "s1", "s10", "zz"};
    String[] countries = {"FR", "DE", "BE"};
    ScanStatus[] statuses = ScanStatus.values();
    DimensionIds ids = new DimensionIds();
    HostDay.DayView merged = new HostDay.DayView();
    for (int trial = 0; trial < 2_000; trial++) {
      List<ScanEvent> events = new ArrayList<>();
      List<HostDay.DayView> views = new ArrayList<>();
      int days = 1 + random.nextInt(7);
      for (int d = 0; d < days; d++) {
        long dayStart = DAY + d * Windowing.DAY_MS;
        HostDay day = new HostDay(dayStart);
        int n = random.nextInt(4); // 0: only an hour slot, no DAILY state
        for (int i = 0; i < n; i++) {
          ScanEvent e =
              event(
                  scanners[random.nextInt(scanners.length)],
                  Instant.ofEpochMilli(dayStart + random.nextInt(3) * Windowing.HOUR_MS).toString(),
                  statuses[random.nextInt(statuses.length)],
                  countries[random.nextInt(countries.length)],
                  random.nextInt(5) == 0);
          e.setEventId(random.nextBoolean() ? null : "id-" + random.nextInt(3));
          e.setAsn(random.nextInt(3));
          events.add(e);
          apply(day.day, e);
        }
        ScanEvent hourOnly =
            event("a", Instant.ofEpochMilli(dayStart).toString(), ScanStatus.PATCHED, "FR", false);
        apply(day.hour(0), hourOnly);
        views.add(view(ids, day));
      }
      merged.clear();
      for (int d = views.size() - 1; d >= 0; d--) {
        merged.mergeEarlier(views.get(d));
      }
      assertThat(describe(ids, merged)).as("trial %d", trial).isEqualTo(expected(events));
    }
  }

  private static HostDay.DayView view(DimensionIds ids, HostDay day) {
    HostDay.DayView view = new HostDay.DayView();
    view.read(day.encode(), ids);
    return view;
  }

  private static String describe(DimensionIds ids, HostDay.DayView view) {
    if (view.isEmpty()) {
      return "empty";
    }
    Map<String, String> byScanner = new TreeMap<>();
    for (int i = 0; i < view.size; i++) {
      byScanner.put(
          ids.name(Dimension.SCANNER, view.scanner[i]),
          view.status[i] + (view.compromised[i] ? "!" : ""));
    }
    return view.status()
        + (view.compromised() ? "!" : "")
        + " "
        + ids.name(Dimension.COUNTRY, view.country)
        + " "
        + view.asn
        + " "
        + byScanner;
  }

  private static String expected(List<ScanEvent> events) {
    if (events.isEmpty()) {
      return "empty";
    }
    ScanEvent latest = null;
    Map<String, ScanEvent> latestOf = new TreeMap<>();
    Map<String, Boolean> compromisedOf = new TreeMap<>();
    for (ScanEvent e : events) {
      if (latest == null || later(e, latest)) {
        latest = e;
      }
      latestOf.merge(e.getScanner(), e, (a, b) -> later(b, a) ? b : a);
      compromisedOf.merge(e.getScanner(), e.getCompromised(), Boolean::logicalOr);
    }
    Map<String, String> byScanner = new TreeMap<>();
    latestOf.forEach(
        (scanner, e) ->
            byScanner.put(scanner, e.getStatus() + (compromisedOf.get(scanner) ? "!" : "")));
    return latest.getStatus()
        + (compromisedOf.containsValue(true) ? "!" : "")
        + " "
        + latest.getCountry()
        + " "
        + latest.getAsn()
        + " "
        + byScanner;
  }

  private static boolean later(ScanEvent a, ScanEvent b) {
    return EventOrder.compare(
            a.getObservedAt().toEpochMilli(),
            a.getStatus(),
            a.getScanner(),
            a.getEventId(),
            b.getObservedAt().toEpochMilli(),
            b.getStatus(),
            b.getScanner(),
            b.getEventId())
        > 0;
  }
}
