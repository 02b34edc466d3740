package dev.patchwatch.scanner.format;

import static dev.patchwatch.scanner.format.Formats.read;
import static dev.patchwatch.scanner.format.Formats.renderRead;
import static dev.patchwatch.scanner.format.Formats.resource;
import static dev.patchwatch.scanner.format.Formats.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.RejectReason;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonlFormatTest {

  private static final int CONTRACT_LIMIT = 524_288;

  private final JsonlFormat format = new JsonlFormat();

  @Test
  void shouldReadEveryLineOfTheSampleAndReportEachBadOneWithItsLine() throws Exception {
    assertThat(renderRead(format, resource("events.jsonl")))
        .containsExactly(
            "1 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"203.0.113.7\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"FR\",\"asn\":16276,"
                + "\"compromised\":false}",
            "2 {\"scanner\":\"kryptos\",\"observedAt\":\"2021-03-12T10:00:00.000Z\","
                + "\"ip\":\"2001:db8::1\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"PATCHED\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":true,"
                + "\"eventId\":\"k-1\",\"port\":443,\"hostname\":\"mail.example.org\","
                + "\"product\":\"Microsoft Exchange Server\",\"productVersion\":\"15.1.2176.9\","
                + "\"attributes\":{\"owa\":\"/owa/auth/x.js\"}}",
            "3 NOT_JSON not JSON: empty line",
            "4 NOT_JSON not JSON: Unexpected end-of-input: expected close marker for Object"
                + " (start marker at [Sour... at column 81",
            "5 NOT_OBJECT not a JSON object: got array",
            "6 INVALID_FIELD status: \"vulnerable\" is not one of VULNERABLE, MITIGATED, PATCHED,"
                + " UNREACHABLE (upper case)",
            "7 UNKNOWN_FIELD unknown field \"contry\" (extras belong in \"attributes\")",
            "8 INVALID_FIELD status: appears twice",
            "9 NOT_JSON not JSON: unexpected content after the value at column 144",
            "10 {\"scanner\":\"censys\",\"observedAt\":\"2021-03-10T07:00:00.123Z\","
                + "\"ip\":\"198.51.100.4\",\"vulnerability\":\"CVE-2021-27065\","
                + "\"status\":\"MITIGATED\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false}");
  }

  @Test
  void shouldKeepTheBytesOfALineThatIsNotUtf8() throws Exception {
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.write(utf8(minimal("203.0.113.1") + "\n"));
    byte[] bad = {
      '{', '"', 's', 'c', 'a', 'n', 'n', 'e', 'r', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'
    };
    input.write(bad);
    input.write(utf8("\n" + minimal("203.0.113.2") + "\n"));

    List<FormatReader.ReadResult> results = read(format, input.toByteArray());

    assertThat(results).hasSize(3);
    assertThat(results.get(0)).isInstanceOf(FormatReader.ReadResult.Event.class);
    FormatReader.ReadResult.Rejection rejection =
        (FormatReader.ReadResult.Rejection) results.get(1);
    assertThat(rejection.position()).isEqualTo(2);
    assertThat(rejection.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(rejection.message()).isEqualTo("line is not valid UTF-8");
    assertThat(rejection.original()).isEqualTo(bad);
    assertThat(results.get(2).position()).isEqualTo(3);
    assertThat(results.get(2)).isInstanceOf(FormatReader.ReadResult.Event.class);
  }

  @Test
  void shouldReportBlankLinesAndALastLineWithoutTerminator() throws Exception {
    String input = minimal("203.0.113.1") + "\r\n   \r\n\n" + minimal("203.0.113.2");

    assertThat(renderRead(format, utf8(input)))
        .containsExactly(
            "1 " + canonical("203.0.113.1"),
            "2 NOT_JSON not JSON: empty line",
            "3 NOT_JSON not JSON: empty line",
            "4 " + canonical("203.0.113.2"));
  }

  @Test
  void shouldDropTheCarriageReturnOfCrlfLinesFromTheOriginal() throws Exception {
    String line = minimal("203.0.113.1");

    List<FormatReader.ReadResult> results = read(format, utf8(line + "\r\n"));

    assertThat(results).hasSize(1);
    assertThat(results.get(0).original()).isEqualTo(utf8(line));
  }

  @Test
  void shouldIgnoreAByteOrderMarkAtTheStartOfTheFileOnly() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    String line = minimal("203.0.113.1");
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.write(bom);
    input.write(utf8(line + "\n"));
    input.write(bom);
    input.write(utf8(line));

    List<FormatReader.ReadResult> results = read(format, input.toByteArray());

    assertThat(results).hasSize(2);
    assertThat(results.get(0)).isInstanceOf(FormatReader.ReadResult.Event.class);
    assertThat(results.get(0).original()).isEqualTo(utf8(line));
    // only the file's first bytes can be a byte order mark: elsewhere it is not JSON
    assertThat(results.get(1)).isInstanceOf(FormatReader.ReadResult.Rejection.class);
    assertThat(((FormatReader.ReadResult.Rejection) results.get(1)).reason())
        .isEqualTo(RejectReason.NOT_JSON);
  }

  @Test
  void shouldReadNothingFromAnEmptyFile() throws Exception {
    assertThat(read(format, new byte[0])).isEmpty();
  }

  private static String canonical(String ip) {
    return "{\"scanner\":\"s\",\"observedAt\":\"2021-03-09T10:00:00.000Z\",\"ip\":\""
        + ip
        + "\",\"vulnerability\":\"CVE-2021-26855\",\"status\":\"VULNERABLE\",\"country\":\"ZZ\","
        + "\"asn\":0,\"compromised\":false}";
  }

  private static String minimal(String ip) {
    return "{\"scanner\":\"s\",\"observedAt\":\"2021-03-09T10:00:00Z\",\"ip\":\""
        + ip
        + "\",\"vulnerability\":\"CVE-2021-26855\",\"status\":\"VULNERABLE\"}";
  }

  @Test
  void shouldRejectOversizeLineAsTooLargeKeepingItsFirstBytesAndReadOn() throws Exception {
    String big = "{\"scanner\":\"" + "s".repeat(CONTRACT_LIMIT) + "\",\"ip\":\"192.0.2.1\"}";
    byte[] input = utf8(minimal("203.0.113.1") + "\n" + big + "\n" + minimal("203.0.113.2"));

    List<FormatReader.ReadResult> results = read(format, input);

    assertThat(results).hasSize(3);
    FormatReader.ReadResult.Rejection rejection =
        (FormatReader.ReadResult.Rejection) results.get(1);
    assertThat(rejection.reason()).isEqualTo(RejectReason.TOO_LARGE);
    assertThat(rejection.message())
        .isEqualTo(
            "line is "
                + utf8(big).length
                + " bytes, more than the limit of 524288 (max.event.bytes); only its first 1024"
                + " bytes are kept");
    assertThat(rejection.original()).isEqualTo(Arrays.copyOf(utf8(big), 1024));
    assertThat(results.get(2)).isInstanceOf(FormatReader.ReadResult.Event.class);
  }

  @Test
  void shouldRejectWhatJacksonRefusesAsNotJsonInsteadOfFailing() throws Exception {
    String deep = "[".repeat(1001);
    String digits = minimal("203.0.113.1").replaceFirst("}$", ",\"asn\":" + "1".repeat(1001) + "}");
    byte[] input = utf8(deep + "\n" + digits + "\n" + minimal("203.0.113.2"));

    assertThat(renderRead(format, input))
        .satisfiesExactly(
            deep1 -> assertThat(deep1).startsWith("1 NOT_JSON not JSON: Document nesting depth"),
            long2 -> assertThat(long2).startsWith("2 NOT_JSON not JSON: Number value length"),
            ok -> assertThat(ok).startsWith("3 {"));
  }

  @Test
  void shouldRejectAnEscapedLoneSurrogateAsInvalidField() throws Exception {
    String line = minimal("203.0.113.1").replaceFirst("}$", ",\"hostname\":\"\\\\udc00x\"}");

    assertThat(renderRead(format, utf8(line)))
        .containsExactly(
            "1 INVALID_FIELD hostname: \"\\udc00x\" is not valid Unicode (unpaired surrogate)");
  }
}
