package dev.patchwatch.topology;

import dev.patchwatch.avro.Granularity;

/**
 * Window arithmetic on epoch milliseconds, aligned to the UTC epoch (DESIGN section 3). A window
 * {@code [start, start + size)} closes on a partition once its progress reaches {@code start + size
 * + grace}.
 */
public final class Windowing {

  public static final long HOUR_MS = 3_600_000L;
  public static final long DAY_MS = 86_400_000L;

  private final long hourlyGrace;
  private final long dailyGrace;
  private final long exposureGrace;
  private final long exposureSize;

  public Windowing(TopologySettings settings) {
    this.hourlyGrace = settings.hourlyGrace().toMillis();
    this.dailyGrace = settings.dailyGrace().toMillis();
    this.exposureGrace = settings.exposureGrace().toMillis();
    this.exposureSize = settings.lookBackDays() * DAY_MS;
  }

  public long size(Granularity granularity) {
    return switch (granularity) {
      case HOURLY -> HOUR_MS;
      case DAILY -> DAY_MS;
      case EXPOSURE -> exposureSize;
    };
  }

  public long grace(Granularity granularity) {
    return switch (granularity) {
      case HOURLY -> hourlyGrace;
      case DAILY -> dailyGrace;
      case EXPOSURE -> exposureGrace;
    };
  }

  /** Every granularity's windows start on multiples of its advance: 1 h, 1 day, 1 day. */
  public long advance(Granularity granularity) {
    return granularity == Granularity.HOURLY ? HOUR_MS : DAY_MS;
  }

  public long end(Granularity granularity, long windowStart) {
    return windowStart + size(granularity);
  }

  /** Start of the one HOURLY or DAILY window holding {@code time}. */
  public long tumblingStart(Granularity granularity, long time) {
    long size = size(granularity);
    return Math.floorDiv(time, size) * size;
  }

  /** Start of the latest EXPOSURE window holding {@code time}; the others start a day apart. */
  public long lastExposureStart(long time) {
    return Math.floorDiv(time, DAY_MS) * DAY_MS;
  }

  /** Start of the earliest EXPOSURE window holding {@code time}. */
  public long firstExposureStart(long time) {
    return lastExposureStart(time) - exposureSize + DAY_MS;
  }

  public boolean isClosed(Granularity granularity, long windowStart, long progress) {
    return progress >= windowStart + size(granularity) + grace(granularity);
  }

  /**
   * The greatest window start that is closed at {@code progress}; every window starting at or
   * before it is closed too. Long.MIN_VALUE progress closes nothing.
   */
  public long lastClosedStart(Granularity granularity, long progress) {
    if (progress == Long.MIN_VALUE) {
      return Long.MIN_VALUE;
    }
    long bound = progress - size(granularity) - grace(granularity);
    long advance = advance(granularity);
    return Math.floorDiv(bound, advance) * advance;
  }
}
