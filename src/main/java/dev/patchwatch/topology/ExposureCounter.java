package dev.patchwatch.topology;

import dev.patchwatch.avro.Granularity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts EXPOSURE windows from the host-day records, which sort by day, then host: one iterator per
 * stored day, merged by host, so each host's days meet once and its view in every window asked for
 * is merged from them (DESIGN section 3: the latest of its days there, compromised if any is, each
 * scanner's latest). Also finds the stored days and deletes the expired ones.
 */
final class ExposureCounter {

  private static final Bytes FIRST = Bytes.wrap(new byte[0]);

  private final KeyValueStore<Bytes, byte[]> days;
  private final long size;
  private final WindowCounts.Ids ids;

  ExposureCounter(KeyValueStore<Bytes, byte[]> days, long size, WindowCounts.Ids ids) {
    this.days = days;
    this.size = size;
    this.ids = ids;
  }

  /** No stored day at or after the one asked for. */
  static final long NONE = Long.MAX_VALUE;

  /** The first day at or after {@code from} with a stored record, or {@link #NONE}. */
  long nextDay(long from) {
    Bytes lower = from == Long.MIN_VALUE ? FIRST : Bytes.wrap(HostDay.firstKeyOf(from));
    try (KeyValueIterator<Bytes, byte[]> it =
        days.range(lower, Bytes.wrap(HostDay.lastKeyOf(Long.MAX_VALUE)))) {
      return it.hasNext() ? HostDay.dayOf(it.next().key.get()) : NONE;
    }
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
    List<Bytes> expired = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it =
        days.range(FIRST, Bytes.wrap(HostDay.lastKeyOf(lastDay)))) {
      it.forEachRemaining(kv -> expired.add(kv.key));
    }
    expired.forEach(days::delete);
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
