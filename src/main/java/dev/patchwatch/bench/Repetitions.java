package dev.patchwatch.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A throughput phase run several times, each with a fresh application id and state directory: it
 * reports the median, which one slow or fast run on a shared machine does not move.
 */
final class Repetitions {

  private Repetitions() {}

  /**
   * The median of {@code values}: the middle one, or the mean of the two middle ones of an even
   * count; NaN for none. NaNs sort last, as unknown figures.
   */
  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static <T> double median(List<T> items, ToDoubleFunction<T> figure) {
    return median(items.stream().map(figure::applyAsDouble).toList());
  }

  /**
   * The phase as reported: the figures of its median run (the repetition whose rate is the median,
   * the lower of the two middle ones for an even count), carrying every run as a repetition, so
   * that its rate and CPU per event become the medians over all of them.
   */
  static BenchReport.PhaseResult combine(List<BenchReport.PhaseResult> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to combine");
    }
    List<BenchReport.PhaseResult> byRate = new ArrayList<>(runs);
    // stable: of equal rates, the earlier run
    byRate.sort(Comparator.comparingDouble(BenchReport.PhaseResult::eventsPerSecond));
    BenchReport.PhaseResult middle = byRate.get((byRate.size() - 1) / 2);
    return new BenchReport.PhaseResult(
        middle.name(),
        middle.what(),
        middle.events(),
        middle.records(),
        middle.seconds(),
        middle.bytes(),
        middle.peaks(),
        middle.steady(),
        runs,
        middle.details());
  }
}
