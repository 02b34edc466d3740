package dev.patchwatch.scanner.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.reference.ReferenceModel;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulated month run through the reference implementation of the counting rules, which gives
 * the finals the real topology publishes: the curve {@code patchwatch demo} prints must follow the
 * published figures.
 */
class ProxyLogonCurveTest {

  private static final double SCALE = 0.01;
  private static final long SEED = 20210302L;
  private static final String CVE = "CVE-2021-26855";

  private static ProxyLogonSimulator simulator;

  /** EXPOSURE finals by window end. */
  private static Map<LocalDate, RemediationCount> global;

  private static Map<LocalDate, RemediationCount> france;
  private static Map<LocalDate, Map<String, RemediationCount>> byScanner;

  @BeforeAll
  static void runTheMonth() {
    simulator = new ProxyLogonSimulator(Scenario.proxyLogon(), SCALE, SEED);
    List<ScanEvent> events = new ArrayList<>();
    for (LocalDate day : simulator.days()) {
      events.addAll(simulator.day(day));
    }
    long started = System.nanoTime();
    List<RemediationCount> finals = ReferenceModel.compute(events, 1).finals();
    long millis = (System.nanoTime() - started) / 1_000_000;

    global = new HashMap<>();
    france = new HashMap<>();
    byScanner = new HashMap<>();
    for (RemediationCount r : finals) {
      if (r.getGranularity() != Granularity.EXPOSURE || !r.getVulnerability().equals(CVE)) {
        continue;
      }
      LocalDate end = LocalDate.ofInstant(r.getWindowEnd(), ZoneOffset.UTC);
      if (r.getDimension() == Dimension.GLOBAL) {
        global.put(end, r);
      } else if (r.getDimension() == Dimension.COUNTRY && r.getValue().equals("FR")) {
        france.put(end, r);
      } else if (r.getDimension() == Dimension.SCANNER) {
        byScanner.computeIfAbsent(end, k -> new HashMap<>()).put(r.getValue(), r);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d hosts, %d events, reference model in %d ms%n",
        simulator.hosts(),
        events.size(),
        millis);
    printCurve();
  }

  @Test
  void shouldFollowThePublishedFiguresOnEveryAnchorDate() {
    for (Scenario.Anchor anchor : simulator.scenario().exposed()) {
      if (!anchor.published()) {
        continue;
      }
      double published = anchor.hosts() * SCALE;
      assertThat((double) vulnerable(global, anchor.date()))
          .as("exposed as of %s, published %s", anchor.date(), anchor.source())
          .isCloseTo(published, within(0.05 * published));
    }
  }

  @Test
  void shouldCountExactlyTheCurveTheHostsWereDealtEveryDay() {
    // the EXPOSURE reasoning of the simulator, checked day by day against the counting rules
    LocalDate from = simulator.scenario().firstDay().plusDays(simulator.scenario().lookBackDays());
    LocalDate to = simulator.scenario().lastDay().plusDays(1);
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      assertThat(vulnerable(global, d))
          .as("exposed as of %s", d)
          .isEqualTo(simulator.expectedExposed(d).orElseThrow());
      assertThat(vulnerable(france, d))
          .as("France as of %s", d)
          .isEqualTo(simulator.expectedFranceExposed(d).orElseThrow());
    }
  }

  @Test
  void shouldHaveRemediatedNineOutOfTenBy22March() {
    LocalDate d = LocalDate.parse("2021-03-22");
    assertThat(global.get(d).getRemediatedRatio()).isGreaterThanOrEqualTo(0.9);
    // and not long before: the ratio tracks the wave instead of starting high
    assertThat(global.get(LocalDate.parse("2021-03-05")).getRemediatedRatio()).isLessThan(0.6);
  }

  @Test
  void shouldShowAboutFifteenThousandExposedInFranceInMidMarch() {
    double published = 15_000 * SCALE;
    for (String date : List.of("2021-03-12", "2021-03-13", "2021-03-14")) {
      assertThat((double) vulnerable(france, LocalDate.parse(date)))
          .as("France as of %s", date)
          .isCloseTo(published, within(0.10 * published));
    }
  }

  @Test
  void shouldLetFranceFallMoreSlowlyThanTheWorld() {
    LocalDate start = LocalDate.parse("2021-03-01");
    LocalDate mid = LocalDate.parse("2021-03-14");
    double world = (double) vulnerable(global, mid) / vulnerable(global, start);
    double fr = (double) vulnerable(france, mid) / vulnerable(france, start);
    assertThat(fr).isGreaterThan(2 * world);
  }

  @Test
  void shouldShowAFewPercentCompromisedRisingOverTheMonth() {
    double early = compromisedShare(LocalDate.parse("2021-03-03"));
    double late = compromisedShare(LocalDate.parse("2021-03-22"));
    assertThat(late).isBetween(0.01, 0.10).isGreaterThan(early);
  }

  @Test
  void shouldShowHostsGoingOffline() {
    RemediationCount r = global.get(LocalDate.parse("2021-03-14"));
    assertThat(r.getUnreachable()).isPositive();
    // offline hosts leave the windows after a while; the population seen shrinks
    assertThat(global.get(LocalDate.parse("2021-04-01")).getHosts())
        .isLessThan(global.get(LocalDate.parse("2021-03-01")).getHosts());
  }

  @Test
  void shouldGiveEachScannerItsOwnCoverage() {
    Map<String, RemediationCount> scanners = byScanner.get(LocalDate.parse("2021-03-14"));
    long all = global.get(LocalDate.parse("2021-03-14")).getHosts();
    assertThat(scanners.keySet())
        .containsExactlyInAnyOrder("shadowserver", "censys", "shodan", "cert-fr");
    assertThat(scanners.get("shadowserver").getHosts()).isGreaterThan(all * 95 / 100);
    assertThat(scanners.get("censys").getHosts()).isBetween(all * 10 / 100, all * 30 / 100);
    // the national CERT scans France only
    assertThat(scanners.get("cert-fr").getHosts())
        .isLessThanOrEqualTo(france.get(LocalDate.parse("2021-03-14")).getHosts());
  }

  private static long vulnerable(Map<LocalDate, RemediationCount> curve, LocalDate date) {
    RemediationCount r = curve.get(date);
    assertThat(r).as("EXPOSURE window ending %s", date).isNotNull();
    return r.getVulnerable();
  }

  private static double compromisedShare(LocalDate date) {
    RemediationCount r = global.get(date);
    return (double) r.getCompromised() / r.getHosts();
  }

  private static void printCurve() {
    System.out.printf(
        Locale.ROOT,
        "%-10s %9s %9s %7s %9s %7s %9s %9s %6s %6s%n",
        "as of",
        "exposed",
        "published",
        "remed.",
        "w-o-w",
        "FR",
        "FR publ.",
        "hosts",
        "unrch",
        "compr");
    LocalDate from = simulator.scenario().firstDay().plusDays(simulator.scenario().lookBackDays());
    LocalDate to = simulator.scenario().lastDay().plusDays(1);
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      RemediationCount r = global.get(d);
      // a week-over-week change needs two full windows
      RemediationCount weekBefore =
          d.minusDays(7).isBefore(from) ? null : global.get(d.minusDays(7));
      String wow =
          weekBefore == null
              ? ""
              : String.format(
                  Locale.ROOT,
                  "%+.1f%%",
                  100.0
                      * (r.getVulnerable() - weekBefore.getVulnerable())
                      / weekBefore.getVulnerable());
      System.out.printf(
          Locale.ROOT,
          "%-10s %9d %9s %6.1f%% %9s %7d %9s %9d %6d %6d%n",
          d,
          r.getVulnerable(),
          text(simulator.publishedExposed(d)),
          r.getRemediatedRatio() == null ? 0 : 100 * r.getRemediatedRatio(),
          wow,
          france.get(d).getVulnerable(),
          text(simulator.publishedFranceExposed(d)),
          r.getHosts(),
          r.getUnreachable(),
          r.getCompromised());
    }
  }

  private static String text(OptionalLong value) {
    return value.isPresent() ? Long.toString(value.getAsLong()) : "";
  }
}
