package dev.patchwatch.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A progress line for long work, printed every couple of seconds rather than redrawn in place, so
 * it reads the same in a terminal, a log file and a CI console: {@code [########------------] 40%
 * 1,234,567 of 3,086,417 records 52,310 records/s}.
 */
final class ProgressBar {

  private static final Duration EVERY = Duration.ofSeconds(2);
  private static final int WIDTH = 20;

  private final PrintWriter out;
  private final long startedNanos = System.nanoTime();
  private long nextNanos = startedNanos + EVERY.toNanos();

  ProgressBar(PrintWriter out) {
    this.out = out;
  }

  /**
   * Prints {@code done} of {@code total} (total ≤ 0: unknown) if the last line is old enough.
   *
   * @param detail what is counted and anything else worth saying: "records, 3 undecodable"
   */
  void update(long done, long total, String detail) {
    long now = System.nanoTime();
    if (now < nextNanos) {
      return;
    }
    nextNanos = now + EVERY.toNanos();
    out.println(line(done, total, (now - startedNanos) / 1e9, detail));
    out.flush();
  }

  static String line(long done, long total, double seconds, String detail) {
    StringBuilder s = new StringBuilder("  ");
    if (total > 0) {
      double share = Math.min(1.0, (double) done / total);
      int filled = (int) Math.round(share * WIDTH);
      s.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ");
      s.append(String.format(Locale.ROOT, "%3.0f%%  ", 100 * share));
    }
    s.append(String.format(Locale.ROOT, "%,d", done));
    if (total > 0) {
      s.append(String.format(Locale.ROOT, " of %,d", total));
    }
    s.append(' ').append(detail);
    if (seconds > 0) {
      s.append(String.format(Locale.ROOT, "  %,.0f/s", done / seconds));
    }
    return s.toString();
  }
}
