package dev.patchwatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How the hostile-input corpus was made, and still is: scan files of JSON lines, each a valid event
 * (line 1) then one malformed line (line 2) with the reasons it may be rejected for. The small
 * cases are checked in under {@code src/test/resources/hostile-corpus/} with their index ({@link
 * HostileCorpus} reads them, {@code HostileCorpusTest} holds them to this generator); the few
 * larger than {@value #CHECKED_IN_MAX_BYTES} bytes are written at test time. To add a case, add it
 * here and run {@link #main} (it needs only the JDK): {@code java -cp target/test-classes
 * dev.patchwatch.cli.MalformedScans src/test/resources/hostile-corpus}.
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
          "1970-01-01T00:00:00.001Z",
          "1970-06-15T12:00:00+02:00",
          "9999-12-31T23:59:59Z",
          "9999-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z",
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
    List<String> ips = new ArrayList<>(IPV6_ZONE_IDS);
    ips.addAll(HOST_NAMES);
    ips.addAll(
        List.of(
            "[2001:db8::1]",
            "2001:db8::1/64",
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
            "256.1.1.1"));
    for (String ip : ips) {
      cases.add(new Case(ipCaseName(ip), with("ip", json(ip)), INVALID));
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

  private static final List<String> IPV6_ZONE_IDS =
      List.of(
          "fe80::1%eth0",
          "fe80::1%25eth0",
          "fe80::1%1",
          "fe80::abcd%en0",
          "ff02::1%lo",
          "::1%0",
          "2001:db8::1%wlan0");

  private static final List<String> HOST_NAMES =
      List.of(
          "mail.example.com",
          "localhost",
          "exchange01",
          "xn--bcher-kva.example",
          "scanner-01.internal",
          "host_name.local");

  private static String ipCaseName(String ip) {
    return "ip-" + ip.replaceAll("[^A-Za-z0-9.:]", "_");
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

  /** Cases larger than this are generated at test time instead of checked in. */
  static final int CHECKED_IN_MAX_BYTES = 64 * 1024;

  /** The cases small enough to be checked in, in corpus order. */
  static List<Case> checkedIn() {
    return cases().stream().filter(c -> c.line().length <= CHECKED_IN_MAX_BYTES).toList();
  }

  /** The cases written at test time (the single 50 MB line aside). */
  static List<Case> generatedAtTestTime() {
    return cases().stream().filter(c -> c.line().length > CHECKED_IN_MAX_BYTES).toList();
  }

  /** {@code NNN-<case>.jsonl}, the case name kept to characters every file system takes. */
  static String fileName(int index, Case c) {
    return String.format(
        Locale.ROOT, "%03d-%s.jsonl", index, c.name().replaceAll("[^A-Za-z0-9._-]", "_"));
  }

  /** A case's file: its valid line ({@code n} makes it unique), then the case's line. */
  static byte[] file(int n, Case c) {
    byte[] valid = validLine(n);
    byte[] out = new byte[valid.length + 1 + c.line().length + 1];
    System.arraycopy(valid, 0, out, 0, valid.length);
    out[valid.length] = '\n';
    System.arraycopy(c.line(), 0, out, valid.length + 1, c.line().length);
    out[out.length - 1] = '\n';
    return out;
  }

  /** What the issue's list (and the rest of the suite) a case stands for, from its name. */
  static String covers(Case c) {
    String n = c.name();
    if (n.startsWith("utf8-")) {
      return "invalid UTF-8";
    } else if (n.startsWith("control-0-")) {
      return "NUL byte";
    } else if (n.startsWith("control-")) {
      return "raw control character";
    } else if (n.startsWith("escaped-nul-")) {
      return "escaped NUL";
    } else if (n.startsWith("surrogate-")) {
      return "lone surrogate";
    } else if (n.startsWith("nesting-")) {
      return "deep nesting";
    } else if (n.startsWith("duplicate-")) {
      return "duplicated key";
    } else if (n.startsWith("asn-") || n.startsWith("port-") || n.startsWith("number-")) {
      return "number out of range or malformed";
    } else if (n.startsWith("observedAt-1970") || n.equals("observedAt-millis-0")) {
      return "year 1970";
    } else if (n.startsWith("observedAt-9999") || n.equals("observedAt-millis-253402300799999")) {
      return "year 9999";
    } else if (n.startsWith("observedAt-")) {
      return "timestamp out of range or malformed";
    } else if (IPV6_ZONE_IDS.stream().anyMatch(ip -> n.equals(ipCaseName(ip)))) {
      return "IPv6 zone id";
    } else if (HOST_NAMES.stream().anyMatch(ip -> n.equals(ipCaseName(ip)))) {
      return "host name";
    } else if (n.startsWith("ip-")) {
      return "address spelling";
    } else if (n.startsWith("not-json-")
        || n.startsWith("truncated-")
        || n.equals("trailing-garbage")
        || n.equals("two-objects")) {
      return "not JSON";
    } else if (n.startsWith("not-object-")) {
      return "not an object";
    } else if (n.startsWith("missing-") || n.startsWith("null-") || n.startsWith("type-")) {
      return "missing field or wrong type";
    } else if (n.startsWith("unknown-field-")) {
      return "unknown field";
    } else if (n.startsWith("too-large-")) {
      return "line over the limit";
    }
    throw new IllegalStateException("no category for case " + n);
  }

  /** The index line of a checked-in case: file, case, covers, reasons, SHA-256 of the file. */
  static String indexLine(int index, Case c) {
    return String.join(
        "\t",
        fileName(index, c),
        c.name(),
        covers(c),
        String.join("|", new TreeSet<>(c.reasons())),
        sha256(file(index, c)));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static final String INDEX = "index.tsv";

  static final String INDEX_HEADER =
      "# The checked-in hostile-input corpus; see README.md. Written by MalformedScans.main.\n"
          + "# file\tcase\tcovers\treasons (any of)\tsha256\n";

  /** Writes the checked-in cases and their index into {@code dir}, replacing what was there. */
  static void writeCorpus(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (var old = Files.list(dir)) {
      for (Path file : old.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
        Files.delete(file);
      }
    }
    List<Case> cases = checkedIn();
    StringBuilder index = new StringBuilder(INDEX_HEADER);
    for (int i = 0; i < cases.size(); i++) {
      Files.write(dir.resolve(fileName(i, cases.get(i))), file(i, cases.get(i)));
      index.append(indexLine(i, cases.get(i))).append('\n');
    }
    Files.writeString(dir.resolve(INDEX), index, StandardCharsets.UTF_8);
  }

  /** Writes the corpus into the directory given, e.g. {@code src/test/resources/hostile-corpus}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: MalformedScans <corpus directory>");
      return;
    }
    writeCorpus(Path.of(args[0]));
    System.out.printf(
        "%d files and %s written to %s%n", checkedIn().size(), INDEX, Path.of(args[0]));
  }
}
