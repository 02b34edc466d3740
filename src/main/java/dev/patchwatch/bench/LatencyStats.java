package dev.patchwatch.bench;

import java.util.Arrays;

/**
 * Exact percentiles of a set of latencies, by nearest rank on the sorted samples. By hand rather
 * than HdrHistogram: a benchmark keeps at most a few million samples, sorting them is exact and
 * takes milliseconds, and it saves a dependency.
 *
 * @param count samples
 * @param p50Ms median, milliseconds
 * @param p90Ms 90th percentile
 * @param p99Ms 99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs largest
 * @param meanMs arithmetic mean
 */
record LatencyStats(
    long count,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double p999Ms,
    double maxMs,
    double meanMs) {

  /**
   * @param nanos the samples in nanoseconds; not changed
   */
  static LatencyStats of(long[] nanos) {
    if (nanos.length == 0) {
      return new LatencyStats(
          0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (long v : sorted) {
      sum += v;
    }
    return new LatencyStats(
        sorted.length,
        ms(percentile(sorted, 0.50)),
        ms(percentile(sorted, 0.90)),
        ms(percentile(sorted, 0.99)),
        ms(percentile(sorted, 0.999)),
        ms(sorted[sorted.length - 1]),
        sum / sorted.length / 1e6);
  }

  /** Nearest rank: the smallest sample with at least {@code q} of the samples at or below it. */
  static long percentile(long[] sorted, double q) {
    // the epsilon keeps 0.9 × 10 from ceiling to 10 through rounding error
    int rank = (int) Math.ceil(q * sorted.length - 1e-9);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
