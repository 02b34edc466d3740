package dev.patchwatch.scanner.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

/**
 * Nmap XML output ({@code -oX}) of the {@code http-vuln-cve2021-26855} NSE script (Microsoft's
 * CSS-Exchange script, built on nmap's {@code vulns} library). A record is a {@code <host>}
 * element; its position is the line of its start tag.
 *
 * <p>Each script result on a port gives one event: the {@code vulns} library writes one {@code
 * <table key="CVE-…">} per vulnerability, with an {@code <elem key="state">}. {@code VULNERABLE},
 * {@code VULNERABLE (Exploitable)} and {@code VULNERABLE (DoS)} are VULNERABLE, {@code LIKELY
 * VULNERABLE} is VULNERABLE with the attribute {@code nmap.confidence=likely}, {@code NOT
 * VULNERABLE} is PATCHED. observedAt is the host's {@code starttime} (epoch seconds), or the scan's
 * {@code start} when the host has none; ip the host's IPv4 or IPv6 address, hostname its first
 * name, port the port's number.
 *
 * <p>A host nmap reports as down (listed only with {@code -v}) is skipped: it was never probed for
 * the vulnerability, and as UNREACHABLE it would add every unused address of a scanned range to the
 * counts. A host that is up but has no result for the script (port closed or filtered, or not
 * vulnerable: the library writes NOT VULNERABLE only with {@code --script-args vulns.showall}), or
 * that timed out, is reported as not mapped.
 *
 * <p>Read with the JDK's StAX parser, DTDs and external entities off; a DOCTYPE other than the bare
 * {@code <!DOCTYPE nmaprun>} nmap writes fails the file, so no entity can be expanded. XML that
 * stops being well-formed (an interrupted scan leaves a truncated file) ends the reading with one
 * record saying so, after the hosts before it.
 */
public final class NmapFormat implements InputFormat {

  static final String SCANNER = "nmap";
  static final String SCRIPT = "http-vuln-cve2021-26855";

  private static final Pattern CVE =
      Pattern.compile("CVE-\\d{4}-\\d{4,}", Pattern.CASE_INSENSITIVE);
  private static final Pattern NMAP_DOCTYPE = Pattern.compile("<!DOCTYPE\\s+nmaprun\\s*>");

  @Override
  public String name() {
    return "nmap";
  }

  @Override
  public String description() {
    return "nmap XML output (-oX) of the " + SCRIPT + " NSE script";
  }

  @Override
  public void read(InputStream in, RecordSink sink) throws IOException {
    XMLStreamReader reader;
    try {
      // decoded here rather than by the parser (see StrictUtf8Reader); nmap writes only ASCII,
      // escaping every other byte, so the XML declaration's encoding never needs honouring
      reader = inputFactory().createXMLStreamReader(new StrictUtf8Reader(in));
    } catch (XMLStreamException e) {
      throw new IOException("not nmap XML output: " + problem(e), e);
    }
    try {
      new Document(reader, sink).read();
    } finally {
      try {
        reader.close();
      } catch (XMLStreamException e) {
        // closing a reader does not close the stream and releases nothing that can fail
      }
    }
  }

  private static XMLInputFactory inputFactory() {
    // the JDK's own implementation, whatever StAX provider the class path holds
    XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setProperty(XMLInputFactory.IS_COALESCING, true);
    return factory;
  }

  /** The parser's message without its location prefix, with the line and column. */
  private static String problem(XMLStreamException e) {
    String message = String.valueOf(e.getMessage());
    int at = message.indexOf("Message: ");
    String text = Text.clip(at >= 0 ? message.substring(at + "Message: ".length()) : message);
    if (text.endsWith(".")) {
      text = text.substring(0, text.length() - 1);
    }
    Location location = e.getLocation();
    return location == null || location.getLineNumber() < 0
        ? text
        : "line "
            + location.getLineNumber()
            + ", column "
            + location.getColumnNumber()
            + ": "
            + text;
  }

  /** One pass over a document, reporting each host as it ends. */
  private static final class Document {

    private final XMLStreamReader r;
    private final RecordSink sink;
    private final XMLOutputFactory output = XMLOutputFactory.newDefaultFactory();
    private boolean rootSeen;
    private Host host;

    Document(XMLStreamReader r, RecordSink sink) {
      this.r = r;
      this.sink = sink;
    }

    void read() throws IOException {
      try {
        readRoot();
        String scanStart = r.getAttributeValue(null, "start");
        int depth = 1;
        while (r.hasNext()) {
          int event = r.next();
          if (event == XMLStreamConstants.START_ELEMENT) {
            if (depth == 1 && r.getLocalName().equals("host")) {
              host = new Host(r.getLocation().getLineNumber());
              host.read(r, output);
              host.records(scanStart).forEach(sink::accept);
              host = null;
            } else {
              depth++;
            }
          } else if (event == XMLStreamConstants.END_ELEMENT) {
            depth--;
          }
        }
      } catch (XMLStreamException e) {
        // the JDK reports I/O failures of the stream as parse errors; only bad bytes are content
        if (e.getNestedException() instanceof IOException io
            && !(io instanceof StrictUtf8Reader.NotUtf8Exception)) {
          throw io;
        }
        if (!rootSeen) {
          throw new IOException("not nmap XML output: " + problem(e), e);
        }
        Location location = e.getLocation();
        long line = host != null ? host.line : location != null ? location.getLineNumber() : 0;
        byte[] original = host != null ? host.original() : new byte[0];
        sink.accept(
            new SourceRecord.Unmapped(
                Math.max(line, 1),
                original,
                RejectReason.INVALID_FIELD,
                "XML is not well-formed at " + problem(e) + "; the rest of the file is not read"));
      }
    }

    private void readRoot() throws XMLStreamException, IOException {
      while (true) {
        if (!r.hasNext()) {
          throw new IOException("not nmap XML output: no root element");
        }
        int event = r.next();
        if (event == XMLStreamConstants.DTD && !NMAP_DOCTYPE.matcher(r.getText()).matches()) {
          throw new IOException(
              "refusing a DOCTYPE with declarations or an external DTD ("
                  + Text.quote(r.getText())
                  + "): nmap writes only <!DOCTYPE nmaprun>");
        }
        if (event == XMLStreamConstants.START_ELEMENT) {
          break;
        }
      }
      if (!r.getLocalName().equals("nmaprun")) {
        throw new IOException(
            "not nmap XML output (-oX): the root element is <"
                + r.getLocalName()
                + ">, not <nmaprun>");
      }
      rootSeen = true;
    }
  }

  /** What a {@code <host>} element says, gathered while it is read. */
  private static final class Host {

    final long line;
    private final StringWriter text = new StringWriter(2048);
    private XMLStreamWriter copy;

    private String startTime;
    private boolean timedOut;
    private String status;
    private String ip;
    private String hostname;
    private final List<Port> ports = new ArrayList<>();

    Host(long line) {
      this.line = line;
    }

    byte[] original() {
      if (copy == null) {
        return new byte[0];
      }
      try {
        copy.flush();
      } catch (XMLStreamException e) {
        // a StringWriter cannot fail; keep whatever text was written
      }
      return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads from the {@code <host>} start tag the reader is on to its end tag, copying what it
     * reads through {@code output} as the record's original text.
     */
    void read(XMLStreamReader r, XMLOutputFactory output) throws XMLStreamException {
      copy = output.createXMLStreamWriter(text);
      Cursor cursor = new Cursor();
      int event = XMLStreamConstants.START_ELEMENT;
      while (true) {
        if (event == XMLStreamConstants.START_ELEMENT) {
          copyStart(r);
          cursor.start(r);
        } else if (event == XMLStreamConstants.END_ELEMENT) {
          copy.writeEndElement();
          if (cursor.end()) {
            copy.flush();
            return;
          }
        } else if (event == XMLStreamConstants.CHARACTERS
            || event == XMLStreamConstants.CDATA
            || event == XMLStreamConstants.SPACE) {
          copy.writeCharacters(r.getText());
          cursor.characters(r.getText());
        }
        event = r.next();
      }
    }

    /**
     * Where the reading of the host is: the elements open, by level ({@code <host>} is 1), and the
     * port, script result, vulnerability and {@code <elem>} text being gathered.
     */
    private final class Cursor {
      private final Deque<String> path = new ArrayDeque<>();
      private Port port;
      private Script script;
      private Vulnerability vulnerability;
      private boolean inIds;
      private StringBuilder elem;
      private String elemKey;

      /** Takes what the start tag the reader is on says. */
      void start(XMLStreamReader r) {
        String name = r.getLocalName();
        String parent = path.peek();
        path.push(name);
        int level = path.size();
        if (level == 1) {
          startTime = r.getAttributeValue(null, "starttime");
          timedOut = "true".equals(r.getAttributeValue(null, "timedout"));
        } else if (level == 2 && name.equals("status")) {
          status = r.getAttributeValue(null, "state");
        } else if (level == 2 && name.equals("address")) {
          String type = r.getAttributeValue(null, "addrtype");
          if (ip == null && ("ipv4".equals(type) || "ipv6".equals(type))) {
            ip = r.getAttributeValue(null, "addr");
          }
        } else if (level == 3 && name.equals("hostname") && "hostnames".equals(parent)) {
          if (hostname == null) {
            hostname = r.getAttributeValue(null, "name");
          }
        } else if (level == 3 && name.equals("port") && "ports".equals(parent)) {
          port =
              new Port(r.getAttributeValue(null, "protocol"), r.getAttributeValue(null, "portid"));
        } else if (level == 4 && port != null && name.equals("state")) {
          port.state = r.getAttributeValue(null, "state");
        } else if (level == 4 && port != null && name.equals("script")) {
          if (SCRIPT.equals(r.getAttributeValue(null, "id"))) {
            script = new Script(r.getAttributeValue(null, "output"));
          }
        } else if (level == 5 && script != null && name.equals("table")) {
          vulnerability = new Vulnerability(r.getAttributeValue(null, "key"));
        } else if (level == 6 && vulnerability != null && name.equals("elem")) {
          elemKey = r.getAttributeValue(null, "key");
          elem = new StringBuilder();
        } else if (level == 6 && vulnerability != null && name.equals("table")) {
          inIds = "ids".equals(r.getAttributeValue(null, "key"));
        } else if (level == 7 && inIds && name.equals("elem")) {
          elemKey = null;
          elem = new StringBuilder();
        }
      }

      /** Files what the element that ends has gathered; true if it is the {@code <host>}. */
      boolean end() {
        int level = path.size();
        String name = path.pop();
        if (elem != null && name.equals("elem")) {
          if (level == 7) {
            vulnerability.ids.add(elem.toString().strip());
          } else if ("state".equals(elemKey)) {
            vulnerability.state = elem.toString().strip();
          }
          elem = null;
        } else if (level == 6 && name.equals("table")) {
          inIds = false;
        } else if (level == 5 && vulnerability != null) {
          script.vulnerabilities.add(vulnerability);
          vulnerability = null;
        } else if (level == 4 && script != null && name.equals("script")) {
          port.scripts.add(script);
          script = null;
        } else if (level == 3 && port != null && name.equals("port")) {
          ports.add(port);
          port = null;
        } else if (level == 1) {
          return true;
        }
        return false;
      }

      void characters(String content) {
        if (elem != null) {
          elem.append(content);
        }
      }
    }

    private void copyStart(XMLStreamReader r) throws XMLStreamException {
      copy.writeStartElement(r.getLocalName());
      for (int i = 0; i < r.getAttributeCount(); i++) {
        copy.writeAttribute(r.getAttributeLocalName(i), r.getAttributeValue(i));
      }
    }

    List<SourceRecord> records(String scanStart) {
      if ("down".equals(status)) {
        return List.of();
      }
      if (timedOut) {
        return List.of(unmapped("host timed out (--host-timeout): no " + SCRIPT + " result"));
      }
      Long observedAt = null;
      if (startTime != null && !CsvRecords.isDigits(startTime)) {
        return List.of(
            unmapped("host starttime: " + Text.quote(startTime) + " is not epoch seconds"));
      }
      // a host that was never scanned has starttime 0; the scan's start is then the best time
      for (String seconds : new String[] {startTime, scanStart}) {
        if (seconds != null && CsvRecords.isDigits(seconds)) {
          Number number = CsvRecords.integer(seconds);
          if (number instanceof Long value && value > 0 && value <= Long.MAX_VALUE / 1000) {
            observedAt = value * 1000;
            break;
          }
        }
      }
      List<SourceRecord> records = new ArrayList<>();
      for (Port port : ports) {
        for (Script script : port.scripts) {
          if (script.vulnerabilities.isEmpty()) {
            records.add(
                unmapped(
                    SCRIPT
                        + " on port "
                        + port.name()
                        + " gave no vulnerability table (output "
                        + Text.quote(String.valueOf(script.output).strip())
                        + ")"));
          }
          for (Vulnerability vulnerability : script.vulnerabilities) {
            records.add(record(observedAt, port, vulnerability));
          }
        }
      }
      if (records.isEmpty()) {
        records.add(unmapped(noResult()));
      }
      return records;
    }

    private String noResult() {
      if (ports.isEmpty()) {
        return "no " + SCRIPT + " result: no port reported (closed or filtered)";
      }
      String states =
          ports.stream().map(p -> p.name() + " " + p.state).collect(Collectors.joining(", "));
      boolean open = ports.stream().anyMatch(p -> "open".equals(p.state));
      return "no "
          + SCRIPT
          + " result ("
          + states
          + ")"
          + (open ? "; NOT VULNERABLE is written only with --script-args vulns.showall" : "");
    }

    private SourceRecord record(Long observedAt, Port port, Vulnerability vulnerability) {
      String where = SCRIPT + " on port " + port.name();
      String state = vulnerability.state;
      if (state == null) {
        return unmapped(where + ": no state");
      }
      String status;
      boolean likely = false;
      // "VUNERABLE (DoS)" (sic) is what the vulns library writes for a DoS that is also VULN
      switch (state) {
        case "VULNERABLE":
        case "VULNERABLE (Exploitable)":
        case "VULNERABLE (DoS)":
        case "VUNERABLE (DoS)":
          status = "VULNERABLE";
          break;
        case "LIKELY VULNERABLE":
          status = "VULNERABLE";
          likely = true;
          break;
        case "NOT VULNERABLE":
          status = "PATCHED";
          break;
        default:
          return unmapped(where + ": state " + Text.quote(state) + " is not a verdict");
      }
      String cve = vulnerability.cve();
      if (cve == null) {
        return unmapped(
            where + ": result " + Text.quote(String.valueOf(vulnerability.key)) + " names no CVE");
      }
      if (port.id == null || !CsvRecords.isDigits(port.id)) {
        return unmapped(
            where + ": portid " + Text.quote(String.valueOf(port.id)) + " is not a number");
      }
      ObjectNode event = JsonLines.MAPPER.createObjectNode();
      event.put("scanner", SCANNER);
      if (observedAt != null) {
        event.put("observedAt", observedAt.longValue());
      }
      if (ip != null) {
        event.put("ip", ip);
      }
      event.put("vulnerability", cve);
      event.put("status", status);
      CsvRecords.putInteger(event, "port", CsvRecords.integer(port.id));
      if (hostname != null && !hostname.isEmpty()) {
        event.put("hostname", hostname);
      }
      if (likely) {
        event.putObject("attributes").put("nmap.confidence", "likely");
      }
      return new SourceRecord.Mapped(line, original(), event);
    }

    private SourceRecord.Unmapped unmapped(String message) {
      return new SourceRecord.Unmapped(line, original(), RejectReason.INVALID_FIELD, message);
    }
  }

  private static final class Port {
    final String protocol;
    final String id;
    String state;
    final List<Script> scripts = new ArrayList<>();

    Port(String protocol, String id) {
      this.protocol = protocol;
      this.id = id;
    }

    String name() {
      return id + "/" + protocol;
    }
  }

  private static final class Script {
    final String output;
    final List<Vulnerability> vulnerabilities = new ArrayList<>();

    Script(String output) {
      this.output = output;
    }
  }

  private static final class Vulnerability {
    final String key;
    String state;
    final List<String> ids = new ArrayList<>();

    Vulnerability(String key) {
      this.key = key;
    }

    /**
     * The vulns library keys a result by its CVE id when it has one, else by another id ({@code
     * NMAP-1}); the ids table lists them all as {@code CVE:CVE-2021-26855}.
     */
    String cve() {
      if (key != null && CVE.matcher(key).matches()) {
        return key.toUpperCase(Locale.ROOT);
      }
      for (String id : ids) {
        if (id.regionMatches(true, 0, "CVE:", 0, 4) && CVE.matcher(id.substring(4)).matches()) {
          return id.substring(4).toUpperCase(Locale.ROOT);
        }
      }
      return null;
    }
  }
}
