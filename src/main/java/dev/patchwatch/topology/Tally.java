package dev.patchwatch.topology;

import dev.patchwatch.avro.Dimension;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of a fixed width per vulnerability and dimension value, in dense rows found by the ids
 * that {@link DimensionIds} gives each value: a host costs a few array updates, not a key object
 * per dimension.
 */
final class Tally {

  /**
   * Receives one row: its key and its counters at {@code at} to {@code at + width} in {@code row}.
   */
  interface RowSink {
    void accept(String vulnerability, Dimension dimension, String value, long[] row, int at);
  }

  private static final Dimension[] DIMENSIONS = Dimension.values();

  private final int width;
  private final DimensionIds ids;
  // Insertion-ordered, so rows go out in the same order every run.
  private final Map<String, long[][]> byVulnerability = new LinkedHashMap<>(4);

  // The rows of the vulnerability counted last: one host after another is mostly the same one.
  private String lastVulnerability;
  private long[][] lastRows;

  Tally(int width, DimensionIds ids) {
    this.width = width;
    this.ids = ids;
  }

  /**
   * Adds 1 to counter {@code field} of the row of ({@code vulnerability}, {@code dimension}, id).
   */
  void increment(String vulnerability, Dimension dimension, int id, int field) {
    long[][] rows = rows(vulnerability);
    int d = dimension.ordinal();
    int at = id * width;
    long[] row = rows[d];
    if (row == null || row.length < at + width) {
      row = Arrays.copyOf(row == null ? new long[0] : row, 2 * (at + width));
      rows[d] = row;
    }
    row[at + field]++;
  }

  /** Counter {@code field} of a row, 0 when the row was never counted. */
  long get(String vulnerability, Dimension dimension, int id, int field) {
    long[][] rows = byVulnerability.get(vulnerability);
    long[] row = rows == null ? null : rows[dimension.ordinal()];
    int at = id * width + field;
    return row == null || at >= row.length ? 0 : row[at];
  }

  /** Every row whose first counter is not 0, with its id. */
  void forEachId(IdSink sink) {
    for (Map.Entry<String, long[][]> entry : byVulnerability.entrySet()) {
      for (Dimension dimension : DIMENSIONS) {
        long[] row = entry.getValue()[dimension.ordinal()];
        for (int at = 0; row != null && at < row.length; at += width) {
          if (row[at] != 0) {
            sink.accept(entry.getKey(), dimension, at / width, row, at);
          }
        }
      }
    }
  }

  /** Every row whose first counter is not 0, named. */
  void forEachRow(RowSink sink) {
    forEachId(
        (vulnerability, dimension, id, row, at) ->
            sink.accept(vulnerability, dimension, ids.name(dimension, id), row, at));
  }

  /** Receives one row with its id rather than its name. */
  interface IdSink {
    void accept(String vulnerability, Dimension dimension, int id, long[] row, int at);
  }

  private long[][] rows(String vulnerability) {
    if (!vulnerability.equals(lastVulnerability)) {
      lastRows = byVulnerability.computeIfAbsent(vulnerability, v -> new long[DIMENSIONS.length][]);
      lastVulnerability = vulnerability;
    }
    return lastRows;
  }
}
