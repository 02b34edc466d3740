package dev.patchwatch.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExposureCurveTest {

  private static final String CVE = "CVE-2021-26855";

  @Test
  void shouldGiveARowOnceGlobalAndCountryAreIn() {
    ExposureCurve curve = new ExposureCurve(CVE, "FR");
    // the window ending 03-09 is the population as of 03-09
    assertThat(curve.accept(exposure("2021-03-09", Dimension.GLOBAL, "ALL", 100, 300))).isEmpty();
    List<ExposureCurve.Row> rows =
        curve.accept(exposure("2021-03-09", Dimension.COUNTRY, "FR", 15, 5));
    assertThat(rows)
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.date()).isEqualTo(LocalDate.parse("2021-03-09"));
              assertThat(row.exposed()).isEqualTo(100);
              assertThat(row.countryExposed()).isEqualTo(15);
              assertThat(row.remediatedRatio()).isEqualTo(0.75);
              assertThat(row.weekOverWeek()).isNull();
            });
  }

  @Test
  void shouldComputeWeekOverWeekFromSevenDaysBefore() {
    ExposureCurve curve = new ExposureCurve(CVE, "FR");
    List<ExposureCurve.Row> rows = new ArrayList<>();
    for (int day = 1; day <= 8; day++) {
      String date = String.format("2021-03-%02d", day);
      long exposed = day == 1 ? 400 : day == 8 ? 100 : 200;
      rows.addAll(curve.accept(exposure(date, Dimension.GLOBAL, "ALL", exposed, 0)));
      rows.addAll(curve.accept(exposure(date, Dimension.COUNTRY, "FR", 1, 0)));
    }
    assertThat(rows).hasSize(8);
    assertThat(rows.get(7).weekOverWeek()).isEqualTo(-0.75); // 100 against 400 on 03-01
  }

  @Test
  void shouldKeepDateOrderWhenADayArrivesLate() {
    ExposureCurve curve = new ExposureCurve(CVE, "FR");
    List<ExposureCurve.Row> rows = new ArrayList<>();
    rows.addAll(curve.accept(exposure("2021-03-01", Dimension.GLOBAL, "ALL", 10, 0)));
    rows.addAll(curve.accept(exposure("2021-03-01", Dimension.COUNTRY, "FR", 1, 0)));
    // 03-03 complete before 03-02 is in: held back
    rows.addAll(curve.accept(exposure("2021-03-03", Dimension.GLOBAL, "ALL", 8, 0)));
    rows.addAll(curve.accept(exposure("2021-03-03", Dimension.COUNTRY, "FR", 1, 0)));
    assertThat(rows)
        .extracting(ExposureCurve.Row::date)
        .containsExactly(LocalDate.parse("2021-03-01"));
    rows.addAll(curve.accept(exposure("2021-03-02", Dimension.GLOBAL, "ALL", 9, 0)));
    rows.addAll(curve.accept(exposure("2021-03-02", Dimension.COUNTRY, "FR", 1, 0)));
    assertThat(rows)
        .extracting(ExposureCurve.Row::date)
        .containsExactly(
            LocalDate.parse("2021-03-01"),
            LocalDate.parse("2021-03-02"),
            LocalDate.parse("2021-03-03"));
  }

  @Test
  void shouldGiveRowsWithoutTheirCountryOnlyWhenFlushed() {
    ExposureCurve curve = new ExposureCurve(CVE, "FR");
    assertThat(curve.accept(exposure("2021-03-01", Dimension.GLOBAL, "ALL", 10, 0))).isEmpty();
    assertThat(curve.accept(exposure("2021-03-02", Dimension.GLOBAL, "ALL", 10, 0))).isEmpty();
    assertThat(curve.accept(exposure("2021-03-03", Dimension.GLOBAL, "ALL", 10, 0))).isEmpty();
    assertThat(curve.flush())
        .extracting(ExposureCurve.Row::date, ExposureCurve.Row::countryExposed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(LocalDate.parse("2021-03-01"), 0L),
            org.assertj.core.groups.Tuple.tuple(LocalDate.parse("2021-03-02"), 0L),
            org.assertj.core.groups.Tuple.tuple(LocalDate.parse("2021-03-03"), 0L));
  }

  @Test
  void shouldSkipADayWithNoWindowOnceTwoLaterDaysAreIn() {
    ExposureCurve curve = new ExposureCurve(CVE, "FR");
    List<ExposureCurve.Row> rows = new ArrayList<>();
    // no window ends on 03-02; 03-03 waits for it until 03-05, two days later, is in
    for (String date : List.of("2021-03-01", "2021-03-03", "2021-03-04", "2021-03-05")) {
      rows.addAll(curve.accept(exposure(date, Dimension.GLOBAL, "ALL", 10, 0)));
      rows.addAll(curve.accept(exposure(date, Dimension.COUNTRY, "FR", 2, 0)));
    }
    assertThat(rows)
        .extracting(ExposureCurve.Row::date)
        .containsExactly(
            LocalDate.parse("2021-03-01"),
            LocalDate.parse("2021-03-03"),
            LocalDate.parse("2021-03-04"),
            LocalDate.parse("2021-03-05"));
  }

  @Test
  void shouldNeverSkipADayWhenTheFirstDayIsKnown() {
    ExposureCurve curve = new ExposureCurve(CVE, "FR", LocalDate.parse("2021-03-01"));
    List<ExposureCurve.Row> rows = new ArrayList<>();
    // later days come first, from partitions ahead of the others
    for (String date : List.of("2021-03-03", "2021-03-04", "2021-03-05", "2021-03-02")) {
      rows.addAll(curve.accept(exposure(date, Dimension.GLOBAL, "ALL", 10, 0)));
      rows.addAll(curve.accept(exposure(date, Dimension.COUNTRY, "FR", 1, 0)));
    }
    assertThat(rows).isEmpty();
    rows.addAll(curve.accept(exposure("2021-03-01", Dimension.GLOBAL, "ALL", 10, 0)));
    rows.addAll(curve.accept(exposure("2021-03-01", Dimension.COUNTRY, "FR", 1, 0)));
    assertThat(rows)
        .extracting(ExposureCurve.Row::date)
        .containsExactly(
            LocalDate.parse("2021-03-01"),
            LocalDate.parse("2021-03-02"),
            LocalDate.parse("2021-03-03"),
            LocalDate.parse("2021-03-04"),
            LocalDate.parse("2021-03-05"));
    // a day before the first is not part of the curve
    assertThat(curve.accept(exposure("2021-02-28", Dimension.GLOBAL, "ALL", 10, 0))).isEmpty();
    assertThat(curve.flush()).isEmpty();
  }

  @Test
  void shouldIgnoreOtherGranularitiesVulnerabilitiesAndCountries() {
    ExposureCurve curve = new ExposureCurve(CVE, "FR");
    RemediationCount daily =
        RemediationCount.newBuilder(exposure("2021-03-01", Dimension.GLOBAL, "ALL", 10, 0))
            .setGranularity(Granularity.DAILY)
            .build();
    assertThat(curve.accept(daily)).isEmpty();
    RemediationCount otherCve =
        RemediationCount.newBuilder(exposure("2021-03-01", Dimension.GLOBAL, "ALL", 10, 0))
            .setVulnerability("CVE-2021-27065")
            .build();
    assertThat(curve.accept(otherCve)).isEmpty();
    assertThat(curve.accept(exposure("2021-03-01", Dimension.COUNTRY, "DE", 3, 0))).isEmpty();
    assertThat(curve.flush()).isEmpty();
  }

  private static RemediationCount exposure(
      String end, Dimension dimension, String value, long vulnerable, long patched) {
    Instant windowEnd = Instant.parse(end + "T00:00:00Z");
    long counted = vulnerable + patched;
    return RemediationCount.newBuilder()
        .setGranularity(Granularity.EXPOSURE)
        .setWindowStart(windowEnd.minusSeconds(7 * 86_400))
        .setWindowEnd(windowEnd)
        .setVulnerability(CVE)
        .setDimension(dimension)
        .setValue(value)
        .setHosts(counted)
        .setVulnerable(vulnerable)
        .setMitigated(0)
        .setPatched(patched)
        .setUnreachable(0)
        .setCompromised(0)
        .setRemediatedRatio(counted == 0 ? null : (double) patched / counted)
        .build();
  }
}
