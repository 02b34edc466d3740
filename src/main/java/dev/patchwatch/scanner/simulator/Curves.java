package dev.patchwatch.scanner.simulator;

/**
 * Interpolation between dated points (epoch days), flat before the first point and after the last.
 */
final class Curves {

  private Curves() {}

  /**
   * Log-linear (a constant daily rate) between points: remediation waves shrink by a share of what
   * is left each day, so a straight line in log space fits them far better than a straight line.
   * Every value must be positive.
   */
  static double logLinear(long[] days, double[] values, long day) {
    int i = segment(days, day);
    if (i < 0) {
      return day < days[0] ? values[0] : values[values.length - 1];
    }
    double f = (double) (day - days[i]) / (days[i + 1] - days[i]);
    return values[i] * Math.pow(values[i + 1] / values[i], f);
  }

  /** Linear between points; used for shares, which may be 0. */
  static double linear(long[] days, double[] values, long day) {
    int i = segment(days, day);
    if (i < 0) {
      return day < days[0] ? values[0] : values[values.length - 1];
    }
    double f = (double) (day - days[i]) / (days[i + 1] - days[i]);
    return values[i] + (values[i + 1] - values[i]) * f;
  }

  /** The i with days[i] <= day < days[i + 1], or -1 outside [first, last). */
  private static int segment(long[] days, long day) {
    for (int i = 0; i + 1 < days.length; i++) {
      if (days[i] <= day && day < days[i + 1]) {
        return i;
      }
    }
    return -1;
  }
}
