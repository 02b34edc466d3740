package dev.patchwatch.scanner.format;

import static dev.patchwatch.scanner.format.Formats.read;
import static dev.patchwatch.scanner.format.Formats.renderRead;
import static dev.patchwatch.scanner.format.Formats.resource;
import static dev.patchwatch.scanner.format.Formats.text;
import static dev.patchwatch.scanner.format.Formats.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvFormatTest {

  private static final String HEADER = "scanner,observedAt,ip,vulnerability,status";

  private final CsvFormat format = new CsvFormat();

  @Test
  void shouldMapEveryRowOfTheSampleAndReportEachBadOneWithItsLine() throws Exception {
    assertThat(renderRead(format, resource("events.csv")))
        .containsExactly(
            "2 {\"scanner\":\"acme-scan\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"203.0.113.7\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"FR\",\"asn\":16276,"
                + "\"compromised\":true,\"eventId\":\"a-1\",\"port\":443,"
                + "\"hostname\":\"mail.example.fr\",\"attributes\":{\"owa\":\"/owa/auth/x.js\"}}",
            // every optional cell empty, so absent; all-digit observedAt is epoch milliseconds
            "3 {\"scanner\":\"acme-scan\",\"observedAt\":\"2021-03-12T10:00:00.000Z\","
                + "\"ip\":\"2001:db8::1\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"PATCHED\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false}",
            "4 {\"scanner\":\"acme-scan\",\"observedAt\":\"2021-03-10T07:00:00.000Z\","
                + "\"ip\":\"198.51.100.4\",\"vulnerability\":\"CVE-2021-27065\","
                + "\"status\":\"MITIGATED\",\"country\":\"DE\",\"asn\":3320,"
                + "\"compromised\":false,\"eventId\":\"a-3\",\"port\":443,"
                + "\"hostname\":\"mail, \\\"the big one\\\" de\"}",
            // a quoted line break: the record spans lines 5 and 6
            "5 {\"scanner\":\"acme-scan\",\"observedAt\":\"2021-03-11T09:30:00.000Z\","
                + "\"ip\":\"198.51.100.5\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"DE\",\"asn\":3320,"
                + "\"compromised\":false,\"eventId\":\"a-4\",\"port\":443,"
                + "\"hostname\":\"mail.example.de\","
                + "\"attributes\":{\"owa\":\"line one\\nline two\"}}",
            "7 INVALID_FIELD row has 6 cells, the header has 12 cells",
            "8 INVALID_FIELD asn: \"AS3320\" is not an integer",
            "9 INVALID_FIELD compromised: \"yes\" is not true or false",
            "10 MISSING_FIELD observedAt: required, but missing",
            "11 INVALID_FIELD port: 70000 is outside 0..65535",
            "12 INVALID_FIELD status: \"UNKNOWN\" is not one of VULNERABLE, MITIGATED, PATCHED,"
                + " UNREACHABLE (upper case)",
            "13 INVALID_FIELD cell 6 has text after its closing quote",
            "14 INVALID_FIELD row has 1 cell, the header has 12 cells",
            "15 {\"scanner\":\"acme-scan\",\"observedAt\":\"2021-03-12T10:00:00.000Z\","
                + "\"ip\":\"198.51.100.5\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"PATCHED\",\"country\":\"DE\",\"asn\":3320,"
                + "\"compromised\":false,\"eventId\":\"a-12\",\"port\":443,"
                + "\"hostname\":\"mail.example.de\"}");
  }

  @Test
  void shouldKeepAMultiLineRecordWholeAsItsOriginal() throws Exception {
    List<FormatReader.ReadResult> results = read(format, resource("events.csv"));

    assertThat(text(results.get(3).original()))
        .isEqualTo(
            "VULNERABLE,2021-03-11T09:30:00Z,198.51.100.5,CVE-2021-26855,acme-scan,DE,3320,443,,"
                + "mail.example.de,\"line one\nline two\",a-4");
  }

  @Test
  void shouldFailOnAnUnknownColumnNamingIt() {
    assertThatThrownBy(() -> read(format, utf8(HEADER + ",contry\n")))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "header row: unknown column \"contry\" (known: scanner, observedAt, ip,"
                + " vulnerability, status, country, asn, compromised, eventId, port, hostname,"
                + " product, productVersion, attributes.<key>)");
  }

  @Test
  void shouldFailOnMissingRequiredColumnsNamingThem() {
    assertThatThrownBy(() -> read(format, utf8("status,scanner,ip,country\n")))
        .isInstanceOf(IOException.class)
        .hasMessage("header row: missing required columns observedAt, vulnerability");
  }

  @Test
  void shouldFailOnARepeatedColumn() {
    assertThatThrownBy(() -> read(format, utf8(HEADER + ",ip\n")))
        .isInstanceOf(IOException.class)
        .hasMessage("header row: column \"ip\" appears twice");
  }

  @Test
  void shouldFailOnAnEmptyFile() {
    assertThatThrownBy(() -> read(format, new byte[0]))
        .isInstanceOf(IOException.class)
        .hasMessage("empty input: expected a header row naming the columns");
  }

  @Test
  void shouldReadAHeaderOnlyFileAsNoRecords() throws Exception {
    assertThat(read(format, utf8(HEADER + "\n"))).isEmpty();
  }

  @Test
  void shouldReportAQuoteNeverClosedWhereItOpensWithTheRestOfTheFile() throws Exception {
    String input =
        HEADER
            + "\n"
            + "s,2021-03-09T10:00:00Z,192.0.2.1,CVE-2021-26855,VULNERABLE\n"
            + "s,2021-03-09T10:00:00Z,\"192.0.2.2,CVE-2021-26855,VULNERABLE\n"
            + "s,2021-03-09T10:00:00Z,192.0.2.3,CVE-2021-26855,VULNERABLE\n";

    List<FormatReader.ReadResult> results = read(format, utf8(input));

    assertThat(Formats.render(results))
        .containsExactly(
            "2 {\"scanner\":\"s\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"192.0.2.1\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false}",
            "3 INVALID_FIELD quoted cell 3 opened on line 3 is never closed");
    assertThat(text(results.get(1).original()))
        .isEqualTo(
            "s,2021-03-09T10:00:00Z,\"192.0.2.2,CVE-2021-26855,VULNERABLE\n"
                + "s,2021-03-09T10:00:00Z,192.0.2.3,CVE-2021-26855,VULNERABLE\n");
  }

  @Test
  void shouldReportARowThatIsNotUtf8WithItsBytesAndReadTheNext() throws Exception {
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.write(utf8(HEADER + "\n"));
    byte[] bad = utf8("s,2021-03-09T10:00:00Z,192.0.2.1,CVE-2021-26855,VULNERABL?");
    bad[bad.length - 1] = (byte) 0xE9;
    input.write(bad);
    input.write(utf8("\ns,2021-03-09T10:00:00Z,192.0.2.2,CVE-2021-26855,PATCHED\n"));

    List<FormatReader.ReadResult> results = read(format, input.toByteArray());

    assertThat(Formats.render(results))
        .containsExactly(
            "2 INVALID_FIELD line is not valid UTF-8",
            "3 {\"scanner\":\"s\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"192.0.2.2\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"PATCHED\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false}");
    assertThat(results.get(0).original()).isEqualTo(bad);
  }

  @Test
  void shouldReadCrlfRecordsAndKeepACrlfInsideQuotes() throws Exception {
    String input =
        HEADER
            + ",attributes.note\r\n"
            + "s,2021-03-09T10:00:00Z,192.0.2.1,CVE-2021-26855,VULNERABLE,\"a\r\nb\"\r\n"
            + "s,2021-03-09T10:00:00Z,192.0.2.2,CVE-2021-26855,PATCHED,\r\n";

    assertThat(renderRead(format, utf8(input)))
        .containsExactly(
            "2 {\"scanner\":\"s\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"192.0.2.1\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false,"
                + "\"attributes\":{\"note\":\"a\\r\\nb\"}}",
            "4 {\"scanner\":\"s\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"192.0.2.2\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"PATCHED\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false}");
  }

  @Test
  void shouldIgnoreAByteOrderMarkBeforeTheHeader() throws Exception {
    String input = "\uFEFF" + HEADER + "\ns,2021-03-09T10:00:00Z,192.0.2.1,CVE-2021-26855,PATCHED";

    assertThat(renderRead(format, utf8(input)))
        .containsExactly(
            "2 {\"scanner\":\"s\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"192.0.2.1\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"PATCHED\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false}");
  }

  @Test
  void shouldLeaveRangeChecksOfHugeIntegersToTheContract() throws Exception {
    String input =
        HEADER
            + ",asn\ns,2021-03-09T10:00:00Z,192.0.2.1,CVE-2021-26855,PATCHED,"
            + "99999999999999999999\n";

    assertThat(renderRead(format, utf8(input)))
        .containsExactly("2 INVALID_FIELD asn: 99999999999999999999 is outside 0..4294967295");
  }

  @Test
  void shouldReadAQuoteInsideAnUnquotedCellAsACharacter() throws Exception {
    String input =
        HEADER
            + ",hostname\ns,2021-03-09T10:00:00Z,192.0.2.1,CVE-2021-26855,PATCHED,"
            + "mail\"x\n";

    assertThat(renderRead(format, utf8(input)))
        .containsExactly(
            "2 {\"scanner\":\"s\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"192.0.2.1\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"PATCHED\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false,"
                + "\"hostname\":\"mail\\\"x\"}");
  }
}
