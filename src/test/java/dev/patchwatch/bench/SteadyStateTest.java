package dev.patchwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SteadyStateTest {

  private static final long S = 1_000_000_000L;

  @Test
  void shouldTakeTenPercentOfTheRecordsRoundedUpAsWarmUp() {
    assertThat(SteadyState.warmUpRecords(2_000_006)).isEqualTo(200_001);
    assertThat(SteadyState.warmUpRecords(200_000)).isEqualTo(20_000);
    assertThat(SteadyState.warmUpRecords(9)).isEqualTo(1);
    assertThat(SteadyState.warmUpRecords(0)).isZero();
  }

  @Test
  void shouldStartAtTheFirstLookPastTheWarmUpAndCountFromWhatItSaw() {
    // 1,000 events and 6 watermarks: the warm-up is 101 records
    SteadyState.Watch watch = new SteadyState.Watch(1_000, 1_006, 0, 0);

    watch.look(60, 1 * S, 5_000);
    watch.look(100, 2 * S, 6_000);
    assertThat(watch.waiting()).isTrue();
    watch.look(120, 3 * S, 7_000);
    assertThat(watch.waiting()).isFalse();
    // later looks do not move the start
    watch.look(500, 4 * S, 9_000);
    SteadyState steady = watch.end(11 * S, 7_000 + 880_000);

    assertThat(steady.warmUpExcluded()).isTrue();
    assertThat(steady.warmUpEvents()).isEqualTo(120);
    assertThat(steady.measuredEvents()).isEqualTo(880);
    assertThat(steady.seconds()).isEqualTo(8.0);
    // 880 events in the 8 s from 3 s to 11 s, not 1,000 in 11 s
    assertThat(steady.eventsPerSecond()).isEqualTo(110.0);
    // 880,000 ns of CPU over 880 events
    assertThat(steady.cpuMicrosPerEvent()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void shouldFallBackToTheWholeRunWhenNoLookSawTheWarmUpEnd() {
    SteadyState.Watch watch = new SteadyState.Watch(1_000, 1_006, 2 * S, 40_000);
    watch.look(50, 3 * S, 50_000);

    SteadyState steady = watch.end(12 * S, 1_040_000);

    assertThat(steady.warmUpExcluded()).isFalse();
    assertThat(steady.warmUpEvents()).isZero();
    assertThat(steady.seconds()).isEqualTo(10.0);
    assertThat(steady.eventsPerSecond()).isEqualTo(100.0);
    assertThat(steady.cpuMicrosPerEvent()).isEqualTo(1.0);
  }

  @Test
  void shouldFallBackToTheWholeRunWhenTheFirstLookPastTheWarmUpSawEverything() {
    SteadyState.Watch watch = new SteadyState.Watch(1_000, 1_006, 0, 0);
    watch.look(1_006, 1 * S, 10);

    SteadyState steady = watch.end(2 * S, 20);

    assertThat(steady.warmUpExcluded()).isFalse();
    assertThat(steady.measuredEvents()).isEqualTo(1_000);
    assertThat(steady.eventsPerSecond()).isEqualTo(500.0);
  }

  @Test
  void shouldLeaveCpuUnknownWhenTheProcessCannotSay() {
    SteadyState.Watch watch = new SteadyState.Watch(1_000, 1_000, 0, -1);
    watch.look(200, 1 * S, -1);

    SteadyState steady = watch.end(2 * S, -1);

    assertThat(steady.eventsPerSecond()).isEqualTo(800.0);
    assertThat(steady.cpuMicrosPerEvent()).isNaN();
  }

  @Test
  void shouldRefuseAWarmUpLargerThanTheRun() {
    assertThatThrownBy(() -> new SteadyState(10, 11, 0, S, 0, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SteadyState(10, 1, S, 0, 0, true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
