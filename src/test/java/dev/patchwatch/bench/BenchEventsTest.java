package dev.patchwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchEventsTest {

  private static final Instant START = BenchEvents.DEFAULT_START;
  private static final long DAY = Duration.ofDays(1).toMillis();

  private static List<ScanEvent> generate(long events, int hosts, int days, long seed) {
    List<ScanEvent> out = new ArrayList<>();
    new BenchEvents(new BenchEvents.Options(events, hosts, days, seed, START)).generate(out::add);
    return out;
  }

  @Test
  void shouldGenerateExactlyTheRequestedNumberOfEvents() {
    assertThat(generate(1, 1, 1, 1)).hasSize(1);
    assertThat(generate(10_007, 1_000, 3, 1)).hasSize(10_007);
    // fewer events than hosts: some hosts are never scanned
    assertThat(generate(500, 2_000, 2, 1)).hasSize(500);
  }

  @Test
  void shouldGenerateTheSameEventsForTheSameSeed() {
    List<ScanEvent> first = generate(20_000, 2_000, 4, 7);
    List<ScanEvent> again = generate(20_000, 2_000, 4, 7);
    List<ScanEvent> other = generate(20_000, 2_000, 4, 8);

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void shouldGenerateEventsThatAreValidAndAlreadyCanonical() {
    EventContract contract =
        new EventContract(Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC));
    for (ScanEvent event : generate(50_000, 5_000, 10, 3)) {
      Parsed parsed = contract.normalize(event);
      assertThat(parsed).as(event.toString()).isInstanceOf(Parsed.Valid.class);
      // canonical already: publishing changes nothing, so the key is the IP as generated
      assertThat(((Parsed.Valid) parsed).event()).isEqualTo(event);
    }
  }

  @Test
  void shouldStayWithinThePeriodAndDeliverNoEventLate() {
    int days = 5;
    List<ScanEvent> events = generate(100_000, 10_000, days, 11);
    long maxSoFar = START.toEpochMilli();
    long delayed = 0;
    for (ScanEvent e : events) {
      long t = e.getObservedAt().toEpochMilli();
      assertThat(t).isBetween(START.toEpochMilli(), START.toEpochMilli() + days * DAY - 1);
      // behind the greatest observedAt so far by less than the smallest grace (HOURLY, 1 h)
      assertThat(maxSoFar - t).isLessThan(BenchEvents.MAX_DISORDER.toMillis());
      if (t < maxSoFar) {
        delayed++;
      }
      maxSoFar = Math.max(maxSoFar, t);
    }
    // some disorder, but little
    assertThat(delayed).isBetween(events.size() / 100L, events.size() / 20L);
  }

  @Test
  void shouldLookLikeAFleetWatchingAPopulationRemediate() {
    int hosts = 20_000;
    int days = 10;
    List<ScanEvent> events = generate(200_000, hosts, days, 2021);

    Map<String, Set<String>> scannersByHost = new HashMap<>();
    Map<ScanStatus, Integer> statuses = new EnumMap<>(ScanStatus.class);
    Set<String> countries = new HashSet<>();
    Set<Long> asns = new HashSet<>();
    Set<String> vulnerabilities = new HashSet<>();
    int ipv6 = 0;
    int compromised = 0;
    int[] vulnerableByDay = new int[days];
    int[] scansByDay = new int[days];
    for (ScanEvent e : events) {
      scannersByHost.computeIfAbsent(e.getIp(), ip -> new HashSet<>()).add(e.getScanner());
      statuses.merge(e.getStatus(), 1, Integer::sum);
      countries.add(e.getCountry());
      asns.add(e.getAsn());
      vulnerabilities.add(e.getVulnerability());
      ipv6 += e.getIp().contains(":") ? 1 : 0;
      compromised += e.getCompromised() ? 1 : 0;
      int day = (int) ((e.getObservedAt().toEpochMilli() - START.toEpochMilli()) / DAY);
      scansByDay[day]++;
      vulnerableByDay[day] += e.getStatus() == ScanStatus.VULNERABLE ? 1 : 0;
    }

    assertThat(scannersByHost).hasSize(hosts);
    assertThat(scannersByHost.values()).allSatisfy(s -> assertThat(s.size()).isBetween(1, 4));
    assertThat(scannersByHost.values().stream().filter(s -> s.size() >= 2).count())
        .isGreaterThan(hosts * 9L / 10);
    assertThat(statuses).containsOnlyKeys(ScanStatus.values());
    assertThat(countries).hasSizeGreaterThan(20).contains("US", "FR", "ZZ");
    assertThat(asns).hasSizeGreaterThan(300);
    assertThat(vulnerabilities)
        .containsExactlyInAnyOrder(
            BenchEvents.MAIN_VULNERABILITY, BenchEvents.SECOND_VULNERABILITY);
    assertThat(ipv6).isBetween(events.size() / 50, events.size() / 10);
    assertThat(compromised).isPositive();
    // several scans of every host spread over every day, and the exposed share falls
    for (int n : scansByDay) {
      assertThat(n).isBetween(events.size() / days * 8 / 10, events.size() / days * 12 / 10);
    }
    double firstDay = (double) vulnerableByDay[0] / scansByDay[0];
    double lastDay = (double) vulnerableByDay[days - 1] / scansByDay[days - 1];
    assertThat(firstDay).isGreaterThan(0.6);
    assertThat(lastDay).isLessThan(firstDay / 2);
  }

  @Test
  void shouldRefuseSizesItCannotGenerate() {
    assertThatThrownBy(() -> new BenchEvents.Options(0, 1, 1, 1, START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("events");
    assertThatThrownBy(() -> new BenchEvents.Options(1, BenchEvents.MAX_HOSTS + 1, 1, 1, START))
        .hasMessageContaining("hosts");
    assertThatThrownBy(() -> new BenchEvents.Options(1, 1, 0, 1, START))
        .hasMessageContaining("days");
  }
}
