package dev.patchwatch.topology;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code observedAt} range {@code [from, to)} a run of the topology counts; either end may be
 * open. An event outside it is neither counted nor rejected, but still moves its partition's
 * progress, so windows close and lateness is judged exactly as in a run over everything (DESIGN
 * section 7.5).
 *
 * @param from first instant counted, or empty for no lower bound
 * @param to first instant no longer counted, or empty for no upper bound
 */
public record EventTimeRange(Optional<Instant> from, Optional<Instant> to) {

  /** No bound: every event is counted. */
  public static final EventTimeRange ALL = new EventTimeRange(Optional.empty(), Optional.empty());

  public EventTimeRange {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new IllegalArgumentException(
          "the range is empty: from " + from.get() + " is not before to " + to.get());
    }
  }

  public static EventTimeRange of(Instant from, Instant to) {
    return new EventTimeRange(Optional.ofNullable(from), Optional.ofNullable(to));
  }

  public boolean isAll() {
    return from.isEmpty() && to.isEmpty();
  }

  /**
   * The first epoch millisecond counted: the bound rounded up, so an event time (whole
   * milliseconds) is at or after it exactly when it is at or after the bound.
   */
  public long fromMillis() {
    return from.map(EventTimeRange::ceilMillis).orElse(Long.MIN_VALUE);
  }

  /** The first epoch millisecond not counted, rounded up like {@link #fromMillis()}. */
  public long toMillis() {
    return to.map(EventTimeRange::ceilMillis).orElse(Long.MAX_VALUE);
  }

  public boolean contains(long epochMillis) {
    return epochMillis >= fromMillis() && epochMillis < toMillis();
  }

  /** Whether the window {@code [start, end)} lies entirely inside the range. */
  public boolean covers(long start, long end) {
    return start >= fromMillis() && end <= toMillis();
  }

  /** {@code [2021-03-01T00:00:00Z, 2021-03-08T00:00:00Z)}, an open end shown as {@code …}. */
  @Override
  public String toString() {
    return "["
        + from.map(Instant::toString).orElse("…")
        + ", "
        + to.map(Instant::toString).orElse("…")
        + ")";
  }

  private static long ceilMillis(Instant instant) {
    long millis = instant.toEpochMilli();
    return instant.getNano() % 1_000_000 == 0 ? millis : millis + 1;
  }
}
