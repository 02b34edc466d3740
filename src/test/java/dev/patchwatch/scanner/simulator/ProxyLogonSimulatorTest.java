package dev.patchwatch.scanner.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProxyLogonSimulatorTest {

  private static final Scenario PROXYLOGON = Scenario.proxyLogon();

  /** "Now" for the contract's not-in-the-future rule: just after the simulated month. */
  private static final EventContract CONTRACT =
      new EventContract(Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC));

  private static final LocalDate MARCH_10 = LocalDate.parse("2021-03-10");

  @Test
  void shouldGiveTheSameEventsForTheSameSeed() {
    ProxyLogonSimulator a = new ProxyLogonSimulator(PROXYLOGON, 0.01, 42);
    ProxyLogonSimulator b = new ProxyLogonSimulator(PROXYLOGON, 0.01, 42);
    // b makes another day first: a day depends on nothing but (scenario, scale, seed, day)
    b.day(LocalDate.parse("2021-03-20"));

    assertThat(b.day(MARCH_10)).isNotEmpty().isEqualTo(a.day(MARCH_10));
    assertThat(a.day(MARCH_10)).isEqualTo(a.day(MARCH_10));
  }

  @Test
  void shouldGiveOtherEventsForAnotherSeed() {
    List<ScanEvent> one = new ProxyLogonSimulator(PROXYLOGON, 0.01, 42).day(MARCH_10);
    List<ScanEvent> other = new ProxyLogonSimulator(PROXYLOGON, 0.01, 43).day(MARCH_10);

    assertThat(other).isNotEqualTo(one);
    assertThat(other.get(0).getIp()).isNotEqualTo(one.get(0).getIp());
  }

  @Test
  void shouldDoubleHostsAndEventsWhenTheScaleDoubles() {
    ProxyLogonSimulator small = new ProxyLogonSimulator(PROXYLOGON, 0.01, 7);
    ProxyLogonSimulator large = new ProxyLogonSimulator(PROXYLOGON, 0.02, 7);

    assertThat(small.hosts()).isEqualTo(4_000);
    assertThat(large.hosts()).isEqualTo(8_000);
    for (String day : List.of("2021-02-22", "2021-03-10", "2021-03-31")) {
      double ratio =
          (double) large.day(LocalDate.parse(day)).size() / small.day(LocalDate.parse(day)).size();
      assertThat(ratio).as("events on %s", day).isBetween(1.9, 2.1);
    }
  }

  @Test
  void shouldEmitOnlyValidCanonicalEventsInOrderWithinTheirDay() {
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(PROXYLOGON, 0.005, 1);
    long total = 0;
    for (LocalDate day : simulator.days()) {
      Instant start = day.atStartOfDay().toInstant(ZoneOffset.UTC);
      Instant end = start.plusSeconds(86_400);
      Instant previous = start;
      for (ScanEvent e : simulator.day(day)) {
        Parsed parsed = CONTRACT.normalize(e);
        assertThat(parsed).as("%s", e).isInstanceOf(Parsed.Valid.class);
        // already normalised: the topology sees what the simulator made
        assertThat(((Parsed.Valid) parsed).event()).isEqualTo(e);
        assertThat(e.getObservedAt())
            .isBetween(start, end.minusMillis(1))
            .isAfterOrEqualTo(previous);
        previous = e.getObservedAt();
        total++;
      }
    }
    assertThat(total).isPositive();
  }

  @Test
  void shouldKeepEveryHostOnOneAddressCountryAndNetwork() {
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(PROXYLOGON, 0.005, 3);
    Map<String, String> where = new HashMap<>();
    for (LocalDate day : simulator.days()) {
      for (ScanEvent e : simulator.day(day)) {
        String place = e.getCountry() + "/" + e.getAsn();
        assertThat(where.putIfAbsent(e.getIp(), place)).as(e.getIp()).isIn(null, place);
      }
    }
    assertThat(where).hasSize((int) simulator.hosts());
    long ipv6 = where.keySet().stream().filter(ip -> ip.contains(":")).count();
    // 3% of 2,000 hosts
    assertThat(ipv6).isBetween(30L, 100L);
    assertThat(where.keySet()).allMatch(ip -> !ip.startsWith("10.") && !ip.startsWith("127."));
  }

  @Test
  void shouldScanEachHostAboutOneAndAHalfTimesADay() {
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(PROXYLOGON, 0.01, 5);
    long events = 0;
    for (LocalDate day : simulator.days()) {
      events += simulator.day(day).size();
    }
    double perHostDay = (double) events / simulator.hosts() / simulator.days().size();
    // the brief's budget: ~15-20M events for a full-scale month of 400,000 hosts
    assertThat(perHostDay).isBetween(1.1, 1.6);
  }

  @Test
  void shouldReportPatchedMitigatedAndOfflineHostsWithTheirBuilds() {
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(PROXYLOGON, 0.01, 5);
    Map<ScanStatus, Long> byStatus = new EnumMap<>(ScanStatus.class);
    List<ScanEvent> events = simulator.day(LocalDate.parse("2021-03-15"));
    for (ScanEvent e : events) {
      byStatus.merge(e.getStatus(), 1L, Long::sum);
      switch (e.getStatus()) {
        case PATCHED ->
            assertThat(e.getProductVersion())
                .isIn(PROXYLOGON.product().builds().stream().map(Scenario.Build::fixed).toArray());
        case VULNERABLE, MITIGATED ->
            assertThat(e.getProductVersion())
                .isIn(
                    PROXYLOGON.product().builds().stream()
                        .map(Scenario.Build::vulnerable)
                        .toArray());
        case UNREACHABLE -> {
          assertThat(e.getProductVersion()).isNull();
          assertThat(e.getCompromised()).isFalse();
        }
      }
    }
    assertThat(byStatus).containsOnlyKeys(ScanStatus.values());
    // 12% of the fixed hosts are mitigated rather than patched
    double mitigated =
        (double) byStatus.get(ScanStatus.MITIGATED)
            / (byStatus.get(ScanStatus.MITIGATED) + byStatus.get(ScanStatus.PATCHED));
    assertThat(mitigated).isBetween(0.08, 0.16);
    assertThat(events)
        .filteredOn(ScanEvent::getCompromised)
        .extracting(ScanEvent::getScanner)
        .containsOnly("shadowserver", "cert-fr");
  }

  @Test
  void shouldLetAFixedHostGoBackOnlyInAShortRegressionAndKeepMostWebShells() {
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(PROXYLOGON, 0.005, 9);
    Map<String, ScanStatus> fixedAs = new HashMap<>();
    Map<String, Integer> regressions = new HashMap<>();
    Map<String, ScanStatus> last = new HashMap<>();
    Map<String, Boolean> compromised = new HashMap<>();
    java.util.Set<String> cleanedHosts = new java.util.HashSet<>();
    int everCompromised = 0;
    int cleaned = 0;
    for (LocalDate day : simulator.days()) {
      for (ScanEvent e : simulator.day(day)) {
        ScanStatus before = last.put(e.getIp(), e.getStatus());
        if (e.getStatus() != ScanStatus.VULNERABLE) {
          // a host leaves for one state, and comes back to that same state after a regression
          ScanStatus first = fixedAs.putIfAbsent(e.getIp(), e.getStatus());
          if (first != null) {
            assertThat(e.getStatus()).as("%s fixed as %s", e.getIp(), first).isEqualTo(first);
          }
        } else if (before != null && before != ScanStatus.VULNERABLE) {
          regressions.merge(e.getIp(), 1, Integer::sum);
        }
        if (e.getScanner().equals("shadowserver") && e.getStatus() != ScanStatus.UNREACHABLE) {
          Boolean seen = compromised.put(e.getIp(), e.getCompromised());
          if (e.getCompromised() && !Boolean.TRUE.equals(seen)) {
            // once removed, a web shell never comes back
            assertThat(cleanedHosts)
                .as("%s shell back on %s", e.getIp(), day)
                .doesNotContain(e.getIp());
            everCompromised++;
          }
          if (Boolean.TRUE.equals(seen) && !e.getCompromised()) {
            cleaned++;
            cleanedHosts.add(e.getIp());
          }
        }
      }
    }
    assertThat(regressions.values()).as("each regressed host goes back once").containsOnly(1);
    double regressedShare = (double) regressions.size() / fixedAs.size();
    assertThat(regressedShare).as("share of fixed hosts that regress").isBetween(0.01, 0.05);
    assertThat(everCompromised).isPositive();
    assertThat((double) cleaned / everCompromised)
        .as("share of web shells removed")
        .isBetween(0.01, 0.25);
  }

  @Test
  void shouldScaleThePublishedFigures() {
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(PROXYLOGON, 0.05, 1);

    assertThat(simulator.hosts()).isEqualTo(20_000);
    assertThat(simulator.publishedExposed(LocalDate.parse("2021-03-01"))).hasValue(20_000);
    assertThat(simulator.publishedExposed(LocalDate.parse("2021-03-09"))).hasValue(5_000);
    // between 100,000 (9th) and 69,000 (14th), log-linear: 100,000 * 0.69^(1/5) = 92,847.5, times
    // 0.05
    assertThat(simulator.publishedExposed(MARCH_10)).hasValue(4_642);
    assertThat(simulator.publishedExposed(LocalDate.parse("2021-03-22"))).hasValue(1_450);
    // no published figure before the first or after the last; the assumed 1 April is not one
    assertThat(simulator.publishedExposed(LocalDate.parse("2021-02-28"))).isEmpty();
    assertThat(simulator.publishedExposed(LocalDate.parse("2021-03-23"))).isEmpty();
    assertThat(simulator.publishedFranceExposed(LocalDate.parse("2021-03-13"))).hasValue(750);
    assertThat(simulator.publishedFranceExposed(LocalDate.parse("2021-03-11"))).isEmpty();
    assertThat(simulator.publishedFranceExposed(LocalDate.parse("2021-03-15"))).isEmpty();
  }

  @Test
  void shouldExpectTheScaledCurveWhereWindowsAreComplete() {
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(PROXYLOGON, 0.05, 1);

    assertThat(simulator.expectedExposed(LocalDate.parse("2021-03-01"))).hasValue(20_000);
    // the scenario's curve, plus the hosts back to VULNERABLE after a regression on that day
    long regressed = simulator.expectedRegressed(MARCH_10).orElseThrow();
    assertThat(regressed).isPositive();
    assertThat(simulator.expectedExposed(MARCH_10)).hasValue(4_642 + regressed);
    assertThat(simulator.expectedExposed(LocalDate.parse("2021-04-01")))
        .hasValue(750 + simulator.expectedRegressed(LocalDate.parse("2021-04-01")).orElseThrow());
    assertThat(simulator.expectedFranceExposed(LocalDate.parse("2021-03-01"))).hasValue(1_400);
    // before a full look-back, and after the last scans, there is no complete window
    assertThat(simulator.expectedExposed(LocalDate.parse("2021-02-28"))).isEmpty();
    assertThat(simulator.expectedExposed(LocalDate.parse("2021-04-02"))).isEmpty();
    List<Long> curve = new ArrayList<>();
    for (LocalDate d = LocalDate.parse("2021-03-01");
        !d.isAfter(LocalDate.parse("2021-04-01"));
        d = d.plusDays(1)) {
      curve.add(
          simulator.expectedExposed(d).orElseThrow()
              - simulator.expectedRegressed(d).orElseThrow());
    }
    assertThat(curve).isSortedAccordingTo((x, y) -> Long.compare(y, x));
  }

  @Test
  void shouldRefuseDaysOutsideTheScenario() {
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(PROXYLOGON, 0.001, 1);

    assertThat(simulator.days())
        .hasSize(38)
        .startsWith(LocalDate.parse("2021-02-22"))
        .endsWith(LocalDate.parse("2021-03-31"));
    assertThatThrownBy(() -> simulator.day(LocalDate.parse("2021-02-21")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("2021-02-21 is outside the simulated days 2021-02-22..2021-03-31");
    assertThatThrownBy(() -> simulator.day(LocalDate.parse("2021-04-01")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRefuseAScaleWithoutHosts() {
    assertThatThrownBy(() -> new ProxyLogonSimulator(PROXYLOGON, 1e-9, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leaves no host");
    assertThatThrownBy(() -> new ProxyLogonSimulator(PROXYLOGON, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProxyLogonSimulator(PROXYLOGON, Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldSimulateASingleHost() {
    // the smallest population still follows the rules: vulnerable, then out for good
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(PROXYLOGON, 1.0 / 400_000, 1);
    assertThat(simulator.hosts()).isEqualTo(1);
    assertThat(simulator.day(LocalDate.parse("2021-02-22")))
        .isNotEmpty()
        .allMatch(e -> e.getStatus() == ScanStatus.VULNERABLE);
    OptionalLong end = simulator.expectedExposed(LocalDate.parse("2021-04-01"));
    assertThat(end).hasValue(0);
  }
}
