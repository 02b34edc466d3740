package dev.patchwatch.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** Where progress and each phase's line go, flushed line by line so a long phase shows it lives. */
final class Progress {

  private static final Duration EVERY = Duration.ofSeconds(5);

  private final PrintWriter out;

  Progress(PrintWriter out) {
    this.out = out;
  }

  void printf(String format, Object... args) {
    out.printf(Locale.ROOT, format, args);
    out.flush();
  }

  void println(String line) {
    out.println(line);
    out.flush();
  }

  /**
   * Committed scan records: at_least_once commits only every 30 s, and the aggregating stage may
   * still be working through the partials once all are committed.
   */
  void committed(String phase, long committed, long records, long started) {
    double seconds = (System.nanoTime() - started) / 1e9;
    printf(
        "  %s: %,d of %,d scan records committed (%.0f%%) after %.0f s%n",
        phase, committed, records, 100.0 * committed / records, seconds);
  }

  /** True once every {@link #EVERY}. */
  static final class Ticker {
    private long next = System.nanoTime() + EVERY.toNanos();

    boolean due() {
      long now = System.nanoTime();
      if (now < next) {
        return false;
      }
      next = now + EVERY.toNanos();
      return true;
    }
  }
}
