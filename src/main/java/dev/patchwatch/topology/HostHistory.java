package dev.patchwatch.topology;

import dev.patchwatch.avro.ScanStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;

/**
 * What the closed days said of one host for one vulnerability, in the all-scanner view and in each
 * scanner's (DESIGN section 7.9): the last decided day and the state then, whether it was ever
 * compromised, and the cohorts of the last {@value #AGES} days it belongs to, as a day mask. One
 * small record per (vulnerability, host), rewritten when a day that observed the host closes.
 *
 * <p>Value layout (version {@value #FORMAT}): format byte; the all-scanner view: last day (4 bytes,
 * days since the epoch, {@link #NONE} when none), state byte (status ordinal, bit 7 set when ever
 * compromised), cohort-run count, then per run its country (2 ASCII bytes), ASN (4 bytes, unsigned)
 * and day mask (4 bytes); then the scanner count, and per scanner its name length and ASCII name,
 * last day, state byte and day mask. Bit i of a mask is the cohort of the view's last day minus i.
 * The contract keeps scanner and country ASCII.
 */
final class HostHistory {

  static final byte FORMAT = 1;

  /** Cohort ages 0 to 28 (DESIGN section 7.9): a cohort is followed for 29 days. */
  static final int AGES = 29;

  static final int NONE = Integer.MIN_VALUE;

  private static final int MASK = (1 << AGES) - 1;
  private static final ScanStatus[] STATUSES = ScanStatus.values();
  private static final int EVER = 0x80;

  /** GLOBAL, COUNTRY and ASN: every scanner's events. */
  final View all;

  /** Each scanner's own view, in the order first seen. */
  final List<View> scanners;

  HostHistory() {
    this(new View(null), new ArrayList<>(1));
  }

  private HostHistory(View all, List<View> scanners) {
    this.all = all;
    this.scanners = scanners;
  }

  View scanner(String name) {
    for (View view : scanners) {
      if (view.scanner.equals(name)) {
        return view;
      }
    }
    View view = new View(name);
    scanners.add(view);
    return view;
  }

  /**
   * One view's memory. Cohort days group into runs of equal day-C country and ASN (a host rarely
   * moves), so a host in a cohort every day keeps one run; a scanner's view has at most one run,
   * with no country.
   */
  static final class View {
    final String scanner;
    int lastDay = NONE;
    ScanStatus lastStatus;
    boolean everCompromised;
    final List<Run> runs = new ArrayList<>(1);

    View(String scanner) {
      this.scanner = scanner;
    }

    /** Moves the masks to count from {@code day}: cohorts older than the last age leave. */
    void shiftTo(int day) {
      if (lastDay == NONE) {
        return;
      }
      long gap = (long) day - lastDay;
      for (Run run : runs) {
        run.mask = gap >= AGES ? 0 : (run.mask << gap) & MASK;
      }
      runs.removeIf(run -> run.mask == 0);
    }

    /** Marks the view's last day as a cohort day, under the given day-C country and ASN. */
    void joinCohort(String country, long asn) {
      for (Run run : runs) {
        if (java.util.Objects.equals(run.country, country) && run.asn == asn) {
          run.mask |= 1;
          return;
        }
      }
      runs.add(new Run(country, asn, 1));
    }
  }

  /** Cohort days sharing a day-C country and ASN (null and 0 in a scanner's view). */
  static final class Run {
    final String country;
    final long asn;
    int mask;

    Run(String country, long asn, int mask) {
      this.country = country;
      this.asn = asn;
      this.mask = mask;
    }
  }

  byte[] encode() {
    int size = 1 + 4 + 1 + 1 + all.runs.size() * 10 + HostDay.varintSize(scanners.size());
    for (View view : scanners) {
      size += 1 + view.scanner.length() + 4 + 1 + 4;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(FORMAT);
    putDayAndState(out, all);
    out.put((byte) all.runs.size());
    for (Run run : all.runs) {
      out.put((byte) run.country.charAt(0)).put((byte) run.country.charAt(1));
      out.putInt((int) run.asn);
      out.putInt(run.mask);
    }
    HostDay.putVarint(out, scanners.size());
    for (View view : scanners) {
      out.put((byte) view.scanner.length());
      out.put(view.scanner.getBytes(StandardCharsets.US_ASCII));
      putDayAndState(out, view);
      out.putInt(view.runs.isEmpty() ? 0 : view.runs.get(0).mask);
    }
    return out.array();
  }

  private static void putDayAndState(ByteBuffer out, View view) {
    out.putInt(view.lastDay);
    int state = view.lastStatus == null ? 0 : view.lastStatus.ordinal();
    out.put((byte) (state | (view.everCompromised ? EVER : 0)));
  }

  static HostHistory decode(byte[] value) {
    try {
      ByteBuffer in = ByteBuffer.wrap(value);
      if (in.get() != FORMAT) {
        throw new SerializationException(
            "host-history record in unknown format "
                + value[0]
                + " (this version reads "
                + FORMAT
                + ")");
      }
      View all = new View(null);
      getDayAndState(in, all);
      int runs = in.get();
      for (int i = 0; i < runs; i++) {
        String country = new String(new byte[] {in.get(), in.get()}, StandardCharsets.US_ASCII);
        long asn = Integer.toUnsignedLong(in.getInt());
        all.runs.add(new Run(country, asn, in.getInt()));
      }
      int count = HostDay.getVarint(in);
      List<View> scanners = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] name = new byte[in.get()];
        in.get(name);
        View view = new View(new String(name, StandardCharsets.US_ASCII));
        getDayAndState(in, view);
        int mask = in.getInt();
        if (mask != 0) {
          view.runs.add(new Run(null, 0, mask));
        }
        scanners.add(view);
      }
      return new HostHistory(all, scanners);
    } catch (RuntimeException e) {
      if (e instanceof SerializationException) {
        throw e;
      }
      throw new SerializationException("cannot decode a host-history record", e);
    }
  }

  private static void getDayAndState(ByteBuffer in, View view) {
    view.lastDay = in.getInt();
    int state = in.get() & 0xFF;
    view.everCompromised = (state & EVER) != 0;
    view.lastStatus = view.lastDay == NONE ? null : STATUSES[state & 0x3];
  }
}
