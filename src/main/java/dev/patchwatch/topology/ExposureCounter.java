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
  private final WindowCounts.Ids ids;

  /**
   * The days with at least one stored record: told of every day a record is written for, rebuilt
   * with the processor, emptied by {@link #deleteThrough}, the only way records leave. A store
   * range to find the next day would cost a copy of the rest of an in-memory store.
   */
  private final NavigableSet<Long> storedDays = new TreeSet<>();

  ExposureCounter(KeyValueStore<Bytes, byte[]> days, long size, WindowCounts.Ids ids) {
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
    for (long start : starts) {
      result.put(start, new WindowCounts(Granularity.EXPOSURE, start, ids));
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
      List<Cursor> host = new ArrayList<>(cursors.size());
      List<HostDay.Slot> slots = new ArrayList<>(cursors.size());
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
        host.clear();
        slots.clear();
        for (Cursor c : cursors) {
          if (c.key != null && HostDay.compareHosts(c.key, smallest) == 0) {
            host.add(c);
            slots.add(HostDay.decodeDay(c.value, c.day));
          }
        }
        String vulnerability = HostDay.vulnerabilityOf(smallest);
        for (long start : starts) {
          HostDay.Slot merged = new HostDay.Slot(-1);
          for (int i = 0; i < host.size(); i++) {
            long day = host.get(i).day;
            if (day >= start && day < start + size) {
              merged.merge(slots.get(i));
            }
          }
          if (!merged.isEmpty()) {
            result.get(start).add(vulnerability, merged, 1);
          }
        }
        for (Cursor c : host) {
          c.next();
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
