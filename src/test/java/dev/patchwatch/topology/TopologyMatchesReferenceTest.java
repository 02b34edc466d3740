package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Randomized streams (several scanners, ties, duplicates, disorder inside the grace) through the
 * topology under TopologyTestDriver: its finals, transitions and cohorts must equal the independent
 * reference exactly.
 */
class TopologyMatchesReferenceTest {

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L, 42L, 2021L})
  void shouldPublishExactlyTheReferenceFinals(long seed) {
    List<ScanEvent> events =
        RandomEvents.generate(seed, RandomEvents.Options.defaults().withHosts(120).withDays(3));
    assertMatchesReference(events, TopologySettings.defaults(1));
  }

  @ParameterizedTest
  @ValueSource(longs = {7L, 8L, 9L})
  void shouldRejectExactlyTheReferenceLateEvents(long seed) {
    List<ScanEvent> events =
        RandomEvents.generate(
            seed, RandomEvents.Options.withLateEvents().withHosts(120).withDays(3));
    assertMatchesReference(events, TopologySettings.defaults(1));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void shouldMatchReferenceWithOtherGracesAndLookBack(int lookBackDays) {
    List<ScanEvent> events =
        RandomEvents.generate(
            11L,
            RandomEvents.Options.withLateEvents()
                .withHosts(80)
                .withDays(4)
                .withMaxDisorder(Duration.ofMinutes(20)));
    TopologySettings settings =
        TopologySettings.defaults(1)
            .withGraces(Duration.ofMinutes(30), Duration.ofHours(5), Duration.ZERO)
            .withLookBackDays(lookBackDays);
    assertMatchesReference(events, settings);
  }

  /** One watermark weeks after the last event closes every window at once (a file of history). */
  @ParameterizedTest
  @ValueSource(strings = {"2021-03-20T00:00:00Z", "2021-04-02T00:00:00Z"})
  void shouldMatchReferenceWhenOneWatermarkClosesWeeks(String watermark) {
    List<ScanEvent> events =
        RandomEvents.generate(1201L, RandomEvents.Options.defaults().withHosts(120).withDays(3));
    assertMatchesReference(events, TopologySettings.defaults(1), watermark);
  }

  /**
   * A month of hosts rescanned every 12 h to 5 days, regressing and compromised, so transitions
   * look back over gaps (the 7-day edge included) and cohorts reach age 28 with points nobody was
   * observed at; ties and duplicates as always, disorder up to the hourly grace.
   */
  @ParameterizedTest
  @ValueSource(longs = {1501L, 1502L, 1503L})
  void shouldPublishExactlyTheReferenceTransitionsAndCohortsOverAMonth(long seed) {
    List<ScanEvent> events =
        RandomEvents.generate(
            seed,
            RandomEvents.Options.forTransitions(Instant.parse("2021-02-20T09:30:00Z"), 31)
                .withHosts(60));
    assertExercisesTransitionsAndCohorts(
        assertMatchesReference(events, TopologySettings.defaults(1)));
  }

  /** The same with 3% of the events delivered up to 30 h behind: LATE ones decide no day. */
  @ParameterizedTest
  @ValueSource(longs = {1601L, 1602L})
  void shouldLeaveLateEventsOutOfTransitionsAndCohortsAsTheReferenceDoes(long seed) {
    List<ScanEvent> events =
        RandomEvents.generate(
            seed,
            RandomEvents.Options.forTransitions(Instant.parse("2021-02-20T09:30:00Z"), 31)
                .withHosts(60)
                .withLate(0.03, Duration.ofHours(30)));
    assertExercisesTransitionsAndCohorts(
        assertMatchesReference(events, TopologySettings.defaults(1)));
  }

  /** The previous-state look-back stays 7 days whatever the EXPOSURE look-back and graces. */
  @ParameterizedTest
  @ValueSource(ints = {1, 10})
  void shouldMatchReferenceTransitionsWithOtherGracesAndLookBack(int lookBackDays) {
    List<ScanEvent> events =
        RandomEvents.generate(
            1700L + lookBackDays,
            RandomEvents.Options.forTransitions(Instant.parse("2021-02-20T09:30:00Z"), 31)
                .withHosts(60)
                .withLate(0.03, Duration.ofHours(30))
                .withMaxDisorder(Duration.ofMinutes(20)));
    TopologySettings settings =
        TopologySettings.defaults(1)
            .withGraces(Duration.ofMinutes(30), Duration.ofHours(5), Duration.ZERO)
            .withLookBackDays(lookBackDays);
    assertExercisesTransitionsAndCohorts(assertMatchesReference(events, settings));
  }

  /**
   * Today's dates: a month ending ten days ago, closed by a watermark a day ahead of the clock (the
   * furthest it may be), which closes every window that holds an event.
   */
  @ParameterizedTest
  @ValueSource(longs = {1801L})
  void shouldMatchReferenceTransitionsAndCohortsOnTodaysDates(long seed) {
    List<ScanEvent> events =
        RandomEvents.generate(
            seed,
            RandomEvents.Options.forTransitions(Instant.parse("2026-10-20T09:30:00Z"), 31)
                .withHosts(60)
                .withLate(0.02, Duration.ofHours(30)));
    assertExercisesTransitionsAndCohorts(
        assertMatchesReference(
            events,
            TopologySettings.defaults(1),
            "2026-12-02T00:00:00Z",
            Instant.parse("2026-12-01T00:00:00Z")));
  }

  /**
   * One host scanned by 300 scanners (a fleet whose nodes each have their own id): every scanner's
   * view keeps its own previous state and cohort, however many there are.
   */
  @Test
  void shouldMatchReferenceWhenOneHostHasHundredsOfScanners() {
    List<ScanEvent> events = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String scanner = String.format(Locale.ROOT, "node-%03d", i);
      events.add(
          TopologyHarness.event(
              scanner, "2021-03-10T10:00:00Z", "192.0.2.1", ScanStatus.VULNERABLE));
    }
    for (int i = 0; i < 300; i++) {
      String scanner = String.format(Locale.ROOT, "node-%03d", i);
      events.add(
          TopologyHarness.event(scanner, "2021-03-11T10:00:00Z", "192.0.2.1", ScanStatus.PATCHED));
    }
    ReferenceModel.Result expected = assertMatchesReference(events, TopologySettings.defaults(1));
    // each scanner saw VULNERABLE then PATCHED: remediated in its own view on 03-11
    assertThat(expected.transitions())
        .filteredOn(
            t ->
                t.getDimension() == Dimension.SCANNER
                    && t.getWindowStart().equals(Instant.parse("2021-03-11T00:00:00Z")))
        .hasSize(300)
        .allMatch(t -> t.getRemediated() == 1);
  }

  /** The stream holds what 7.9 has to get right, so equality above means something. */
  private static void assertExercisesTransitionsAndCohorts(ReferenceModel.Result expected) {
    assertThat(expected.transitions()).anyMatch(t -> t.getRemediated() > 0);
    assertThat(expected.transitions()).anyMatch(t -> t.getRegressed() > 0);
    assertThat(expected.transitions()).anyMatch(t -> t.getNewlyCompromised() > 0);
    assertThat(expected.transitions()).anyMatch(t -> t.getCompromisedButRemediated() > 0);
    assertThat(expected.cohorts()).anyMatch(c -> c.getAgeDays() == 28);
    assertThat(expected.cohorts()).anyMatch(c -> c.getObserved() == 0);
    assertThat(expected.cohorts())
        .anyMatch(c -> c.getObserved() > 0 && c.getObserved() < c.getCohortSize());
  }

  private static ReferenceModel.Result assertMatchesReference(
      List<ScanEvent> events, TopologySettings settings) {
    return assertMatchesReference(events, settings, "2021-04-02T00:00:00Z");
  }

  private static ReferenceModel.Result assertMatchesReference(
      List<ScanEvent> events, TopologySettings settings, String watermark) {
    return assertMatchesReference(events, settings, watermark, TopologyHarness.WALL_CLOCK);
  }

  private static ReferenceModel.Result assertMatchesReference(
      List<ScanEvent> events, TopologySettings settings, String watermark, Instant wallClock) {
    ReferenceModel.Result expected =
        ReferenceModel.compute(
            events,
            1,
            new ReferenceModel.Settings(
                settings.hourlyGrace(),
                settings.dailyGrace(),
                settings.exposureGrace(),
                settings.lookBackDays()),
            Instant.parse(watermark));
    try (TopologyHarness h =
        new TopologyHarness(
            settings.withStoreType(TopologySettings.StoreType.IN_MEMORY), wallClock)) {
      h.send(events.toArray(ScanEvent[]::new));
      // a day past the harness clock: the furthest a watermark may be, and past every window here
      h.watermark(watermark);

      List<TransitionCount> transitions = new ArrayList<>();
      for (KeyValue<CountKey, TransitionCount> kv : h.transitions.readKeyValuesToList()) {
        assertThat(kv.key)
            .isEqualTo(
                new CountKey(
                    Granularity.DAILY,
                    kv.value.getWindowStart(),
                    kv.value.getVulnerability(),
                    kv.value.getDimension(),
                    kv.value.getValue()));
        transitions.add(kv.value);
      }
      transitions.sort(ReferenceModel.TRANSITION_ORDER);
      FinalsAssert.assertSameFinals(transitions, expected.transitions());

      List<CohortCount> cohorts = new ArrayList<>();
      for (KeyValue<CohortKey, CohortCount> kv : h.cohorts.readKeyValuesToList()) {
        assertThat(kv.key)
            .isEqualTo(
                new CohortKey(
                    kv.value.getVulnerability(),
                    kv.value.getCohortDay(),
                    kv.value.getAgeDays(),
                    kv.value.getDimension(),
                    kv.value.getValue()));
        cohorts.add(kv.value);
      }
      cohorts.sort(ReferenceModel.COHORT_ORDER);
      FinalsAssert.assertSameFinals(cohorts, expected.cohorts());

      List<RemediationCount> finals = new ArrayList<>();
      finals.addAll(h.hourly.readValuesToList());
      finals.addAll(h.daily.readValuesToList());
      finals.addAll(h.exposure.readValuesToList());
      finals.sort(ReferenceModel.OUTPUT_ORDER);
      FinalsAssert.assertSameFinals(finals, expected.finals());

      Map<Long, List<Granularity>> late = new TreeMap<>();
      for (Rejected r : h.rejected.readValuesToList()) {
        assertThat(r.getReason()).isEqualTo(RejectReason.LATE);
        late.put(r.getOrigin().getOffset(), r.getGranularities());
      }
      Map<Long, List<Granularity>> expectedLate = new TreeMap<>();
      expected.late().forEach(l -> expectedLate.put((long) l.index(), l.granularities()));
      assertThat(late).isEqualTo(expectedLate);
    }
    return expected;
  }
}
