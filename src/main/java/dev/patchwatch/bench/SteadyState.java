package dev.patchwatch.bench;

/**
 * The stretch of a throughput run that is measured: everything after the first {@link #WARM_UP} of
 * its input, so that starting tasks, filling caches, compiling hot code and opening the first
 * RocksDB segments do not count. A {@link Watch} marks where it starts while the run goes on.
 *
 * @param events scan events of the whole run
 * @param warmUpEvents of those, the ones processed before the measured stretch
 * @param startNanos when it starts ({@link System#nanoTime})
 * @param endNanos when the run was done, as its phase defines done
 * @param cpuNanos CPU time of the whole process over the stretch, or -1 if not measurable
 * @param warmUpExcluded false when no look saw the warm-up end before the run was done (a run too
 *     short for the polling): then the stretch is the whole run
 */
record SteadyState(
    long events,
    long warmUpEvents,
    long startNanos,
    long endNanos,
    long cpuNanos,
    boolean warmUpExcluded) {

  /** The share of the input that is warm-up. */
  static final double WARM_UP = 0.1;

  SteadyState {
    if (warmUpEvents < 0 || warmUpEvents > events) {
      throw new IllegalArgumentException(
          "warm-up events must be 0 to " + events + ", got " + warmUpEvents);
    }
    if (endNanos < startNanos) {
      throw new IllegalArgumentException("the stretch ends before it starts");
    }
  }

  /** The whole run, warm-up included: for phases too short or too simple to have one. */
  static SteadyState whole(long events, long startNanos, long endNanos, long cpuNanos) {
    return new SteadyState(events, 0, startNanos, endNanos, cpuNanos, false);
  }

  /** Records of the input (events and watermarks) that make up the warm-up: 10%, rounded up. */
  static long warmUpRecords(long records) {
    return (long) Math.ceil(records * WARM_UP);
  }

  long measuredEvents() {
    return events - warmUpEvents;
  }

  double seconds() {
    return (endNanos - startNanos) / 1e9;
  }

  /** Measured events over measured seconds; NaN for an empty stretch. */
  double eventsPerSecond() {
    return endNanos == startNanos ? Double.NaN : measuredEvents() / seconds();
  }

  /** Process CPU time per measured event, in microseconds; NaN when unknown. */
  double cpuMicrosPerEvent() {
    return cpuNanos < 0 || measuredEvents() == 0 ? Double.NaN : cpuNanos / 1e3 / measuredEvents();
  }

  /**
   * Marks the start of the measured stretch: the first look at which at least {@link
   * #warmUpRecords} records had been processed. The records processed at that look, not 10%
   * exactly, are the warm-up, so that the events counted and the time measured begin at the same
   * instant. Not thread-safe: one phase's polling loop looks.
   */
  static final class Watch {
    private final long events;
    private final long threshold;
    private final long runStartNanos;
    private final long runStartCpuNanos;
    private long startNanos = -1;
    private long startCpuNanos;
    private long processedAtStart;

    /**
     * @param events scan events of the input
     * @param records its records (events and watermarks), which the processed counts count
     * @param runStartNanos when the run started, the fallback start
     * @param runStartCpuNanos process CPU time then
     */
    Watch(long events, long records, long runStartNanos, long runStartCpuNanos) {
      this.events = events;
      this.threshold = warmUpRecords(records);
      this.runStartNanos = runStartNanos;
      this.runStartCpuNanos = runStartCpuNanos;
    }

    /** Whether the start is still to be found, so the caller need not count. */
    boolean waiting() {
      return startNanos < 0;
    }

    /**
     * One look during the run.
     *
     * @param processed records processed so far
     */
    void look(long processed, long nanos, long cpuNanos) {
      if (startNanos < 0 && processed >= threshold) {
        startNanos = nanos;
        startCpuNanos = cpuNanos;
        processedAtStart = processed;
      }
    }

    /** The stretch of a run done at {@code endNanos}, having used {@code endCpuNanos}. */
    SteadyState end(long endNanos, long endCpuNanos) {
      // a start seen only once everything was processed leaves nothing to measure
      if (startNanos < 0 || processedAtStart >= events || startNanos >= endNanos) {
        return whole(events, runStartNanos, endNanos, cpu(runStartCpuNanos, endCpuNanos));
      }
      return new SteadyState(
          events, processedAtStart, startNanos, endNanos, cpu(startCpuNanos, endCpuNanos), true);
    }

    private static long cpu(long from, long to) {
      return from < 0 || to < 0 ? -1 : to - from;
    }
  }
}
