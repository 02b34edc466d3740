package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.time.Instant;
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
    assertThat(HostDay.decodeDay(encoded, DAY).scanners).hasSize(2);
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
    assertThat(HostDay.decodeDay(day.encode(), DAY).scanners).hasSize(300);
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
    HostDay.Slot monday = new HostDay.Slot(-1);
    apply(monday, event("s1", "2021-03-01T10:00:00Z", ScanStatus.VULNERABLE, "FR", true));
    apply(monday, event("s2", "2021-03-01T12:00:00Z", ScanStatus.VULNERABLE, "FR", false));
    HostDay.Slot tuesday = new HostDay.Slot(-1);
    apply(tuesday, event("s1", "2021-03-02T09:00:00Z", ScanStatus.PATCHED, "BE", false));

    HostDay.Slot merged = new HostDay.Slot(-1);
    merged.merge(tuesday);
    merged.merge(monday);

    assertThat(merged.status()).isEqualTo(ScanStatus.PATCHED);
    assertThat(merged.country).isEqualTo("BE");
    assertThat(merged.compromised()).isTrue();
    assertThat(merged.scanners)
        .extracting(s -> s.status)
        .containsExactly(ScanStatus.PATCHED, ScanStatus.VULNERABLE);
    assertThat(merged.scanners.get(0).compromised).isTrue();
    // merging never changes the slots merged
    assertThat(monday.status()).isEqualTo(ScanStatus.VULNERABLE);
    assertThat(tuesday.compromised()).isFalse();
  }
}
