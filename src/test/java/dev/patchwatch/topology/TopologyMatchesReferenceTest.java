package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Randomized streams (several scanners, ties, duplicates, disorder inside the grace) through the
 * topology under TopologyTestDriver: its finals must equal the independent reference exactly.
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

  private static void assertMatchesReference(List<ScanEvent> events, TopologySettings settings) {
    assertMatchesReference(events, settings, "2021-04-02T00:00:00Z");
  }

  private static void assertMatchesReference(
      List<ScanEvent> events, TopologySettings settings, String watermark) {
    ReferenceModel.Result expected =
        ReferenceModel.compute(
            events,
            1,
            new ReferenceModel.Settings(
                settings.hourlyGrace(),
                settings.dailyGrace(),
                settings.exposureGrace(),
                settings.lookBackDays()));
    try (TopologyHarness h =
        new TopologyHarness(settings.withStoreType(TopologySettings.StoreType.IN_MEMORY))) {
      h.send(events.toArray(ScanEvent[]::new));
      // a day past the harness clock: the furthest a watermark may be, and past every window here
      h.watermark(watermark);

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
  }
}
