package dev.patchwatch.scanner.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Shadowserver "Vulnerable Exchange Server" report ({@code scan_exchange}), a CSV file with a
 * header row: {@code timestamp, ip, port, hostname, tag, asn, geo, region, city, naics, sic,
 * sector, version, servername, url}. Columns are found by name, and columns this adapter does not
 * know are ignored, as Shadowserver adds columns to its reports over time; only {@code timestamp},
 * {@code ip} and {@code tag} are required, as no event can be built without them.
 *
 * <p>Each CVE named in {@code tag} ({@code exchange;cve-2021-26855}) gives one VULNERABLE event;
 * {@code webshell} in the tag sets {@code compromised}. Times are UTC without a zone ({@code
 * 2021-03-10 04:12:33}). The product is always Microsoft Exchange Server, {@code version} is its
 * version; {@code region, city, naics, sic, sector, servername, url} become attributes {@code
 * shadowserver.<column>} when not empty. Problems with these columns are reported under the
 * column's name; the event contract then checks the event and names canonical fields.
 */
public final class ShadowserverFormat implements InputFormat {

  static final String SCANNER = "shadowserver";
  static final String PRODUCT = "Microsoft Exchange Server";

  /**
   * Shadowserver only flags web shells found on Exchange servers it reports as vulnerable to the
   * ProxyLogon chain, whose entry point is CVE-2021-26855; a row tagged {@code exchange;webshell}
   * alone is therefore counted as a compromised host vulnerable to that CVE, and the raw tag is
   * kept in the attribute {@code shadowserver.tag} so the inference stays visible.
   */
  static final String WEBSHELL_CVE = "CVE-2021-26855";

  private static final Pattern CVE =
      Pattern.compile("cve-\\d{4}-\\d{4,}", Pattern.CASE_INSENSITIVE);

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT);

  private static final List<String> REQUIRED = List.of("timestamp", "ip", "tag");
  private static final List<String> ATTRIBUTES =
      List.of("region", "city", "naics", "sic", "sector", "servername", "url");

  @Override
  public String name() {
    return "shadowserver";
  }

  @Override
  public String description() {
    return "Shadowserver \"Vulnerable Exchange Server\" report (scan_exchange CSV)";
  }

  @Override
  public void read(InputStream in, RecordSink sink) throws IOException {
    CsvRecords records = new CsvRecords(in);
    CsvRecords.Row header = records.next();
    if (header == null) {
      throw new IOException("empty input: expected the report's header row");
    }
    if (header.problem() != null) {
      throw new IOException("header row: " + header.problem());
    }
    Map<String, Integer> columns = new HashMap<>();
    for (int i = 0; i < header.cells().size(); i++) {
      String name = header.cells().get(i);
      if (columns.put(name, i) != null) {
        throw new IOException("header row: column " + Text.quote(name) + " appears twice");
      }
    }
    Set<String> missing = new LinkedHashSet<>(REQUIRED);
    missing.removeAll(columns.keySet());
    if (!missing.isEmpty()) {
      throw new IOException(
          "header row: missing required column"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing));
    }
    int width = header.cells().size();
    for (CsvRecords.Row row = records.next(); row != null; row = records.next()) {
      if (row.problem() != null) {
        sink.accept(unmapped(row, row.problem()));
      } else if (row.cells().size() != width) {
        sink.accept(unmapped(row, CsvRecords.widthProblem(row.cells().size(), width)));
      } else {
        map(new Cells(row.cells(), columns), row, sink);
      }
    }
  }

  private static void map(Cells cells, CsvRecords.Row row, RecordSink sink) {
    Tag tag = Tag.parse(cells.get("tag"));
    if (tag.cves().isEmpty()) {
      sink.accept(
          unmapped(row, "tag: " + Text.quote(tag.text()) + " names no CVE and no webshell"));
      return;
    }

    ObjectNode event = JsonLines.MAPPER.createObjectNode();
    event.put("scanner", SCANNER);
    String problem = putObservedAt(event, cells.get("timestamp"));
    if (problem != null) {
      sink.accept(unmapped(row, problem));
      return;
    }
    putText(event, "ip", cells.get("ip"));
    // set per CVE below; put here so every event lists its fields in the canonical order
    event.putNull("vulnerability");
    event.put("status", "VULNERABLE");
    putText(event, "country", cells.get("geo"));
    problem = putIntegers(event, cells, List.of("asn", "port"));
    if (problem != null) {
      sink.accept(unmapped(row, problem));
      return;
    }
    if (tag.webshell()) {
      event.put("compromised", true);
    }
    putText(event, "hostname", cells.get("hostname"));
    event.put("product", PRODUCT);
    putText(event, "productVersion", cells.get("version"));
    putAttributes(event, cells, tag);
    for (String cve : tag.cves()) {
      ObjectNode copy = event.deepCopy();
      copy.put("vulnerability", cve);
      sink.accept(new SourceRecord.Mapped(row.line(), row.original(), copy));
    }
  }

  /** Puts {@code timestamp}, if not empty, as an instant; else what is wrong with it. */
  private static String putObservedAt(ObjectNode event, String timestamp) {
    if (!timestamp.isEmpty()) {
      try {
        event.put(
            "observedAt",
            LocalDateTime.parse(timestamp, TIMESTAMP).toInstant(ZoneOffset.UTC).toString());
      } catch (DateTimeParseException e) {
        return "timestamp: " + Text.quote(timestamp) + " is not yyyy-MM-dd HH:mm:ss (UTC)";
      }
    }
    return null;
  }

  /** Puts each of {@code columns} that is not empty as an integer; else what is wrong. */
  private static String putIntegers(ObjectNode event, Cells cells, List<String> columns) {
    for (String column : columns) {
      String text = cells.get(column);
      if (text.isEmpty()) {
        continue;
      }
      Number number = CsvRecords.integer(text);
      if (number == null) {
        return column + ": " + Text.quote(text) + " is not an integer";
      }
      CsvRecords.putInteger(event, column, number);
    }
    return null;
  }

  /** Puts the {@link #ATTRIBUTES} that are not empty, and the tag a CVE was inferred from. */
  private static void putAttributes(ObjectNode event, Cells cells, Tag tag) {
    ObjectNode attributes = event.putObject("attributes");
    for (String column : ATTRIBUTES) {
      String value = cells.get(column);
      if (!value.isEmpty()) {
        attributes.put(SCANNER + "." + column, value);
      }
    }
    if (tag.inferred()) {
      attributes.put(SCANNER + ".tag", tag.text());
    }
    if (attributes.isEmpty()) {
      event.remove("attributes");
    }
  }

  private static void putText(ObjectNode event, String field, String value) {
    if (!value.isEmpty()) {
      event.put(field, value);
    }
  }

  private static SourceRecord.Unmapped unmapped(CsvRecords.Row row, String message) {
    return new SourceRecord.Unmapped(
        row.line(), row.original(), RejectReason.INVALID_FIELD, message);
  }

  /**
   * What a {@code tag} cell says.
   *
   * @param text the cell as is
   * @param cves the CVE ids it names, upper-cased, or {@link #WEBSHELL_CVE} if it names only a web
   *     shell
   * @param webshell whether it names a web shell
   * @param inferred whether {@code cves} is {@link #WEBSHELL_CVE} inferred from the web shell
   */
  private record Tag(String text, Set<String> cves, boolean webshell, boolean inferred) {
    static Tag parse(String text) {
      Set<String> cves = new LinkedHashSet<>();
      boolean webshell = false;
      for (String part : text.split(";")) {
        String item = part.strip();
        if (CVE.matcher(item).matches()) {
          cves.add(item.toUpperCase(Locale.ROOT));
        } else if (item.equalsIgnoreCase("webshell")) {
          webshell = true;
        }
      }
      boolean inferred = cves.isEmpty() && webshell;
      if (inferred) {
        cves.add(WEBSHELL_CVE);
      }
      return new Tag(text, cves, webshell, inferred);
    }
  }

  /** A row's cells by column name; a column the header lacks reads as empty. */
  private record Cells(List<String> cells, Map<String, Integer> columns) {
    String get(String column) {
      Integer index = columns.get(column);
      return index == null ? "" : cells.get(index);
    }
  }
}
