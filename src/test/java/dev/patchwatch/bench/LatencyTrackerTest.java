package dev.patchwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {

  @Test
  void shouldMatchEachEventToTheFirstUpdateThatCountsIt() {
    LatencyTracker tracker = new LatencyTracker(2, 10);
    tracker.produced(0, 0);
    tracker.produced(1, 5);
    tracker.produced(0, 10);
    tracker.produced(1, 15);
    tracker.produced(0, 20);

    assertThat(tracker.observed(0, 2, 100)).isEqualTo(2); // events 0 and 10 of partition 0
    assertThat(tracker.observed(1, 1, 110)).isEqualTo(1); // event 5 of partition 1
    assertThat(tracker.observed(0, 2, 120)).isZero(); // a repeat counts nothing again
    assertThat(tracker.observed(0, 3, 130)).isEqualTo(1); // event 20

    // event 15 of partition 1 is not counted yet: it has waited 200 − 15 so far
    assertThat(tracker.latencies(0, 200)).containsExactlyInAnyOrder(100, 90, 105, 110, 185);
    assertThat(tracker.matched()).isEqualTo(4);
    assertThat(tracker.produced()).isEqualTo(5);
    assertThat(tracker.unmatched(0)).isEqualTo(1); // event 15 of partition 1
  }

  @Test
  void shouldNotMatchEventsThatWereNeverProduced() {
    LatencyTracker tracker = new LatencyTracker(1, 10);
    tracker.produced(0, 0);

    // a count above what this run produced (say, left from another) matches only what exists
    assertThat(tracker.observed(0, 5, 50)).isEqualTo(1);
    tracker.produced(0, 60);
    assertThat(tracker.observed(0, 5, 70)).isEqualTo(1);

    assertThat(tracker.latencies(0, 100)).containsExactlyInAnyOrder(50, 10);
  }

  @Test
  void shouldLeaveOutEventsProducedDuringWarmUp() {
    LatencyTracker tracker = new LatencyTracker(1, 10);
    tracker.produced(0, 0);
    tracker.produced(0, 1_000);
    tracker.produced(0, 2_000);
    tracker.observed(0, 2, 3_000);

    assertThat(tracker.latencies(1_000, 4_000)).containsExactlyInAnyOrder(2_000, 2_000);
    assertThat(tracker.unmatched(1_000)).isEqualTo(1);
    assertThat(tracker.unmatched(5_000)).isZero();
  }

  @Test
  void shouldGroupLatenciesByWhenTheEventsWereProduced() {
    LatencyTracker tracker = new LatencyTracker(1, 10);
    tracker.produced(0, 100);
    tracker.produced(0, 150);
    tracker.produced(0, 320);
    tracker.observed(0, 2, 400);

    List<long[]> buckets = tracker.latenciesByBucket(100, 500, 100);

    // [100, 200): two events seen at 400; [200, 300): none; [300, 400): one still waiting at 500
    assertThat(buckets).hasSize(3);
    assertThat(buckets.get(0)).containsExactlyInAnyOrder(300, 250);
    assertThat(buckets.get(1)).isEmpty();
    assertThat(buckets.get(2)).containsExactly(180);
  }
}
