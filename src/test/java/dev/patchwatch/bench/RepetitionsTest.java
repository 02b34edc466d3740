package dev.patchwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepetitionsTest {

  private static final long S = 1_000_000_000L;

  /** A run of 1,000 events whose measured stretch (after 100) took {@code seconds}. */
  static BenchReport.PhaseResult run(String name, double seconds, long cpuNanos) {
    long nanos = Math.round(seconds * S);
    return new BenchReport.PhaseResult(
        name,
        "a phase",
        1_000,
        1_006,
        seconds + 1,
        -1,
        new ResourceSampler.Peaks(1, 1, 1, -1, cpuNanos),
        new SteadyState(1_000, 100, 5 * S, 5 * S + nanos, cpuNanos, true),
        Map.of("stretchSeconds", seconds));
  }

  @Test
  void shouldTakeTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
    assertThat(Repetitions.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Repetitions.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(Repetitions.median(List.of(7.0))).isEqualTo(7.0);
    assertThat(Repetitions.median(List.of())).isNaN();
    // an unknown figure sorts last rather than poisoning the middle
    assertThat(Repetitions.median(List.of(Double.NaN, 1.0, 2.0))).isEqualTo(2.0);
  }

  @Test
  void shouldReportTheMedianRunWithEveryRunKept() {
    // 900 measured events: 300, 900 and 450 events/s
    BenchReport.PhaseResult slow = run("minimal", 3.0, 900_000);
    BenchReport.PhaseResult fast = run("minimal", 1.0, 2_700_000);
    BenchReport.PhaseResult middle = run("minimal", 2.0, 1_800_000);

    BenchReport.PhaseResult combined = Repetitions.combine(List.of(slow, fast, middle));

    assertThat(combined.eventsPerSecond()).isEqualTo(450.0);
    // 1, 3 and 2 µs per event
    assertThat(combined.cpuMicrosPerEvent()).isEqualTo(2.0);
    assertThat(combined.repetitions()).containsExactly(slow, fast, middle);
    assertThat(combined.repetitionCount()).isEqualTo(3);
    // the median run's own figures come with it
    assertThat(combined.details()).isSameAs(middle.details());
    assertThat(combined.seconds()).isEqualTo(3.0);
  }

  @Test
  void shouldReportTheMeanRateOfAnEvenCountButTheLowerMiddleRunsFigures() {
    BenchReport.PhaseResult a = run("full", 1.0, 0);
    BenchReport.PhaseResult b = run("full", 2.0, 0);
    BenchReport.PhaseResult c = run("full", 3.0, 0);
    BenchReport.PhaseResult d = run("full", 4.0, 0);

    BenchReport.PhaseResult combined = Repetitions.combine(List.of(a, b, c, d));

    // 900, 450, 300 and 225 events/s
    assertThat(combined.eventsPerSecond()).isEqualTo((300.0 + 450.0) / 2);
    assertThat(combined.details()).isSameAs(c.details());
  }

  @Test
  void shouldRefuseNoRuns() {
    assertThatThrownBy(() -> Repetitions.combine(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
