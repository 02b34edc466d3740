package dev.patchwatch.scanner.format;

import static dev.patchwatch.scanner.format.Formats.read;
import static dev.patchwatch.scanner.format.Formats.records;
import static dev.patchwatch.scanner.format.Formats.renderRead;
import static dev.patchwatch.scanner.format.Formats.resource;
import static dev.patchwatch.scanner.format.Formats.text;
import static dev.patchwatch.scanner.format.Formats.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NmapFormatTest {

  private static final String NO_GEO = "\"country\":\"ZZ\",\"asn\":0,\"compromised\":false,";

  private final NmapFormat format = new NmapFormat();

  @Test
  void shouldMapEveryHostOfTheScanAndReportEachUnmappedOneAtItsLine() throws Exception {
    assertThat(renderRead(format, resource("nmap-proxylogon.xml")))
        .containsExactly(
            "9 {\"scanner\":\"nmap\",\"observedAt\":\"2021-03-10T13:02:34.000Z\","
                + "\"ip\":\"192.0.2.10\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\","
                + NO_GEO
                + "\"port\":443,\"hostname\":\"mail.example.com\"}",
            // NOT VULNERABLE is in the file because the scan ran with vulns.showall
            "39 {\"scanner\":\"nmap\",\"observedAt\":\"2021-03-10T13:02:34.000Z\","
                + "\"ip\":\"192.0.2.11\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"PATCHED\","
                + NO_GEO
                + "\"port\":443,\"hostname\":\"owa.example.net\"}",
            // line 60, a host that is down, yields nothing
            "63 INVALID_FIELD no http-vuln-cve2021-26855 result (443/tcp closed, 8443/tcp closed)",
            "72 {\"scanner\":\"nmap\",\"observedAt\":\"2021-03-10T13:02:40.000Z\","
                + "\"ip\":\"192.0.2.14\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\","
                + NO_GEO
                + "\"port\":443,\"hostname\":\"exchange.example.org\","
                + "\"attributes\":{\"nmap.confidence\":\"likely\"}}",
            // one event per port with a result
            "89 {\"scanner\":\"nmap\",\"observedAt\":\"2021-03-10T13:02:40.000Z\","
                + "\"ip\":\"192.0.2.15\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\","
                + NO_GEO
                + "\"port\":443}",
            "89 {\"scanner\":\"nmap\",\"observedAt\":\"2021-03-10T13:02:40.000Z\","
                + "\"ip\":\"192.0.2.15\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\","
                + NO_GEO
                + "\"port\":8443}",
            "112 INVALID_FIELD host timed out (--host-timeout): no http-vuln-cve2021-26855 result",
            "118 INVALID_FIELD http-vuln-cve2021-26855 on port 443/tcp gave no vulnerability"
                + " table (output \"ERROR: Script execution failed (use -d to debug)\")");
  }

  @Test
  void shouldKeepTheHostElementAsTheOriginal() throws Exception {
    List<FormatReader.ReadResult> results = read(format, resource("nmap-proxylogon.xml"));

    String original = text(results.get(0).original());
    assertThat(original)
        .startsWith(
            "<host starttime=\"1615381354\" endtime=\"1615381360\"><status state=\"up\""
                + " reason=\"echo-reply\" reason_ttl=\"113\"></status>\n"
                + "<address addr=\"192.0.2.10\" addrtype=\"ipv4\"></address>")
        .contains("<elem key=\"state\">VULNERABLE</elem>")
        .endsWith("</host>")
        .doesNotContain("192.0.2.11");
  }

  @Test
  void shouldHintAtShowallWhenAnOpenPortHasNoResult() throws Exception {
    String xml =
        scan(
            "<host starttime=\"1615381354\" endtime=\"1615381360\">"
                + "<status state=\"up\" reason=\"syn-ack\" reason_ttl=\"113\"/>\n"
                + "<address addr=\"192.0.2.20\" addrtype=\"ipv4\"/>\n"
                + "<ports><port protocol=\"tcp\" portid=\"443\"><state state=\"open\" reason=\"syn-ack\""
                + " reason_ttl=\"113\"/><service name=\"https\" method=\"table\" conf=\"3\"/></port>\n"
                + "</ports>\n</host>\n");

    assertThat(renderRead(format, utf8(xml)))
        .containsExactly(
            "7 INVALID_FIELD no http-vuln-cve2021-26855 result (443/tcp open); NOT VULNERABLE is"
                + " written only with --script-args vulns.showall");
  }

  @Test
  void shouldMapEveryVerdictOfTheVulnsLibrary() throws Exception {
    String xml =
        scan(
            host("192.0.2.21", "VULNERABLE (DoS)")
                + host("192.0.2.22", "VUNERABLE (DoS)")
                + host("192.0.2.23", "UNKNOWN (unable to test)"));

    assertThat(renderRead(format, utf8(xml)))
        .extracting(
            line -> line.replaceAll("\\{.*\"ip\":\"([^\"]+)\".*\"status\":\"(\\w+)\".*", "$1 $2"))
        .containsExactly(
            "7 192.0.2.21 VULNERABLE",
            "9 192.0.2.22 VULNERABLE",
            "11 INVALID_FIELD http-vuln-cve2021-26855 on port 443/tcp: state"
                + " \"UNKNOWN (unable to test)\" is not a verdict");
  }

  @Test
  void shouldReadAnIpv6HostAndFallBackToTheScanStartForItsTime() throws Exception {
    String xml =
        scan(
            "<host><status state=\"up\" reason=\"user-set\" reason_ttl=\"0\"/>\n"
                + "<address addr=\"2001:db8:0:0::10\" addrtype=\"ipv6\"/>\n"
                + "<address addr=\"00:50:56:AB:CD:EF\" addrtype=\"mac\" vendor=\"VMware\"/>\n"
                + "<hostnames>\n<hostname name=\"mail6.example.com\" type=\"user\"/>\n"
                + "<hostname name=\"ptr.example.com\" type=\"PTR\"/>\n</hostnames>\n"
                + ports("443", "VULNERABLE")
                + "</host>\n");

    assertThat(renderRead(format, utf8(xml)))
        .containsExactly(
            "7 {\"scanner\":\"nmap\",\"observedAt\":\"2021-03-10T13:02:33.000Z\","
                + "\"ip\":\"2001:db8::10\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\","
                + NO_GEO
                + "\"port\":443,\"hostname\":\"mail6.example.com\"}");
  }

  @Test
  void shouldReportWhereATruncatedFileStopsAfterTheHostsBeforeIt() throws Exception {
    byte[] sample = resource("nmap-proxylogon.xml");
    String cut = text(sample);
    cut = cut.substring(0, cut.indexOf("<address addr=\"192.0.2.14\""));

    assertThat(renderRead(format, utf8(cut)))
        .extracting(line -> line.length() > 40 && line.contains("{") ? line.substring(0, 3) : line)
        .containsExactly(
            "9 {",
            "39 ",
            "63 INVALID_FIELD no http-vuln-cve2021-26855 result (443/tcp closed, 8443/tcp closed)",
            "72 INVALID_FIELD XML is not well-formed at line 73, column 1: XML document"
                + " structures must start and end within the same entity; the rest of the file"
                + " is not read");
  }

  @Test
  void shouldReportBytesThatAreNotUtf8AsTheEndOfTheReadableFile() throws Exception {
    String xml =
        scan(
            host("192.0.2.31", "VULNERABLE")
                + host("192.0.2.32", "VULNERABLE")
                + host("192.0.2.33", "VULNERABLE"));
    byte[] input = utf8(xml.replace("192.0.2.32", "192.0.2.3?"));
    int at = xml.indexOf("192.0.2.32") + "192.0.2.3".length();
    input[at] = (byte) 0xFF;

    assertThat(renderRead(format, input))
        .containsExactly(
            "7 {\"scanner\":\"nmap\",\"observedAt\":\"2021-03-10T13:02:34.000Z\","
                + "\"ip\":\"192.0.2.31\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"status\":\"VULNERABLE\","
                + NO_GEO
                + "\"port\":443}",
            // the second host starts on line 9; the bad byte is its 95th character
            "9 INVALID_FIELD XML is not well-formed at line 9, column 95: bytes that are not"
                + " UTF-8 at byte offset "
                + at
                + "; the rest of the file is not read");
  }

  @Test
  void shouldRefuseADoctypeThatDeclaresAnEntityWithoutReadingIt(@TempDir Path dir)
      throws Exception {
    Path secret = Files.writeString(dir.resolve("secret.txt"), "TOP-SECRET");
    String xml =
        "<?xml version=\"1.0\"?>\n"
            + "<!DOCTYPE nmaprun [<!ENTITY xxe SYSTEM \""
            + secret.toUri()
            + "\">]>\n"
            + "<nmaprun start=\"1615381353\">"
            + host("192.0.2.30", "VULNERABLE")
            + "<!-- &xxe; -->\n<runstats>&xxe;</runstats></nmaprun>\n";
    List<SourceRecord> records = new ArrayList<>();

    assertThatThrownBy(() -> format.read(new ByteArrayInputStream(utf8(xml)), records::add))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("refusing a DOCTYPE with declarations or an external DTD")
        .hasMessageNotContaining("TOP-SECRET");
    assertThat(records).isEmpty();
  }

  @Test
  void shouldNeverFetchAnExternalDtd() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          byte[] dtd = "<!ENTITY leak \"LEAKED\">".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, dtd.length);
          exchange.getResponseBody().write(dtd);
          exchange.close();
        });
    server.start();
    try {
      String xml =
          "<?xml version=\"1.0\"?>\n<!DOCTYPE nmaprun SYSTEM \"http://"
              + server.getAddress().getHostString()
              + ":"
              + server.getAddress().getPort()
              + "/nmap.dtd\">\n<nmaprun start=\"1615381353\"><host>&leak;</host></nmaprun>\n";

      assertThatThrownBy(() -> records(format, utf8(xml)))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("refusing a DOCTYPE with declarations or an external DTD");
      assertThat(requests).hasValue(0);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void shouldRefuseEntityExpansionBombs() {
    String xml =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE nmaprun [\n"
            + "<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
            + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n<nmaprun>&c;</nmaprun>\n";

    assertThatThrownBy(() -> records(format, utf8(xml)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("refusing a DOCTYPE");
  }

  @Test
  void shouldFailOnAFileThatIsNotNmapXml() {
    assertThatThrownBy(() -> records(format, utf8("<?xml version=\"1.0\"?>\n<report/>\n")))
        .isInstanceOf(IOException.class)
        .hasMessage("not nmap XML output (-oX): the root element is <report>, not <nmaprun>");
    assertThatThrownBy(() -> records(format, utf8("Starting Nmap 7.91 ( https://nmap.org )\n")))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("not nmap XML output: line 1, column 1: ");
    assertThatThrownBy(() -> records(format, new byte[0]))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("not nmap XML output: ");
  }

  /** An nmap run around {@code hosts}; the first host starts on line 7. */
  private static String scan(String hosts) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<!DOCTYPE nmaprun>\n"
        + "<?xml-stylesheet href=\"file:///usr/bin/../share/nmap/nmap.xsl\" type=\"text/xsl\"?>\n"
        + "<nmaprun scanner=\"nmap\" args=\"nmap -p 443 -&#45;script http-vuln-cve2021-26855"
        + " 192.0.2.0/24\" start=\"1615381353\" version=\"7.91\" xmloutputversion=\"1.05\">\n"
        + "<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"1\" services=\"443\"/>\n"
        + "<verbose level=\"0\"/>\n"
        + hosts
        + "<runstats><finished time=\"1615381451\" elapsed=\"98.21\" exit=\"success\"/>"
        + "</runstats>\n</nmaprun>\n";
  }

  /** A two-line host with one result in {@code state}. */
  private static String host(String ip, String state) {
    return "<host starttime=\"1615381354\" endtime=\"1615381360\"><status state=\"up\"/>"
        + "<address addr=\""
        + ip
        + "\" addrtype=\"ipv4\"/>\n"
        + ports("443", state)
        + "</host>\n";
  }

  private static String ports(String port, String state) {
    return "<ports><port protocol=\"tcp\" portid=\""
        + port
        + "\"><state state=\"open\"/>"
        + "<script id=\"http-vuln-cve2021-26855\" output=\"...\"><table key=\"CVE-2021-26855\">"
        + "<elem key=\"title\">Exchange Server SSRF Vulnerability</elem>"
        + "<elem key=\"state\">"
        + state
        + "</elem>"
        + "<table key=\"ids\"><elem>CVE:CVE-2021-26855</elem></table></table></script></port>"
        + "</ports>";
  }
}
