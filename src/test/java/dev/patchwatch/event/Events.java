package dev.patchwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.ScanEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Shared fixtures: a fixed clock, valid JSON events to break one field at a time, and assertions.
 */
final class Events {

  /** "Now" for every test: the ProxyLogon wave is well under way. */
  static final Instant NOW = Instant.parse("2021-03-20T12:00:00Z");

  static final EventContract CONTRACT = new EventContract(Clock.fixed(NOW, ZoneOffset.UTC));

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Events() {}

  /** A valid event with the required fields only. */
  static ObjectNode minimal() {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("scanner", "shadowserver");
    node.put("observedAt", "2021-03-09T10:00:00Z");
    node.put("ip", "203.0.113.7");
    node.put("vulnerability", "CVE-2021-26855");
    node.put("status", "VULNERABLE");
    return node;
  }

  /** A valid event with every field. */
  static ObjectNode full() {
    ObjectNode node = minimal();
    node.put("country", "FR");
    node.put("asn", 16276);
    node.put("compromised", true);
    node.put("eventId", "scan-42");
    node.put("port", 443);
    node.put("hostname", "mail.example.fr");
    node.put("product", "Microsoft Exchange");
    node.put("productVersion", "15.1.2176.2");
    node.putObject("attributes").put("owa", "/owa/auth/x.js").put("tag", "proxylogon");
    return node;
  }

  static Parsed parse(ObjectNode node) {
    return CONTRACT.parseJson(node.toString());
  }

  /** The event, failing with the rejection message if there was one. */
  static ScanEvent accepted(Parsed parsed) {
    assertThat(parsed)
        .as("expected a valid event, got %s", parsed)
        .isInstanceOf(Parsed.Valid.class);
    return ((Parsed.Valid) parsed).event();
  }

  static Parsed.Invalid rejected(Parsed parsed) {
    assertThat(parsed)
        .as("expected a rejection, got %s", parsed)
        .isInstanceOf(Parsed.Invalid.class);
    Parsed.Invalid invalid = (Parsed.Invalid) parsed;
    assertThat(invalid.message()).as("message on one line").doesNotContain("\n", "\r");
    return invalid;
  }

  static String repeat(char c, int count) {
    return String.valueOf(c).repeat(count);
  }
}
