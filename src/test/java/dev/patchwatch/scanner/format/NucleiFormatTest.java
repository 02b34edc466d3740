package dev.patchwatch.scanner.format;

import static dev.patchwatch.scanner.format.Formats.renderRead;
import static dev.patchwatch.scanner.format.Formats.resource;
import static dev.patchwatch.scanner.format.Formats.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class NucleiFormatTest {

  private static final String NOT_ZONED = "0,\"compromised\":false,";

  @Test
  void shouldMapEveryResultOfTheSampleAndReportEachBadOneWithItsLine() throws Exception {
    assertThat(renderRead(new NucleiFormat(), resource("nuclei.jsonl")))
        .containsExactly(
            // Nuclei 3: ip given, host is the bare name, nanoseconds and offset in the timestamp
            "1 {\"scanner\":\"nuclei\",\"observedAt\":\"2021-03-10T13:22:31.123Z\","
                + "\"ip\":\"192.0.2.10\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":"
                + NOT_ZONED
                + "\"port\":443,\"hostname\":\"mail.example.fr\",\"attributes\":{"
                + "\"nuclei.matched-at\":\"https://mail.example.fr:443/owa/auth/x.js\","
                + "\"nuclei.template-id\":\"CVE-2021-26855\"}}",
            // Nuclei 2.3, March 2021: templateID and matched, no matcher-status, host a URL
            "2 {\"scanner\":\"nuclei\",\"observedAt\":\"2021-03-09T23:10:05.427Z\","
                + "\"ip\":\"203.0.113.5\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":"
                + NOT_ZONED
                + "\"port\":443,\"attributes\":{"
                + "\"nuclei.matched-at\":\"https://203.0.113.5/owa/auth/x.js\","
                + "\"nuclei.template-id\":\"CVE-2021-26855\"}}",
            "3 {\"scanner\":\"nuclei\",\"observedAt\":\"2021-03-20T08:15:00.500Z\","
                + "\"ip\":\"198.51.100.20\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"PATCHED\",\"country\":\"ZZ\",\"asn\":"
                + NOT_ZONED
                + "\"port\":443,\"hostname\":\"mx.example.de\",\"attributes\":{"
                + "\"nuclei.template-id\":\"CVE-2021-26855\"}}",
            // a non-match with an error: the host could not be checked
            "4 {\"scanner\":\"nuclei\",\"observedAt\":\"2021-03-20T09:15:02.000Z\","
                + "\"ip\":\"198.51.100.21\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"UNREACHABLE\",\"country\":\"ZZ\",\"asn\":"
                + NOT_ZONED
                + "\"port\":443,\"attributes\":{"
                + "\"nuclei.error\":\"cause=\\\"port closed or filtered\\\""
                + " address=198.51.100.21:443\",\"nuclei.template-id\":\"CVE-2021-26855\"}}",
            "5 INVALID_FIELD no CVE id: info.classification.cve-id is absent and template-id"
                + " \"exchange-owa-detect\" is not one",
            "6 {\"scanner\":\"nuclei\",\"observedAt\":\"2021-03-10T13:22:40.000Z\","
                + "\"ip\":\"192.0.2.10\",\"vulnerability\":\"CVE-2021-27065\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":"
                + NOT_ZONED
                + "\"port\":443,\"hostname\":\"mail.example.fr\",\"attributes\":{"
                + "\"nuclei.matched-at\":\"https://mail.example.fr:443/ecp/\","
                + "\"nuclei.template-id\":\"cve-2021-27065\"}}",
            // three ids, one repeated: one event per distinct CVE
            "7 {\"scanner\":\"nuclei\",\"observedAt\":\"2021-03-11T08:00:00.000Z\","
                + "\"ip\":\"2001:db8::5\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":"
                + NOT_ZONED
                + "\"port\":8443,\"attributes\":{"
                + "\"nuclei.matched-at\":\"https://[2001:db8::5]:8443/owa/auth/x.js\","
                + "\"nuclei.template-id\":\"proxylogon-chain\"}}",
            "7 {\"scanner\":\"nuclei\",\"observedAt\":\"2021-03-11T08:00:00.000Z\","
                + "\"ip\":\"2001:db8::5\",\"vulnerability\":\"CVE-2021-27065\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":"
                + NOT_ZONED
                + "\"port\":8443,\"attributes\":{"
                + "\"nuclei.matched-at\":\"https://[2001:db8::5]:8443/owa/auth/x.js\","
                + "\"nuclei.template-id\":\"proxylogon-chain\"}}",
            "8 INVALID_FIELD no IP address: ip is absent and host \"mail.example.org\" is a host"
                + " name (host names are never resolved)",
            "9 NOT_JSON not JSON: Unexpected end-of-input: was expecting closing quote for a"
                + " string value at column 93",
            "10 INVALID_FIELD matcher-status: expected a JSON boolean, got string \"true\"",
            "11 INVALID_FIELD observedAt: \"2021-03-10 14:32:00\" is not an ISO-8601 instant"
                + " with Z or ±hh:mm (e.g. 2021-03-01T10:00:00Z or 2021-03-01T11:00+01:00)");
  }

  @Test
  void shouldReportNonMatchesWithTheConfiguredStatus() throws Exception {
    List<String> results =
        renderRead(NucleiFormat.nonMatchesAs(ScanStatus.UNREACHABLE), resource("nuclei.jsonl"));

    assertThat(results.get(2))
        .startsWith("3 {")
        .contains("\"ip\":\"198.51.100.20\"", "\"status\":\"UNREACHABLE\"");
  }

  @Test
  void shouldSkipNonMatchesWhenAskedTo() throws Exception {
    List<String> results = renderRead(NucleiFormat.skippingNonMatches(), resource("nuclei.jsonl"));

    assertThat(results)
        .extracting(line -> line.substring(0, line.indexOf(' ')))
        .containsExactly("1", "2", "5", "6", "7", "7", "8", "9", "10", "11");
  }

  @Test
  void shouldRefuseVulnerableAsTheStatusOfANonMatch() {
    assertThatThrownBy(() -> NucleiFormat.nonMatchesAs(ScanStatus.VULNERABLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a non-match cannot be reported as VULNERABLE");
  }

  @Test
  void shouldTakeThePortFromTheHostUrlOrItsScheme() throws Exception {
    String input =
        result("\"host\":\"http://192.0.2.50:8080/owa/\"")
            + "\n"
            + result("\"host\":\"http://192.0.2.51\"")
            + "\n"
            + result("\"host\":\"192.0.2.52\"")
            + "\n";

    assertThat(renderRead(new NucleiFormat(), utf8(input)))
        .extracting(NucleiFormatTest::portOf)
        .containsExactly("192.0.2.50 8080", "192.0.2.51 80", "192.0.2.52 none");
  }

  @Test
  void shouldReadSeveralCveIdsFromOneCommaSeparatedString() throws Exception {
    String input =
        "{\"template-id\":\"exchange-chain\",\"info\":{\"classification\":{\"cve-id\":"
            + "\"cve-2021-26855, cve-2021-27065\"}},\"ip\":\"192.0.2.60\","
            + "\"timestamp\":\"2021-03-10T14:00:00Z\"}";

    assertThat(renderRead(new NucleiFormat(), utf8(input)))
        .extracting(line -> line.replaceAll(".*\"vulnerability\":\"([^\"]+)\".*", "$1"))
        .containsExactly("CVE-2021-26855", "CVE-2021-27065");
  }

  @Test
  void shouldReportAPortThatIsNotANumber() throws Exception {
    String input = result("\"ip\":\"192.0.2.70\",\"port\":\"https\"");

    assertThat(renderRead(new NucleiFormat(), utf8(input)))
        .containsExactly("1 INVALID_FIELD port: \"https\" is not an integer");
  }

  @Test
  void shouldReportAResultWithoutTimestamp() throws Exception {
    String input = "{\"template-id\":\"CVE-2021-26855\",\"ip\":\"192.0.2.80\"}";

    assertThat(renderRead(new NucleiFormat(), utf8(input)))
        .containsExactly("1 MISSING_FIELD timestamp: required, but missing");
  }

  private static String result(String hostFields) {
    return "{\"template-id\":\"CVE-2021-26855\",\"type\":\"http\","
        + hostFields
        + ",\"timestamp\":\"2021-03-10T14:00:00Z\"}";
  }

  private static String portOf(String line) {
    String ip = line.replaceAll(".*\"ip\":\"([^\"]+)\".*", "$1");
    return ip
        + " "
        + (line.contains("\"port\":") ? line.replaceAll(".*\"port\":(\\d+).*", "$1") : "none");
  }

  @Test
  void shouldRejectWhatJacksonRefusesAsNotJsonAndReadOn() throws Exception {
    String deep = "{\"info\":" + "[".repeat(1001) + "}";
    String digits = "{\"port\":" + "9".repeat(1001) + "}";
    List<SourceRecord> records =
        Formats.records(new NucleiFormat(), Formats.utf8(deep + "\n" + digits + "\n[]"));
    assertThat(records)
        .extracting(r -> ((SourceRecord.Unmapped) r).reason())
        .containsExactly(RejectReason.NOT_JSON, RejectReason.NOT_JSON, RejectReason.NOT_OBJECT);
  }
}
