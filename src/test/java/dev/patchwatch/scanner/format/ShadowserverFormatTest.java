package dev.patchwatch.scanner.format;

import static dev.patchwatch.scanner.format.Formats.read;
import static dev.patchwatch.scanner.format.Formats.renderRead;
import static dev.patchwatch.scanner.format.Formats.resource;
import static dev.patchwatch.scanner.format.Formats.text;
import static dev.patchwatch.scanner.format.Formats.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShadowserverFormatTest {

  private static final String EXCHANGE = "\"product\":\"Microsoft Exchange Server\",";

  private final ShadowserverFormat format = new ShadowserverFormat();

  @Test
  void shouldMapEveryRowOfTheReportAndReportEachBadOneWithItsLine() throws Exception {
    assertThat(renderRead(format, resource("shadowserver-exchange.csv")))
        .containsExactly(
            "2 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-10T04:12:33.000Z\","
                + "\"ip\":\"192.0.2.10\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"FR\",\"asn\":16276,"
                + "\"compromised\":false,\"port\":443,\"hostname\":\"mail.example.fr\","
                + EXCHANGE
                + "\"productVersion\":\"15.1.2176\",\"attributes\":{"
                + "\"shadowserver.city\":\"ROUBAIX\",\"shadowserver.naics\":\"518210\","
                + "\"shadowserver.region\":\"HAUTS-DE-FRANCE\","
                + "\"shadowserver.sector\":\"Communications, Service Provider, and Hosting"
                + " Service\",\"shadowserver.servername\":\"EXCH01\"}}",
            // two CVE tags: one event each, from the same line
            "3 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-10T04:12:41.000Z\","
                + "\"ip\":\"192.0.2.11\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"DE\",\"asn\":3320,"
                + "\"compromised\":false,\"port\":443,"
                + EXCHANGE
                + "\"productVersion\":\"15.2.721\",\"attributes\":{"
                + "\"shadowserver.city\":\"FRANKFURT AM MAIN\",\"shadowserver.region\":\"HESSEN\","
                + "\"shadowserver.servername\":\"MX2\"}}",
            "3 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-10T04:12:41.000Z\","
                + "\"ip\":\"192.0.2.11\",\"vulnerability\":\"CVE-2021-27065\","
                + "\"status\":\"VULNERABLE\",\"country\":\"DE\",\"asn\":3320,"
                + "\"compromised\":false,\"port\":443,"
                + EXCHANGE
                + "\"productVersion\":\"15.2.721\",\"attributes\":{"
                + "\"shadowserver.city\":\"FRANKFURT AM MAIN\",\"shadowserver.region\":\"HESSEN\","
                + "\"shadowserver.servername\":\"MX2\"}}",
            // webshell without a CVE tag: CVE-2021-26855 inferred, the raw tag kept
            "4 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-12T17:03:09.000Z\","
                + "\"ip\":\"192.0.2.12\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"NL\",\"asn\":1136,"
                + "\"compromised\":true,\"port\":443,\"hostname\":\"owa.example.nl\","
                + EXCHANGE
                + "\"productVersion\":\"15.0.1497\",\"attributes\":{"
                + "\"shadowserver.city\":\"DEN HAAG\",\"shadowserver.region\":\"ZUID-HOLLAND\","
                + "\"shadowserver.servername\":\"EXCH-NL\","
                + "\"shadowserver.tag\":\"exchange;webshell\","
                + "\"shadowserver.url\":\"https://owa.example.nl/aspnet_client/system_web/"
                + "error.aspx\"}}",
            "5 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-12T17:03:15.000Z\","
                + "\"ip\":\"192.0.2.13\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"US\",\"asn\":7018,"
                + "\"compromised\":true,\"port\":443,"
                + EXCHANGE
                + "\"productVersion\":\"15.1.2106\",\"attributes\":{"
                + "\"shadowserver.city\":\"LOS ANGELES\",\"shadowserver.naics\":\"517311\","
                + "\"shadowserver.region\":\"CALIFORNIA\",\"shadowserver.servername\":\"MAIL\"}}",
            "6 INVALID_FIELD tag: \"exchange\" names no CVE and no webshell",
            "7 INVALID_FIELD timestamp: \"2021-03-12T17:05:00Z\" is not yyyy-MM-dd HH:mm:ss (UTC)",
            "8 INVALID_FIELD asn: \"AS7018\" is not an integer",
            "9 INVALID_FIELD row has 7 cells, the header has 15 cells",
            "10 INVALID_FIELD ip: \"192.0.2.300\" is not an IPv4 or IPv6 literal (host names are"
                + " never resolved)",
            "11 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-13T09:00:00.000Z\","
                + "\"ip\":\"2001:db8::20\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"BE\",\"asn\":5432,"
                + "\"compromised\":false,\"port\":443,\"hostname\":\"mail.example.be\","
                + EXCHANGE
                + "\"productVersion\":\"15.1.2176\",\"attributes\":{"
                + "\"shadowserver.city\":\"BRUSSELS\",\"shadowserver.region\":\"BRUSSELS\","
                + "\"shadowserver.servername\":\"EXCH-BE\"}}");
  }

  @Test
  void shouldGiveEveryEventOfARowThatRowsPositionAndBytes() throws Exception {
    List<FormatReader.ReadResult> results = read(format, resource("shadowserver-exchange.csv"));

    String row =
        "\"2021-03-10 04:12:41\",\"192.0.2.11\",443,,"
            + "\"exchange;cve-2021-26855;cve-2021-27065\",3320,\"DE\",\"HESSEN\",\"FRANKFURT AM MAIN\","
            + ",,,\"15.2.721\",\"MX2\",";
    assertThat(results.subList(1, 3))
        .allSatisfy(
            result -> {
              assertThat(result.position()).isEqualTo(3);
              assertThat(text(result.original())).isEqualTo(row);
            });
  }

  @Test
  void shouldMapWebshellTagToCompromised() throws Exception {
    String input =
        "timestamp,ip,tag\n"
            + "2021-03-12 17:03:15,192.0.2.13,exchange;webshell;cve-2021-26855\n"
            + "2021-03-12 17:03:16,192.0.2.14,exchange;cve-2021-26855\n";

    assertThat(renderRead(format, utf8(input)))
        .containsExactly(
            "2 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-12T17:03:15.000Z\","
                + "\"ip\":\"192.0.2.13\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":true,"
                + EXCHANGE.substring(0, EXCHANGE.length() - 1)
                + "}",
            "3 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-12T17:03:16.000Z\","
                + "\"ip\":\"192.0.2.14\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false,"
                + EXCHANGE.substring(0, EXCHANGE.length() - 1)
                + "}");
  }

  @Test
  void shouldFindColumnsByNameInAnyOrderAndIgnoreColumnsItDoesNotKnow() throws Exception {
    String input =
        "\"tag\",\"protocol\",\"ip\",\"device_vendor\",\"timestamp\",\"geo\"\n"
            + "\"exchange;cve-2021-26855\",\"tcp\",\"192.0.2.40\",\"Microsoft\","
            + "\"2021-03-14 06:00:00\",\"FR\"\n";

    assertThat(renderRead(format, utf8(input)))
        .containsExactly(
            "2 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-14T06:00:00.000Z\","
                + "\"ip\":\"192.0.2.40\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"FR\",\"asn\":0,\"compromised\":false,"
                + EXCHANGE.substring(0, EXCHANGE.length() - 1)
                + "}");
  }

  @Test
  void shouldReadAQuotedHeaderAfterAByteOrderMark() throws Exception {
    String input =
        "\uFEFF\"timestamp\",\"ip\",\"tag\"\n"
            + "\"2021-03-14 06:00:00\",\"192.0.2.41\",\"exchange;cve-2021-26855\"\n";

    assertThat(renderRead(format, utf8(input)))
        .containsExactly(
            "2 {\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-14T06:00:00.000Z\","
                + "\"ip\":\"192.0.2.41\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\",\"country\":\"ZZ\",\"asn\":0,\"compromised\":false,"
                + EXCHANGE.substring(0, EXCHANGE.length() - 1)
                + "}");
  }

  @Test
  void shouldFailWhenTheHeaderLacksARequiredColumn() {
    assertThatThrownBy(() -> read(format, utf8("\"timestamp\",\"ip\",\"port\",\"geo\"\n")))
        .isInstanceOf(IOException.class)
        .hasMessage("header row: missing required column tag");
  }

  @Test
  void shouldRejectATimestampThatIsNoRealDate() throws Exception {
    String input = "timestamp,ip,tag\n2021-02-29 10:00:00,192.0.2.1,cve-2021-26855\n";

    assertThat(renderRead(format, utf8(input)))
        .containsExactly(
            "2 INVALID_FIELD timestamp: \"2021-02-29 10:00:00\" is not yyyy-MM-dd HH:mm:ss (UTC)");
  }
}
