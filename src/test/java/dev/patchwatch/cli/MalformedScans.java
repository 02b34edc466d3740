package dev.patchwatch.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hostile-input corpus: scan files of JSON lines, each a valid event (line 1) then one
 * malformed line (line 2) with the reasons it may be rejected for. Generated, not checked in as
 * files, so the repository stays small and every case says what it tests; the same every run.
 */
final class MalformedScans {

  /** One malformed line and the reasons it may be rejected for. */
  record Case(String name, byte[] line, Set<String> reasons) {}

  static final String VALID_OBSERVED_AT = "2026-11-30T10:00:00Z";

  private static final Set<String> NOT_JSON = Set.of("NOT_JSON");
  private static final Set<String> INVALID = Set.of("INVALID_FIELD");
  private static final List<String> STRING_FIELDS =
      List.of("scanner", "ip", "vulnerability", "hostname", "product", "attributes.value");

  private MalformedScans() {}

  /** The fields of a valid event, as raw JSON values, in order. */
  private static Map<String, String> fields(int n) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("scanner", "\"corpus\"");
    f.put("observedAt", "\"" + VALID_OBSERVED_AT + "\"");
    f.put("ip", "\"198.51.100." + (n % 250 + 1) + "\"");
    f.put("vulnerability", "\"CVE-2021-26855\"");
    f.put("status", "\"VULNERABLE\"");
    f.put("country", "\"FR\"");
    f.put("asn", "16276");
    f.put("port", "443");
    f.put("hostname", "\"mail.example.fr\"");
    f.put("product", "\"Exchange\"");
    f.put("attributes", "{\"banner\":\"x\"}");
    return f;
  }

  private static byte[] line(Map<String, String> fields) {
    StringBuilder s = new StringBuilder("{");
    fields.forEach(
        (k, v) ->
            s.append(s.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return s.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A valid event's line with {@code field}'s raw value replaced (or removed when null). */
  private static byte[] with(String field, String raw) {
    Map<String, String> f = fields(0);
    if (raw == null) {
      f.remove(field);
    } else {
      f.put(field, raw);
    }
    return line(f);
  }

  /** A valid line with {@code bytes} spliced into the string value of {@code field}. */
  private static byte[] withBytesIn(String field, byte[] bytes) {
    String marker = "@@";
    byte[] template =
        field.equals("attributes.value")
            ? with("attributes", "{\"banner\":\"a" + marker + "b\"}")
            : with(field, rawOf(field).replaceFirst("\"$", marker + "\""));
    String text = new String(template, StandardCharsets.UTF_8);
    int at = text.indexOf(marker);
    byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
    byte[] tail = text.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + bytes.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(bytes, 0, out, head.length, bytes.length);
    System.arraycopy(tail, 0, out, head.length + bytes.length, tail.length);
    return out;
  }

  private static String rawOf(String field) {
    return fields(0).get(field);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    // invalid UTF-8: overlong, lone continuation, encoded surrogate, truncated, beyond U+10FFFF
    byte[][] badUtf8 = {
      {(byte) 0xC0, (byte) 0x80},
      {(byte) 0x80},
      {(byte) 0xFF},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xE2, (byte) 0x82},
      {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
      {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}
    };
    for (String field : STRING_FIELDS) {
      for (int i = 0; i < badUtf8.length; i++) {
        cases.add(new Case("utf8-" + i + "-" + field, withBytesIn(field, badUtf8[i]), NOT_JSON));
      }
    }
    // raw control characters, NUL first: JSON strings may not hold them unescaped
    for (String field : STRING_FIELDS) {
      for (byte control : new byte[] {0x00, 0x01, 0x08, 0x1F}) {
        cases.add(
            new Case(
                "control-" + control + "-" + field,
                withBytesIn(field, new byte[] {control}),
                NOT_JSON));
      }
    }
    // an escaped NUL where an identifier or address is expected
    for (String field : List.of("scanner", "ip", "vulnerability", "country", "status")) {
      cases.add(new Case("escaped-nul-" + field, with(field, "\"a\\u0000b\""), INVALID));
    }
    // lone surrogates, escaped (the only way JSON text can carry one)
    String[] surrogates = {"\\ud800", "\\udfff", "x\\ud800y", "\\udc00\\ud800"};
    for (String field : STRING_FIELDS) {
      for (int i = 0; i < surrogates.length; i++) {
        byte[] line =
            field.equals("attributes.value")
                ? with("attributes", "{\"banner\":\"" + surrogates[i] + "\"}")
                : with(field, "\"" + surrogates[i] + "\"");
        cases.add(new Case("surrogate-" + i + "-" + field, line, INVALID));
      }
    }
    // deep nesting inside attributes.banner (two levels already): within the parser's limit of
    // 1000 a wrong attribute value, beyond it not JSON (60,000 levels stay under the size limit)
    for (int depth : new int[] {2, 50, 998}) {
      cases.add(new Case("nesting-array-" + depth, nested("[", "]", depth), INVALID));
      cases.add(new Case("nesting-object-" + depth, nestedObject(depth), INVALID));
    }
    for (int depth : new int[] {999, 5000, 60_000}) {
      cases.add(new Case("nesting-array-" + depth, nested("[", "]", depth), NOT_JSON));
      cases.add(new Case("nesting-object-" + depth, nestedObject(depth), NOT_JSON));
    }
    // duplicated keys, with the same and with another value
    for (String field : List.of("scanner", "observedAt", "ip", "vulnerability", "status")) {
      String text = new String(with(field, rawOf(field)), StandardCharsets.UTF_8);
      String same = text.replaceFirst("}$", ",\"" + field + "\":" + rawOf(field) + "}");
      String other = text.replaceFirst("}$", ",\"" + field + "\":\"other\"}");
      Set<String> dup = Set.of("NOT_JSON", "INVALID_FIELD");
      cases.add(new Case("duplicate-same-" + field, utf8(same), dup));
      cases.add(new Case("duplicate-other-" + field, utf8(other), dup));
    }
    // numbers out of range or of the wrong kind
    String[] asns = {
      "-1", "4294967296", "1e400", "1e-400", "123456789012345678901234567890", "1.5"
    };
    for (String asn : asns) {
      cases.add(new Case("asn-" + asn, with("asn", asn), INVALID));
    }
    for (String port : new String[] {"65536", "-1", "1e10", "0.5", "99999999999999999999"}) {
      cases.add(new Case("port-" + port, with("port", port), INVALID));
    }
    for (String n : new String[] {"NaN", "Infinity", "-Infinity", "01", "1.", "+1", "0x10"}) {
      cases.add(new Case("number-" + n, with("asn", n), NOT_JSON));
    }
    cases.add(new Case("number-2000-digits", with("asn", "9".repeat(2000)), NOT_JSON));
    // years 1970 and 9999 and their neighbours, as text and as epoch milliseconds
    for (String at :
        new String[] {
          "1970-01-01T00:00:00Z",
          "9999-12-31T23:59:59Z",
          "0000-01-01T00:00:00Z",
          "+10000-01-01T00:00:00Z",
          "1999-12-31T23:59:59Z",
          "2099-01-01T00:00:00Z",
          "2026-02-30T00:00:00Z",
          "2026-11-30T25:00:00Z",
          "2026-11-30",
          "2026-11-30T10:00:00",
          "yesterday"
        }) {
      cases.add(new Case("observedAt-" + at, with("observedAt", "\"" + at + "\""), INVALID));
    }
    for (String millis : new String[] {"0", "-1", "253402300799999", "9223372036854775807"}) {
      cases.add(new Case("observedAt-millis-" + millis, with("observedAt", millis), INVALID));
    }
    // IPv6 zone ids, host names and other spellings that are not an address literal
    for (String ip :
        new String[] {
          "fe80::1%eth0",
          "fe80::1%25eth0",
          "fe80::1%1",
          "[2001:db8::1]",
          "2001:db8::1/64",
          "mail.example.com",
          "localhost",
          "127.1",
          "0x7f.0.0.1",
          "192.168.001.001",
          "::ffff:999.1.1.1",
          "1.2.3.4.5",
          "",
          " 192.0.2.1",
          "192.0.2.1 ",
          "\uff12.\uff12.\uff12.\uff12",
          "2001:db8:::1",
          "12345::",
          "g::1",
          "256.1.1.1"
        }) {
      cases.add(
          new Case("ip-" + ip.replaceAll("[^A-Za-z0-9.:]", "_"), with("ip", json(ip)), INVALID));
    }
    // not JSON, not an object, cut short, trailing garbage, two objects on one line
    for (String text :
        new String[] {"{", "}", "{\"scanner\":}", "{scanner:\"x\"}", "'x'", "\ufeff" + valid()}) {
      cases.add(new Case("not-json-" + cases.size(), utf8(text), NOT_JSON));
    }
    for (String text :
        new String[] {"[]", "42", "\"event\"", "null", "true", "[" + valid() + "]"}) {
      cases.add(new Case("not-object-" + cases.size(), utf8(text), Set.of("NOT_OBJECT")));
    }
    String valid = valid();
    for (int cut : new int[] {1, 10, 30, 60, 90, valid.length() - 1}) {
      cases.add(new Case("truncated-" + cut, utf8(valid.substring(0, cut)), NOT_JSON));
    }
    cases.add(new Case("trailing-garbage", utf8(valid + " x"), NOT_JSON));
    cases.add(new Case("two-objects", utf8(valid + valid), NOT_JSON));
    // missing and unknown fields
    for (String field : List.of("scanner", "observedAt", "ip", "vulnerability", "status")) {
      cases.add(new Case("missing-" + field, with(field, null), Set.of("MISSING_FIELD")));
      cases.add(
          new Case("null-" + field, with(field, "null"), Set.of("MISSING_FIELD", "INVALID_FIELD")));
      for (String raw : new String[] {"1", "true", "[]", "{}"}) {
        cases.add(new Case("type-" + raw + "-" + field, with(field, raw), INVALID));
      }
    }
    for (String unknown : new String[] {"foo", "Scanner", "", "observed_at"}) {
      Map<String, String> f = fields(0);
      f.put(unknown, "\"x\"");
      cases.add(new Case("unknown-field-" + unknown, line(f), Set.of("UNKNOWN_FIELD")));
    }
    // over the line limit (512 KiB by default), in a field that is otherwise fine
    cases.add(
        new Case(
            "too-large-hostname",
            with("hostname", "\"" + "a".repeat(600 * 1024) + "\""),
            Set.of("TOO_LARGE")));
    return cases;
  }

  private static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String valid() {
    return new String(line(fields(0)), StandardCharsets.UTF_8);
  }

  private static byte[] nested(String open, String close, int depth) {
    return with("attributes", "{\"banner\":" + open.repeat(depth) + close.repeat(depth) + "}");
  }

  private static byte[] nestedObject(int depth) {
    return with(
        "attributes", "{\"banner\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) + "}");
  }

  /** A valid event, unique by {@code n}, as the first line of each file. */
  static byte[] validLine(int n) {
    return line(fields(n));
  }

  /** Writes one file per case into {@code dir}: the valid line, then the case's line. */
  static Map<Path, Case> write(Path dir) throws IOException {
    Map<Path, Case> files = new LinkedHashMap<>();
    List<Case> all = cases();
    for (int i = 0; i < all.size(); i++) {
      Case c = all.get(i);
      Path file = dir.resolve(String.format("%03d-%s.jsonl", i, c.name()));
      try (OutputStream out = Files.newOutputStream(file)) {
        out.write(validLine(i));
        out.write('\n');
        out.write(c.line());
        out.write('\n');
      }
      files.put(file, c);
    }
    return files;
  }
}
