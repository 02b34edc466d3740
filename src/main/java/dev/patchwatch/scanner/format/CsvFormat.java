package dev.patchwatch.scanner.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CSV (RFC 4180) whose header row names canonical fields, in any order: {@code scanner, observedAt,
 * ip, vulnerability, status} are required, {@code country, asn, compromised, eventId, port,
 * hostname, product, productVersion} optional, and a column {@code attributes.<key>} fills that
 * attribute. An empty cell is an absent value; {@code asn} and {@code port} are integers, {@code
 * compromised} is {@code true} or {@code false} in any case, {@code observedAt} an ISO-8601 instant
 * or, if all digits, epoch milliseconds.
 *
 * <p>The header is checked before any row: an unknown, repeated or missing column makes every row
 * meaningless, so it fails the whole file. Column names are exact (no trimming or case folding),
 * like the JSON field names they stand for.
 */
public final class CsvFormat implements InputFormat {

  private static final String ATTRIBUTE_PREFIX = "attributes.";

  private enum Kind {
    TEXT,
    INTEGER,
    BOOLEAN,
    TIME,
    ATTRIBUTE
  }

  /** The columns a header may name, in canonical order, with how their cells are read. */
  private static final Map<String, Kind> FIELDS = fields();

  private static final List<String> REQUIRED =
      List.of("scanner", "observedAt", "ip", "vulnerability", "status");

  /** A header column: the canonical field it fills (the attribute key for attributes). */
  private record Column(String header, String field, Kind kind) {}

  @Override
  public String name() {
    return "csv";
  }

  @Override
  public String description() {
    return "CSV with a header row naming canonical fields (attributes.<key> for attributes)";
  }

  @Override
  public void read(InputStream in, RecordSink sink) throws IOException {
    CsvRecords records = new CsvRecords(in);
    CsvRecords.Row header = records.next();
    if (header == null) {
      throw new IOException("empty input: expected a header row naming the columns");
    }
    if (header.problem() != null) {
      throw new IOException("header row: " + header.problem());
    }
    List<Column> columns = columns(header.cells());
    for (CsvRecords.Row row = records.next(); row != null; row = records.next()) {
      sink.accept(map(row, columns));
    }
  }

  private static List<Column> columns(List<String> names) throws IOException {
    List<Column> columns = new ArrayList<>(names.size());
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (!seen.add(name)) {
        throw new IOException("header row: column " + Text.quote(name) + " appears twice");
      }
      Kind kind = FIELDS.get(name);
      if (kind != null) {
        columns.add(new Column(name, name, kind));
      } else if (name.startsWith(ATTRIBUTE_PREFIX) && name.length() > ATTRIBUTE_PREFIX.length()) {
        columns.add(new Column(name, name.substring(ATTRIBUTE_PREFIX.length()), Kind.ATTRIBUTE));
      } else {
        throw new IOException(
            "header row: unknown column "
                + Text.quote(name)
                + " (known: "
                + String.join(", ", FIELDS.keySet())
                + ", "
                + ATTRIBUTE_PREFIX
                + "<key>)");
      }
    }
    Set<String> missing = new LinkedHashSet<>(REQUIRED);
    missing.removeAll(seen);
    if (!missing.isEmpty()) {
      throw new IOException(
          "header row: missing required column"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing));
    }
    return columns;
  }

  private static Map<String, Kind> fields() {
    Map<String, Kind> fields = new LinkedHashMap<>();
    fields.put("scanner", Kind.TEXT);
    fields.put("observedAt", Kind.TIME);
    fields.put("ip", Kind.TEXT);
    fields.put("vulnerability", Kind.TEXT);
    fields.put("status", Kind.TEXT);
    fields.put("country", Kind.TEXT);
    fields.put("asn", Kind.INTEGER);
    fields.put("compromised", Kind.BOOLEAN);
    fields.put("eventId", Kind.TEXT);
    fields.put("port", Kind.INTEGER);
    fields.put("hostname", Kind.TEXT);
    fields.put("product", Kind.TEXT);
    fields.put("productVersion", Kind.TEXT);
    return Collections.unmodifiableMap(fields);
  }

  private static SourceRecord map(CsvRecords.Row row, List<Column> columns) {
    if (row.problem() != null) {
      return unmapped(row, row.problem());
    }
    List<String> cells = row.cells();
    if (cells.size() != columns.size()) {
      return unmapped(row, CsvRecords.widthProblem(cells.size(), columns.size()));
    }
    ObjectNode event = JsonLines.MAPPER.createObjectNode();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      if (cell.isEmpty()) {
        continue;
      }
      Column column = columns.get(i);
      switch (column.kind()) {
        case TEXT:
          event.put(column.field(), cell);
          break;
        case TIME:
          // all digits is epoch milliseconds, which the contract wants as a JSON integer
          Number millis = CsvRecords.isDigits(cell) ? CsvRecords.integer(cell) : null;
          if (millis == null) {
            event.put(column.field(), cell);
          } else {
            CsvRecords.putInteger(event, column.field(), millis);
          }
          break;
        case INTEGER:
          Number number = CsvRecords.integer(cell);
          if (number == null) {
            return unmapped(row, column.header() + ": " + Text.quote(cell) + " is not an integer");
          }
          CsvRecords.putInteger(event, column.field(), number);
          break;
        case BOOLEAN:
          String flag = cell.toLowerCase(Locale.ROOT);
          if (!flag.equals("true") && !flag.equals("false")) {
            return unmapped(
                row, column.header() + ": " + Text.quote(cell) + " is not true or false");
          }
          event.put(column.field(), flag.equals("true"));
          break;
        case ATTRIBUTE:
          event.withObjectProperty("attributes").put(column.field(), cell);
          break;
        default:
          throw new IllegalStateException("unhandled column kind " + column.kind());
      }
    }
    return new SourceRecord.Mapped(row.line(), row.original(), event);
  }

  private static SourceRecord.Unmapped unmapped(CsvRecords.Row row, String message) {
    return new SourceRecord.Unmapped(
        row.line(), row.original(), RejectReason.INVALID_FIELD, message);
  }
}
