package dev.patchwatch.topology;

import dev.patchwatch.avro.Granularity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts EXPOSURE windows from the host-day records, which sort by day, then host: one iterator per
 * stored day, merged by host, so each host's days meet once and its view in every window asked for
 * is merged from them (DESIGN section 3: the latest of its days there, compromised if any is, each
 * scanner's latest). Also knows which days have records, and deletes the expired ones.
 */
final class ExposureCounter {

  private final KeyValueStore<Bytes, byte[]> days;
  private final long size;
  private final DimensionIds ids;

  /**
   * The days with at least one stored record: told of every day a record is written for, rebuilt
   * with the processor, emptied by {@link #deleteThrough}, the only way records leave. A store
   * range to find the next day would cost a copy of the rest of an in-memory store.
   */
  private final NavigableSet<Long> storedDays = new TreeSet<>();

  ExposureCounter(KeyValueStore<Bytes, byte[]> days, long size, DimensionIds ids) {
    this.days = days;
    this.size = size;
    this.ids = ids;
  }

  /** No stored day at or after the one asked for. */
  static final long NONE = Long.MAX_VALUE;

  /** The first day at or after {@code from} with a stored record, or {@link #NONE}. */
  long nextDay(long from) {
    Long day = storedDays.ceiling(from);
    return day == null ? NONE : day;
  }

  /** A record of {@code day} is stored. */
  void stored(long day) {
    storedDays.add(day);
  }

  /** Every window of {@code starts} counted, empty ones included. */
  Map<Long, WindowCounts> count(NavigableSet<Long> starts) {
    Map<Long, WindowCounts> result = new HashMap<>();
    long[] windowStarts = new long[starts.size()];
    WindowCounts[] windows = new WindowCounts[starts.size()];
    int w = 0;
    for (long start : starts) {
      windowStarts[w] = start;
      windows[w] = new WindowCounts(Granularity.EXPOSURE, start, ids);
      result.put(start, windows[w++]);
    }
    if (starts.isEmpty()) {
      return result;
    }
    List<Cursor> cursors = new ArrayList<>();
    long last = starts.last() + size - Windowing.DAY_MS;
    try {
      for (long day = nextDay(starts.first());
          day != NONE && day <= last;
          day = nextDay(day + Windowing.DAY_MS)) {
        Cursor cursor = new Cursor(day);
        if (cursor.key != null) {
          cursors.add(cursor);
        }
      }
      // One host's days, in day order, each read once into its view.
      Cursor[] host = new Cursor[cursors.size()];
      HostDay.DayView[] views = new HostDay.DayView[cursors.size()];
      for (int i = 0; i < views.length; i++) {
        views[i] = new HostDay.DayView();
      }
      HostDay.DayView merged = new HostDay.DayView();
      String vulnerability = null;
      while (true) {
        byte[] smallest = null;
        for (Cursor c : cursors) {
          if (c.key != null && (smallest == null || HostDay.compareHosts(c.key, smallest) < 0)) {
            smallest = c.key;
          }
        }
        if (smallest == null) {
          return result;
        }
        int days = 0;
        for (Cursor c : cursors) {
          if (c.key != null && HostDay.compareHosts(c.key, smallest) == 0) {
            host[days] = c;
            views[days++].read(c.value, ids);
          }
        }
        vulnerability = HostDay.vulnerabilityOf(smallest, vulnerability);
        for (int i = 0; i < windowStarts.length; i++) {
          long start = windowStarts[i];
          merged.clear();
          for (int d = days - 1; d >= 0; d--) {
            if (host[d].day >= start && host[d].day < start + size) {
              merged.mergeEarlier(views[d]);
            }
          }
          if (!merged.isEmpty()) {
            windows[i].add(vulnerability, merged, 1);
          }
        }
        for (int d = 0; d < days; d++) {
          host[d].next();
        }
      }
    } finally {
      cursors.forEach(Cursor::close);
    }
  }

  /** Deletes every record of a day at or before {@code lastDay}. */
  void deleteThrough(long lastDay) {
    NavigableSet<Long> expiredDays = storedDays.headSet(lastDay, true);
    List<Bytes> expired = new ArrayList<>();
    for (long day : expiredDays) {
      try (KeyValueIterator<Bytes, byte[]> it =
          days.range(Bytes.wrap(HostDay.firstKeyOf(day)), Bytes.wrap(HostDay.lastKeyOf(day)))) {
        it.forEachRemaining(kv -> expired.add(kv.key));
      }
    }
    expired.forEach(days::delete);
    expiredDays.clear();
  }

  /** The records of one day, in host order. */
  private final class Cursor implements AutoCloseable {
    final long day;
    private final KeyValueIterator<Bytes, byte[]> it;
    byte[] key;
    byte[] value;

    Cursor(long day) {
      this.day = day;
      this.it = days.range(Bytes.wrap(HostDay.firstKeyOf(day)), Bytes.wrap(HostDay.lastKeyOf(day)));
      next();
    }

    void next() {
      if (it.hasNext()) {
        var kv = it.next();
        key = kv.key.get();
        value = kv.value;
      } else {
        key = null;
        value = null;
      }
    }

    @Override
    public void close() {
      it.close();
    }
  }
}
