package dev.patchwatch.topology;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.internal.HostRecord;
import dev.patchwatch.avro.internal.ScannerSlot;
import dev.patchwatch.avro.internal.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A host's slots for one vulnerability: its latest state in each open HOURLY and DAILY window, from
 * which EXPOSURE windows are merged. Functions here never change the records they are given.
 */
final class HostSlots {

  private HostSlots() {}

  /** The record with {@code event} applied to its HOURLY and/or DAILY slot. */
  static HostRecord apply(
      HostRecord current,
      ScanEvent event,
      long hourStart,
      boolean hourly,
      long dayStart,
      boolean daily) {
    List<Slot> slots = new ArrayList<>(current == null ? List.of() : current.getSlots());
    if (hourly) {
      upsert(slots, Granularity.HOURLY, hourStart, event);
    }
    if (daily) {
      upsert(slots, Granularity.DAILY, dayStart, event);
    }
    return new HostRecord(slots);
  }

  static Slot find(HostRecord record, Granularity granularity, long windowStart) {
    if (record == null) {
      return null;
    }
    for (Slot slot : record.getSlots()) {
      if (slot.getGranularity() == granularity && slot.getWindowStart() == windowStart) {
        return slot;
      }
    }
    return null;
  }

  /** The record without the slots {@code keep} rejects; null when none is left. */
  static HostRecord prune(HostRecord record, Predicate<Slot> keep) {
    List<Slot> kept = new ArrayList<>(record.getSlots().size());
    for (Slot slot : record.getSlots()) {
      if (keep.test(slot)) {
        kept.add(slot);
      }
    }
    if (kept.isEmpty()) {
      return null;
    }
    return kept.size() == record.getSlots().size() ? record : new HostRecord(kept);
  }

  static HostView view(Slot slot) {
    if (slot == null) {
      return null;
    }
    List<HostView.ScannerView> scanners = new ArrayList<>(slot.getScanners().size());
    for (ScannerSlot s : slot.getScanners()) {
      scanners.add(new HostView.ScannerView(s.getScanner(), s.getStatus(), s.getCompromised()));
    }
    return new HostView(
        slot.getStatus(), slot.getCountry(), slot.getAsn(), slot.getCompromised(), scanners);
  }

  /**
   * The host in the EXPOSURE window {@code [start, start + size)}: the latest of its DAILY slots
   * there, compromised if any of them is, each scanner's latest; null if it has none there.
   */
  static HostView exposureView(HostRecord record, long start, long size) {
    if (record == null) {
      return null;
    }
    Slot latest = null;
    boolean compromised = false;
    List<ScannerSlot> scanners = new ArrayList<>();
    for (Slot slot : record.getSlots()) {
      if (slot.getGranularity() != Granularity.DAILY
          || slot.getWindowStart() < start
          || slot.getWindowStart() >= start + size) {
        continue;
      }
      // Equal keys share observedAt, hence a day, hence a slot: across slots "greater" is strict.
      if (latest == null || greater(slot, latest)) {
        latest = slot;
      }
      compromised |= slot.getCompromised();
      for (ScannerSlot s : slot.getScanners()) {
        mergeScanner(scanners, s);
      }
    }
    if (latest == null) {
      return null;
    }
    List<HostView.ScannerView> views = new ArrayList<>(scanners.size());
    for (ScannerSlot s : scanners) {
      views.add(new HostView.ScannerView(s.getScanner(), s.getStatus(), s.getCompromised()));
    }
    return new HostView(
        latest.getStatus(), latest.getCountry(), latest.getAsn(), compromised, views);
  }

  private static void upsert(List<Slot> slots, Granularity granularity, long start, ScanEvent e) {
    long observedAt = e.getObservedAt().toEpochMilli();
    int at = 0;
    while (at < slots.size() && before(slots.get(at), granularity, start)) {
      at++;
    }
    Slot old = at < slots.size() ? slots.get(at) : null;
    if (old == null || old.getGranularity() != granularity || old.getWindowStart() != start) {
      List<ScannerSlot> scanners = new ArrayList<>(1);
      scanners.add(scannerSlot(e, observedAt));
      slots.add(
          at,
          new Slot(
              granularity,
              start,
              observedAt,
              e.getStatus(),
              e.getScanner(),
              e.getEventId(),
              e.getCountry(),
              e.getAsn(),
              e.getCompromised(),
              scanners));
      return;
    }
    boolean newer =
        EventOrder.compare(
                observedAt,
                e.getStatus(),
                e.getScanner(),
                e.getEventId(),
                old.getObservedAt(),
                old.getStatus(),
                old.getScanner(),
                old.getEventId())
            > 0;
    List<ScannerSlot> scanners = new ArrayList<>(old.getScanners());
    mergeScanner(scanners, scannerSlot(e, observedAt));
    slots.set(
        at,
        new Slot(
            granularity,
            start,
            newer ? observedAt : old.getObservedAt(),
            newer ? e.getStatus() : old.getStatus(),
            newer ? e.getScanner() : old.getScanner(),
            newer ? e.getEventId() : old.getEventId(),
            newer ? e.getCountry() : old.getCountry(),
            newer ? e.getAsn() : old.getAsn(),
            old.getCompromised() || e.getCompromised(),
            scanners));
  }

  private static ScannerSlot scannerSlot(ScanEvent e, long observedAt) {
    return new ScannerSlot(
        e.getScanner(), observedAt, e.getStatus(), e.getEventId(), e.getCompromised());
  }

  /**
   * Merges {@code s} into a list sorted by scanner: the strictly later one wins, compromise sticks.
   */
  private static void mergeScanner(List<ScannerSlot> scanners, ScannerSlot s) {
    int at = 0;
    int c = 1;
    while (at < scanners.size()
        && (c = EventOrder.compareCodePoints(scanners.get(at).getScanner(), s.getScanner())) < 0) {
      at++;
    }
    if (at == scanners.size() || c != 0) {
      scanners.add(at, s);
      return;
    }
    ScannerSlot old = scanners.get(at);
    boolean newer =
        EventOrder.compare(
                s.getObservedAt(),
                s.getStatus(),
                s.getScanner(),
                s.getEventId(),
                old.getObservedAt(),
                old.getStatus(),
                old.getScanner(),
                old.getEventId())
            > 0;
    ScannerSlot base = newer ? s : old;
    scanners.set(
        at,
        new ScannerSlot(
            base.getScanner(),
            base.getObservedAt(),
            base.getStatus(),
            base.getEventId(),
            old.getCompromised() || s.getCompromised()));
  }

  private static boolean greater(Slot a, Slot b) {
    return EventOrder.compare(
            a.getObservedAt(),
            a.getStatus(),
            a.getScanner(),
            a.getEventId(),
            b.getObservedAt(),
            b.getStatus(),
            b.getScanner(),
            b.getEventId())
        > 0;
  }

  private static boolean before(Slot slot, Granularity granularity, long start) {
    int c = Integer.compare(slot.getGranularity().ordinal(), granularity.ordinal());
    return c < 0 || (c == 0 && slot.getWindowStart() < start);
  }
}
