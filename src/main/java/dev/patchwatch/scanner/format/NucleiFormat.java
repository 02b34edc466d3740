package dev.patchwatch.scanner.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.IpAddresses;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Nuclei's JSON Lines output ({@code -jsonl}, {@code -json} before v3): one result object per line.
 *
 * <ul>
 *   <li>vulnerability: each id of {@code info.classification.cve-id} (an array, or a string that
 *       may list several, comma-separated, as Nuclei's own reader accepts), one event per id; if
 *       there is none, {@code template-id} when it is a CVE id, else the line is not mapped.
 *   <li>ip: {@code ip}, else the host of {@code host} if it is an IP literal; a host name is never
 *       resolved, so a line with neither is not mapped. A host name in {@code host} becomes {@code
 *       hostname}. {@code host} is a URL in Nuclei 2 and a bare host in Nuclei 3.
 *   <li>port: {@code port} (a string in Nuclei's output, an integer accepted), else the port of
 *       {@code host}, else the default port of its scheme (443 for https, 80 for http), which is
 *       how Nuclei 3 fills {@code port} itself.
 *   <li>observedAt: {@code timestamp} (RFC 3339 with nanoseconds and an offset), as is.
 *   <li>status: a match ({@code matcher-status} true, or absent as it is unless Nuclei runs with
 *       {@code -matcher-status}) is VULNERABLE. A non-match is PATCHED by default, or another
 *       status, or skipped: see {@link #nonMatchesAs} and {@link #skippingNonMatches}. A non-match
 *       that carries an {@code error} (connection refused, timeout) proves nothing about patching
 *       and is UNREACHABLE whatever the non-match status, unless non-matches are skipped.
 *   <li>attributes: {@code nuclei.template-id}, {@code nuclei.matched-at}, {@code nuclei.error}
 *       when present.
 * </ul>
 *
 * <p>Nuclei before v2.5.3 (October 2021, so during the ProxyLogon weeks) wrote {@code templateID}
 * and {@code matched} instead of {@code template-id} and {@code matched-at}, and no {@code
 * classification}; both spellings are read, so that output maps through its template id.
 */
public final class NucleiFormat implements InputFormat {

  static final String SCANNER = "nuclei";

  private static final Pattern CVE =
      Pattern.compile("CVE-\\d{4}-\\d{4,}", Pattern.CASE_INSENSITIVE);

  /** Empty: non-matches are skipped. */
  private final Optional<ScanStatus> nonMatch;

  /** Non-matches are PATCHED; the instance {@link java.util.ServiceLoader} makes. */
  public NucleiFormat() {
    this(Optional.of(ScanStatus.PATCHED));
  }

  private NucleiFormat(Optional<ScanStatus> nonMatch) {
    this.nonMatch = nonMatch;
  }

  /**
   * Reports non-matches ({@code matcher-status} false) with {@code status}, e.g. UNREACHABLE when a
   * template's non-match cannot be told apart from a host that did not answer.
   *
   * @throws IllegalArgumentException if {@code status} is VULNERABLE: a non-match is never that
   */
  public static NucleiFormat nonMatchesAs(ScanStatus status) {
    Objects.requireNonNull(status, "status");
    if (status == ScanStatus.VULNERABLE) {
      throw new IllegalArgumentException("a non-match cannot be reported as VULNERABLE");
    }
    return new NucleiFormat(Optional.of(status));
  }

  /** Skips non-matches: they yield no record, as if Nuclei ran without {@code -matcher-status}. */
  public static NucleiFormat skippingNonMatches() {
    return new NucleiFormat(Optional.empty());
  }

  @Override
  public String name() {
    return "nuclei";
  }

  @Override
  public String description() {
    return "Nuclei JSON Lines output (-jsonl); CVE ids from info.classification.cve-id";
  }

  @Override
  public void read(InputStream in, RecordSink sink) throws IOException {
    read(in, sink, new EventContract(Clock.systemUTC()));
  }

  @Override
  public void read(InputStream in, RecordSink sink, EventContract contract) throws IOException {
    Lines lines = new Lines(in, contract.maxEventBytes());
    for (byte[] line = lines.next(); line != null; line = lines.next()) {
      ObjectNode result = JsonLines.object(lines, line, contract.maxEventBytes(), sink);
      if (result != null) {
        map(lines.number(), line, result, sink);
      }
    }
  }

  private void map(long position, byte[] line, ObjectNode result, RecordSink sink) {
    JsonNode matcherStatus = result.path("matcher-status");
    if (!matcherStatus.isMissingNode() && !matcherStatus.isBoolean()) {
      sink.accept(
          invalid(
              position,
              line,
              "matcher-status: expected a JSON boolean, got " + JsonLines.describe(matcherStatus)));
      return;
    }
    String error = text(result, "error");
    Optional<ScanStatus> status = status(matcherStatus, error);
    if (status.isEmpty()) {
      return;
    }
    String templateId = text(result, "template-id", "templateID");
    List<String> cves = new ArrayList<>();
    String problem = cves(result, templateId, cves);
    if (problem != null) {
      sink.accept(invalid(position, line, problem));
      return;
    }
    Host host = Host.parse(text(result, "host"));
    String ip = ip(result, host);
    if (ip == null) {
      sink.accept(invalid(position, line, noIp(host)));
      return;
    }
    JsonNode timestamp = result.get("timestamp");
    if (timestamp == null) {
      sink.accept(
          new SourceRecord.Unmapped(
              position, line, RejectReason.MISSING_FIELD, "timestamp: required, but missing"));
      return;
    }

    ObjectNode event = JsonLines.MAPPER.createObjectNode();
    event.put("scanner", SCANNER);
    // as is: the contract reads RFC 3339 with nanoseconds and offset, and reports anything else
    event.set("observedAt", timestamp);
    event.put("ip", ip);
    event.putNull("vulnerability");
    event.put("status", status.get().name());
    problem = putPort(event, result.path("port"), host);
    if (problem != null) {
      sink.accept(invalid(position, line, problem));
      return;
    }
    if (host != null && !host.isIp()) {
      event.put("hostname", host.name());
    }
    putAttributes(event, result, templateId, status.get() == ScanStatus.VULNERABLE ? null : error);
    for (String cve : cves) {
      ObjectNode copy = event.deepCopy();
      copy.put("vulnerability", cve);
      sink.accept(new SourceRecord.Mapped(position, line, copy));
    }
  }

  /**
   * VULNERABLE for a match; for a non-match UNREACHABLE if it carries an error, else the non-match
   * status, or empty when non-matches are skipped.
   */
  private Optional<ScanStatus> status(JsonNode matcherStatus, String error) {
    if (matcherStatus.isMissingNode() || matcherStatus.booleanValue()) {
      return Optional.of(ScanStatus.VULNERABLE);
    }
    return nonMatch.map(status -> error != null ? ScanStatus.UNREACHABLE : status);
  }

  /**
   * Adds the result's CVE ids to {@code cves}: those of its classification, else its template id if
   * that is a CVE id; else what is wrong.
   */
  private static String cves(ObjectNode result, String templateId, List<String> cves) {
    String problem = cves(result.path("info").path("classification").path("cve-id"), cves);
    if (problem != null || !cves.isEmpty()) {
      return problem;
    }
    if (templateId == null || !CVE.matcher(templateId).matches()) {
      return "no CVE id: info.classification.cve-id is absent and template-id "
          + (templateId == null ? "is absent" : Text.quote(templateId) + " is not one");
    }
    cves.add(templateId.toUpperCase(Locale.ROOT));
    return null;
  }

  /** {@code ip}, else the host of {@code host} if it is an IP literal, else null. */
  private static String ip(ObjectNode result, Host host) {
    String ip = text(result, "ip");
    if (ip == null && host != null && host.isIp()) {
      ip = host.name();
    }
    return ip;
  }

  private static String noIp(Host host) {
    return "no IP address: ip is absent and host "
        + (host == null ? "is absent" : Text.quote(host.name()) + " is a host name")
        + " (host names are never resolved)";
  }

  /** Puts the port from {@code port}, else from {@code host}, if any; else what is wrong. */
  private static String putPort(ObjectNode event, JsonNode port, Host host) {
    if (port.isTextual() && !port.textValue().isEmpty()) {
      Number number = CsvRecords.integer(port.textValue());
      if (number == null) {
        return "port: " + Text.quote(port.textValue()) + " is not an integer";
      }
      CsvRecords.putInteger(event, "port", number);
    } else if (!port.isMissingNode() && !port.isTextual()) {
      // an integer goes through as is; anything else the contract reports as the wrong type
      event.set("port", port);
    } else if (host != null && host.port() != null) {
      event.put("port", host.port());
    }
    return null;
  }

  /** Puts the attributes the result has, {@code error} only if given; none, no attributes. */
  private static void putAttributes(
      ObjectNode event, ObjectNode result, String templateId, String error) {
    ObjectNode attributes = event.putObject("attributes");
    putIfPresent(attributes, "nuclei.template-id", templateId);
    putIfPresent(attributes, "nuclei.matched-at", text(result, "matched-at", "matched"));
    putIfPresent(attributes, "nuclei.error", error);
    if (attributes.isEmpty()) {
      event.remove("attributes");
    }
  }

  /** Adds the ids in {@code node} to {@code cves}, upper-cased, once each; else what is wrong. */
  private static String cves(JsonNode node, List<String> cves) {
    List<String> ids = new ArrayList<>();
    if (node.isTextual()) {
      ids.addAll(List.of(node.textValue().split(",")));
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        if (!item.isTextual()) {
          return "info.classification.cve-id: expected strings, got " + JsonLines.describe(item);
        }
        ids.add(item.textValue());
      }
    } else if (!node.isMissingNode() && !node.isNull()) {
      return "info.classification.cve-id: expected a string or an array of strings, got "
          + JsonLines.describe(node);
    }
    Set<String> unique = new LinkedHashSet<>();
    for (String id : ids) {
      // Nuclei writes ids lower-cased; the contract upper-cases, but duplicates must meet here
      String trimmed = id.strip().toUpperCase(Locale.ROOT);
      if (!trimmed.isEmpty()) {
        unique.add(trimmed);
      }
    }
    cves.addAll(unique);
    return null;
  }

  /** The non-empty string value of {@code field}, or null. */
  private static String text(ObjectNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() && !value.textValue().isEmpty()
        ? value.textValue()
        : null;
  }

  /** {@link #text} of {@code field}, else of the name Nuclei gave it before v2.5.3. */
  private static String text(ObjectNode node, String field, String legacyField) {
    String value = text(node, field);
    return value != null ? value : text(node, legacyField);
  }

  private static void putIfPresent(ObjectNode node, String key, String value) {
    if (value != null) {
      node.put(key, value);
    }
  }

  private static SourceRecord.Unmapped invalid(long position, byte[] line, String message) {
    return new SourceRecord.Unmapped(position, line, RejectReason.INVALID_FIELD, message);
  }

  /**
   * The host part of Nuclei's {@code host}: a URL ({@code https://mail.example.com:8443/owa}) or a
   * bare {@code host[:port]}, IPv6 in brackets. Parsed by hand because {@link java.net.URI} gives
   * no host for names it deems invalid (an underscore, say), which scanners do meet.
   *
   * @param port the explicit port, else the scheme's default, else null
   */
  record Host(String name, Integer port) {

    static Host parse(String text) {
      if (text == null) {
        return null;
      }
      String rest = text.strip();
      Integer defaultPort = null;
      int scheme = rest.indexOf("://");
      if (scheme >= 0) {
        String name = rest.substring(0, scheme).toLowerCase(Locale.ROOT);
        defaultPort =
            name.equals("https")
                ? Integer.valueOf(443)
                : name.equals("http") ? Integer.valueOf(80) : null;
        rest = rest.substring(scheme + 3);
      }
      int end = rest.length();
      for (char stop : new char[] {'/', '?', '#'}) {
        int at = rest.indexOf(stop);
        if (at >= 0 && at < end) {
          end = at;
        }
      }
      rest = rest.substring(0, end);
      rest = rest.substring(rest.lastIndexOf('@') + 1);
      String host = rest;
      String port = null;
      if (rest.startsWith("[")) {
        int close = rest.indexOf(']');
        if (close > 0) {
          host = rest.substring(1, close);
          if (rest.startsWith(":", close + 1)) {
            port = rest.substring(close + 2);
          }
        }
      } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
        // one colon is host:port; several are a bare IPv6 literal
        host = rest.substring(0, rest.indexOf(':'));
        port = rest.substring(rest.indexOf(':') + 1);
      }
      if (host.isEmpty()) {
        return null;
      }
      Integer number = defaultPort;
      if (port != null && CsvRecords.isDigits(port) && port.length() <= 5) {
        number = Integer.valueOf(port);
      }
      return new Host(host, number);
    }

    boolean isIp() {
      return IpAddresses.canonical(name).isPresent();
    }
  }
}
