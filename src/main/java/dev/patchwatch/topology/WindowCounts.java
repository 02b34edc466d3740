package dev.patchwatch.topology;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.ScanStatus;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One partition's counts for one window, in dense rows: per vulnerability, one row per dimension
 * value, found by a small id that {@link DimensionIds} gives each country, ASN and scanner once. A
 * host's change costs a few array updates, not a key object per dimension.
 *
 * <p>A row holds hosts, vulnerable, mitigated, patched, unreachable, compromised, and flags:
 * changed since last sent, and last sent with hosts (so a row that empties is sent once as zero,
 * and one that never held a host is never sent).
 */
final class WindowCounts {

  /** Receives one row: its key and its six counts at {@code at} in {@code row}. */
  interface RowSink {
    void accept(String vulnerability, Dimension dimension, String value, long[] row, int at);
  }

  static final String ALL = "ALL";
  static final int HOSTS = 0;
  static final int COMPROMISED = 5;
  private static final int FLAGS = 6;
  private static final int STRIDE = 7;
  private static final long CHANGED = 1;
  private static final long SENT = 2;
  private static final Dimension[] DIMENSIONS = Dimension.values();
  private static final long[] ZERO = new long[STRIDE];

  final Granularity granularity;
  final long windowStart;
  private final DimensionIds ids;
  // Insertion-ordered, so rows go out in the same order every run.
  private final Map<String, long[][]> byVulnerability = new LinkedHashMap<>(4);

  // The rows of the vulnerability counted last: one host after another is mostly the same one.
  private String lastVulnerability;
  private long[][] lastRows;

  WindowCounts(Granularity granularity, long windowStart, DimensionIds ids) {
    this.granularity = granularity;
    this.windowStart = windowStart;
    this.ids = ids;
  }

  /**
   * Adds ({@code sign} 1) or removes ({@code sign} -1) a host, as {@code slot} shows it,
   * everywhere.
   */
  void add(String vulnerability, HostDay.Slot slot, int sign) {
    long[][] rows = rows(vulnerability);
    ScanStatus status = slot.status();
    boolean compromised = slot.compromised();
    count(rows, Dimension.GLOBAL, 0, status, compromised, sign);
    count(rows, Dimension.COUNTRY, ids.country(slot.country), status, compromised, sign);
    count(rows, Dimension.ASN, ids.asn(slot.asn), status, compromised, sign);
    for (HostDay.Seen s : slot.scanners) {
      count(rows, Dimension.SCANNER, ids.scanner(s.scanner), s.status, s.compromised, sign);
    }
  }

  /** Adds ({@code sign} 1) or removes ({@code sign} -1) a host, as {@code view} shows it. */
  void add(String vulnerability, HostDay.DayView view, int sign) {
    long[][] rows = rows(vulnerability);
    ScanStatus status = view.status();
    boolean compromised = view.compromised();
    count(rows, Dimension.GLOBAL, 0, status, compromised, sign);
    count(rows, Dimension.COUNTRY, view.country, status, compromised, sign);
    count(rows, Dimension.ASN, view.asnId, status, compromised, sign);
    for (int i = 0; i < view.size; i++) {
      count(rows, Dimension.SCANNER, view.scanner[i], view.status[i], view.compromised[i], sign);
    }
  }

  private static void count(
      long[][] rows,
      Dimension dimension,
      int id,
      ScanStatus status,
      boolean compromised,
      int sign) {
    int d = dimension.ordinal();
    int at = id * STRIDE;
    long[] row = rows[d];
    if (row == null || row.length < at + STRIDE) {
      row = Arrays.copyOf(row == null ? new long[0] : row, 2 * (at + STRIDE));
      rows[d] = row;
    }
    row[at + HOSTS] += sign;
    row[at + 1 + 3 - EventOrder.rank(status)] += sign;
    if (compromised) {
      row[at + COMPROMISED] += sign;
    }
    row[at + FLAGS] |= CHANGED;
  }

  /**
   * Sends every row changed since the last drain that holds a host now or was last sent holding one
   * (then as zero), and marks them sent.
   */
  void drainChanged(RowSink sink) {
    for (Map.Entry<String, long[][]> entry : byVulnerability.entrySet()) {
      long[][] rows = entry.getValue();
      for (Dimension dimension : DIMENSIONS) {
        long[] row = rows[dimension.ordinal()];
        for (int at = 0; row != null && at < row.length; at += STRIDE) {
          long flags = row[at + FLAGS];
          if ((flags & CHANGED) == 0) {
            continue;
          }
          boolean holds = row[at + HOSTS] != 0;
          if (holds || (flags & SENT) != 0) {
            sink.accept(entry.getKey(), dimension, ids.name(dimension, at / STRIDE), row, at);
          }
          row[at + FLAGS] = holds ? SENT : 0;
        }
      }
    }
  }

  /**
   * Sends the rows of this window, recounted from scratch, that differ from {@code before} (what
   * was last sent of it, or null if nothing was): changed rows, and rows that emptied as zero.
   */
  void sendDifferences(WindowCounts before, RowSink sink) {
    for (Map.Entry<String, long[][]> entry : byVulnerability.entrySet()) {
      long[][] old = before == null ? null : before.byVulnerability.get(entry.getKey());
      for (Dimension dimension : DIMENSIONS) {
        long[] row = entry.getValue()[dimension.ordinal()];
        long[] was = old == null ? null : old[dimension.ordinal()];
        int length = Math.max(row == null ? 0 : row.length, was == null ? 0 : was.length);
        for (int at = 0; at < length; at += STRIDE) {
          long[] now = row != null && at < row.length ? row : ZERO;
          int nowAt = now == ZERO ? 0 : at;
          long[] then = was != null && at < was.length ? was : ZERO;
          int thenAt = then == ZERO ? 0 : at;
          if (!Arrays.equals(now, nowAt, nowAt + FLAGS, then, thenAt, thenAt + FLAGS)) {
            sink.accept(entry.getKey(), dimension, ids.name(dimension, at / STRIDE), now, nowAt);
          }
        }
      }
    }
    if (before != null) {
      for (Map.Entry<String, long[][]> entry : before.byVulnerability.entrySet()) {
        if (byVulnerability.containsKey(entry.getKey())) {
          continue;
        }
        for (Dimension dimension : DIMENSIONS) {
          long[] was = entry.getValue()[dimension.ordinal()];
          for (int at = 0; was != null && at < was.length; at += STRIDE) {
            if (was[at + HOSTS] != 0) {
              sink.accept(entry.getKey(), dimension, ids.name(dimension, at / STRIDE), ZERO, 0);
            }
          }
        }
      }
    }
  }

  private long[][] rows(String vulnerability) {
    if (!vulnerability.equals(lastVulnerability)) {
      lastRows = byVulnerability.computeIfAbsent(vulnerability, v -> new long[DIMENSIONS.length][]);
      lastVulnerability = vulnerability;
    }
    return lastRows;
  }
}
