package dev.patchwatch.event;

import static dev.patchwatch.event.Events.accepted;
import static dev.patchwatch.event.Events.full;
import static dev.patchwatch.event.Events.minimal;
import static dev.patchwatch.event.Events.parse;
import static dev.patchwatch.event.Events.rejected;
import static dev.patchwatch.event.Events.repeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.math.BigInteger;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventFieldsTest {

  private static Parsed.Invalid invalidField(ObjectNode node, String field) {
    Parsed.Invalid invalid = rejected(parse(node));
    assertThat(invalid.reason()).as(invalid.message()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message()).startsWith(field + ": ");
    return invalid;
  }

  private static Parsed.Invalid missingField(ObjectNode node, String field) {
    Parsed.Invalid invalid = rejected(parse(node));
    assertThat(invalid.reason()).as(invalid.message()).isEqualTo(RejectReason.MISSING_FIELD);
    return invalid;
  }

  @Test
  void shouldAcceptEventWithRequiredFieldsOnly() {
    ScanEvent event = accepted(parse(minimal()));
    assertThat(event.getScanner()).isEqualTo("shadowserver");
    assertThat(event.getObservedAt()).isEqualTo("2021-03-09T10:00:00Z");
    assertThat(event.getIp()).isEqualTo("203.0.113.7");
    assertThat(event.getVulnerability()).isEqualTo("CVE-2021-26855");
    assertThat(event.getStatus()).isEqualTo(ScanStatus.VULNERABLE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"scanner", "observedAt", "ip", "vulnerability", "status"})
  void shouldRejectMissingRequiredField(String field) {
    assertThat(missingField(minimal().without(field), field).message())
        .isEqualTo(field + ": required, but missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"scanner", "observedAt", "ip", "vulnerability", "status"})
  void shouldRejectNullRequiredFieldAsMissing(String field) {
    assertThat(missingField(minimal().putNull(field), field).message())
        .isEqualTo(field + ": required, but null");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "scanner",
        "ip",
        "vulnerability",
        "status",
        "country",
        "eventId",
        "hostname",
        "product",
        "productVersion"
      })
  void shouldRejectTextFieldGivenAsNumber(String field) {
    assertThat(invalidField(minimal().put(field, 42), field).message())
        .isEqualTo(field + ": expected a string, got number 42");
  }

  @Test
  void shouldKeepScannerAsGiven() {
    assertThat(accepted(parse(minimal().put("scanner", "Shadow_Server-1.0"))).getScanner())
        .isEqualTo("Shadow_Server-1.0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"shadow server", "scan/er", "sc\u00e9nner", "a:b", ""})
  void shouldRejectScannerOutsideItsPattern(String scanner) {
    invalidField(minimal().put("scanner", scanner), "scanner");
  }

  @Test
  void shouldAcceptScannerOf64Characters() {
    assertThat(accepted(parse(minimal().put("scanner", repeat('s', 64)))).getScanner()).hasSize(64);
  }

  @Test
  void shouldRejectScannerOf65Characters() {
    invalidField(minimal().put("scanner", repeat('s', 65)), "scanner");
  }

  @Test
  void shouldCanonicaliseIp() {
    assertThat(accepted(parse(minimal().put("ip", "2001:0DB8:0:0:0:0:0:1"))).getIp())
        .isEqualTo("2001:db8::1");
  }

  @Test
  void shouldStoreIpv4MappedIpAsIpv4() {
    assertThat(accepted(parse(minimal().put("ip", "::ffff:203.0.113.7"))).getIp())
        .isEqualTo("203.0.113.7");
  }

  @Test
  void shouldRejectHostNameInsteadOfIp() {
    assertThat(invalidField(minimal().put("ip", "exchange.example.com"), "ip").message())
        .isEqualTo(
            "ip: \"exchange.example.com\" is not an IPv4 or IPv6 literal (host names are never resolved)");
  }

  @Test
  void shouldRejectLocalhostRatherThanResolveIt() {
    invalidField(minimal().put("ip", "localhost"), "ip");
  }

  @Test
  void shouldUpperCaseVulnerability() {
    assertThat(accepted(parse(minimal().put("vulnerability", "cve-2021-26855"))).getVulnerability())
        .isEqualTo("CVE-2021-26855");
  }

  @Test
  void shouldUpperCaseVulnerabilityWhateverTheDefaultLocale() {
    Locale saved = Locale.getDefault();
    Locale.setDefault(Locale.forLanguageTag("tr-TR"));
    try {
      // in Turkish, "i".toUpperCase() is a dotted capital I
      assertThat(
              accepted(parse(minimal().put("vulnerability", "msrc:exchange-iis")))
                  .getVulnerability())
          .isEqualTo("MSRC:EXCHANGE-IIS");
    } finally {
      Locale.setDefault(saved);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"CVE 2021 26855", "CVE/1", "CVE-2021-26855\n", "\u0130", ""})
  void shouldRejectVulnerabilityOutsideItsPattern(String vulnerability) {
    invalidField(minimal().put("vulnerability", vulnerability), "vulnerability");
  }

  @Test
  void shouldAcceptVulnerabilityOf64CharactersAndRejectLonger() {
    assertThat(accepted(parse(minimal().put("vulnerability", repeat('v', 64)))).getVulnerability())
        .isEqualTo(repeat('V', 64));
    invalidField(minimal().put("vulnerability", repeat('v', 65)), "vulnerability");
  }

  @ParameterizedTest
  @EnumSource(ScanStatus.class)
  void shouldAcceptEveryStatus(ScanStatus status) {
    assertThat(accepted(parse(minimal().put("status", status.name()))).getStatus())
        .isEqualTo(status);
  }

  @ParameterizedTest
  @ValueSource(strings = {"patched", "Patched", "FIXED", " PATCHED", ""})
  void shouldRejectStatusNotSpelledExactly(String status) {
    assertThat(invalidField(minimal().put("status", status), "status").message())
        .contains("VULNERABLE, MITIGATED, PATCHED, UNREACHABLE");
  }

  @ParameterizedTest
  @ValueSource(strings = {"fr", "Fr", "fR", "FR"})
  void shouldUpperCaseCountryGivenInEitherCase(String country) {
    assertThat(accepted(parse(minimal().put("country", country))).getCountry()).isEqualTo("FR");
  }

  @Test
  void shouldDefaultCountryToZzWhenAbsent() {
    assertThat(accepted(parse(minimal())).getCountry()).isEqualTo("ZZ");
  }

  @Test
  void shouldDefaultCountryToZzWhenNull() {
    assertThat(accepted(parse(minimal().putNull("country"))).getCountry()).isEqualTo("ZZ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ZZ", "zz", "XK", "xk"})
  void shouldAcceptUnknownAndKosovo(String country) {
    assertThat(accepted(parse(minimal().put("country", country))).getCountry())
        .isEqualTo(country.toUpperCase(Locale.ROOT));
  }

  @ParameterizedTest
  @ValueSource(strings = {"UK", "QQ", "EU", "FRA", "F", ""})
  void shouldRejectCodesIsoDoesNotAssign(String country) {
    assertThat(invalidField(minimal().put("country", country), "country").message())
        .contains("ISO 3166-1 alpha-2");
  }

  @Test
  void shouldRejectCountryThatOnlyUpperCasesToACode() {
    // "\u017fs" (long s, s) upper-cases to "SS", South Sudan's code
    invalidField(minimal().put("country", "\u017fs"), "country");
  }

  @Test
  void shouldDefaultAsnToZeroWhenAbsentOrNull() {
    assertThat(accepted(parse(minimal())).getAsn()).isZero();
    assertThat(accepted(parse(minimal().putNull("asn"))).getAsn()).isZero();
  }

  @Test
  void shouldAcceptAsnUpTo4294967295() {
    assertThat(accepted(parse(minimal().put("asn", 4294967295L))).getAsn()).isEqualTo(4294967295L);
    assertThat(accepted(parse(minimal().put("asn", 0))).getAsn()).isZero();
  }

  @Test
  void shouldRejectAsnAbove4294967295() {
    assertThat(invalidField(minimal().put("asn", 4294967296L), "asn").message())
        .isEqualTo("asn: 4294967296 is outside 0..4294967295");
  }

  @Test
  void shouldRejectNegativeAsn() {
    invalidField(minimal().put("asn", -1), "asn");
  }

  @Test
  void shouldRejectAsnBeyondALong() {
    invalidField(minimal().put("asn", new BigInteger("123456789012345678901234567890")), "asn");
  }

  @Test
  void shouldRejectAsnGivenAsString() {
    assertThat(invalidField(minimal().put("asn", "16276"), "asn").message())
        .isEqualTo("asn: expected a JSON integer, got string \"16276\"");
  }

  @Test
  void shouldRejectAsnWithFraction() {
    invalidField(minimal().put("asn", 16276.0), "asn");
  }

  @Test
  void shouldDefaultCompromisedToFalseWhenAbsentOrNull() {
    assertThat(accepted(parse(minimal())).getCompromised()).isFalse();
    assertThat(accepted(parse(minimal().putNull("compromised"))).getCompromised()).isFalse();
  }

  @Test
  void shouldAcceptCompromised() {
    assertThat(accepted(parse(minimal().put("compromised", true))).getCompromised()).isTrue();
  }

  @Test
  void shouldRejectCompromisedThatIsNotABoolean() {
    invalidField(minimal().put("compromised", "true"), "compromised");
    invalidField(minimal().put("compromised", 1), "compromised");
  }

  @Test
  void shouldLeaveEventIdAbsentWhenAbsentOrNull() {
    assertThat(accepted(parse(minimal())).getEventId()).isNull();
    assertThat(accepted(parse(minimal().putNull("eventId"))).getEventId()).isNull();
  }

  @Test
  void shouldKeepEmptyEventIdAsPresent() {
    assertThat(accepted(parse(minimal().put("eventId", ""))).getEventId()).isEmpty();
  }

  @Test
  void shouldAcceptEventIdOf128Characters() {
    assertThat(accepted(parse(minimal().put("eventId", repeat('e', 128)))).getEventId())
        .hasSize(128);
  }

  @Test
  void shouldRejectEventIdOf129Characters() {
    assertThat(invalidField(minimal().put("eventId", repeat('e', 129)), "eventId").message())
        .startsWith("eventId: 129 characters, at most 128 allowed");
  }

  @Test
  void shouldCountEventIdLengthInUtf16Units() {
    String grinning = "\ud83d\ude00"; // one code point, two UTF-16 units
    assertThat(accepted(parse(minimal().put("eventId", grinning.repeat(64)))).getEventId())
        .isEqualTo(grinning.repeat(64));
    invalidField(minimal().put("eventId", grinning.repeat(64) + "e"), "eventId");
  }

  @Test
  void shouldCarryPortAtItsLimits() {
    assertThat(accepted(parse(minimal().put("port", 0))).getPort()).isZero();
    assertThat(accepted(parse(minimal().put("port", 65535))).getPort()).isEqualTo(65535);
    assertThat(accepted(parse(minimal())).getPort()).isNull();
  }

  @ParameterizedTest
  @ValueSource(longs = {-1, 65536, 4294967296L})
  void shouldRejectPortOutsideItsRange(long port) {
    assertThat(invalidField(minimal().put("port", port), "port").message())
        .isEqualTo("port: " + port + " is outside 0..65535");
  }

  @Test
  void shouldRejectPortThatIsNotAJsonInteger() {
    invalidField(minimal().put("port", "443"), "port");
    invalidField(minimal().put("port", 443.0), "port");
  }

  @Test
  void shouldCarryHostnameProductAndVersionAsGiven() {
    ScanEvent event = accepted(parse(full()));
    assertThat(event.getHostname()).isEqualTo("mail.example.fr");
    assertThat(event.getProduct()).isEqualTo("Microsoft Exchange");
    assertThat(event.getProductVersion()).isEqualTo("15.1.2176.2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hostname", "product", "productVersion"})
  void shouldAcceptCarriedTextOf255Characters(String field) {
    accepted(parse(minimal().put(field, repeat('x', 255))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"hostname", "product", "productVersion"})
  void shouldRejectCarriedTextOf256Characters(String field) {
    invalidField(minimal().put(field, repeat('x', 256)), field);
  }

  @Test
  void shouldCarryAttributes() {
    assertThat(accepted(parse(full())).getAttributes())
        .containsOnly(entry("owa", "/owa/auth/x.js"), entry("tag", "proxylogon"));
  }

  @Test
  void shouldDefaultAttributesToEmptyMapWhenAbsentOrNull() {
    assertThat(accepted(parse(minimal())).getAttributes()).isEmpty();
    assertThat(accepted(parse(minimal().putNull("attributes"))).getAttributes()).isEmpty();
  }

  @Test
  void shouldRejectAttributeValueThatIsNotAString() {
    ObjectNode node = minimal();
    node.putObject("attributes").put("a", "ok").put("b", 1);
    assertThat(invalidField(node, "attributes").message())
        .isEqualTo("attributes: value of \"b\" must be a string, got number 1");
  }

  @Test
  void shouldRejectNullAttributeValue() {
    ObjectNode node = minimal();
    node.putObject("attributes").putNull("a");
    invalidField(node, "attributes");
  }

  @Test
  void shouldRejectNestedAttributeValue() {
    ObjectNode node = minimal();
    node.putObject("attributes").putObject("a").put("b", "c");
    invalidField(node, "attributes");
  }

  @Test
  void shouldRejectAttributesThatAreNotAnObject() {
    ObjectNode node = minimal();
    node.putArray("attributes").add("a");
    assertThat(invalidField(node, "attributes").message())
        .isEqualTo("attributes: expected a JSON object of strings, got array");
  }

  @Test
  void shouldRejectRepeatedAttributeKey() {
    String text =
        minimal().toString().replaceFirst("}$", ",\"attributes\":{\"a\":\"1\",\"a\":\"2\"}}");
    Parsed.Invalid invalid = rejected(Events.CONTRACT.parseJson(text));
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message()).isEqualTo("attributes: key \"a\" appears twice");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "scanner",
        "observedAt",
        "ip",
        "vulnerability",
        "status",
        "country",
        "eventId",
        "hostname",
        "product",
        "productVersion"
      })
  void shouldRejectEscapedLoneSurrogateInAnyTextFieldAsNotValidUnicode(String field) {
    // JSON escapes, as a scanner would write them: a low surrogate alone, a high one at the end
    for (String lone : new String[] {"\\udc00x", "x\\ud800"}) {
      ObjectNode node = minimal();
      node.remove(field);
      String object = node.toString();
      String text =
          object.substring(0, object.length() - 1) + ",\"" + field + "\":\"" + lone + "\"}";
      Parsed.Invalid invalid = rejected(Events.CONTRACT.parseJson(text));
      assertThat(invalid.reason()).as(text).isEqualTo(RejectReason.INVALID_FIELD);
      assertThat(invalid.message())
          .as(text)
          .startsWith(field + ": \"")
          .endsWith(" is not valid Unicode (unpaired surrogate)");
    }
  }

  @Test
  void shouldRejectLoneSurrogateInAnAttributeValueAsInvalidAndInAKeyAsNotJson() {
    String object = minimal().toString();
    String start = object.substring(0, object.length() - 1) + ",\"attributes\":{";
    String value = start + "\"k\":\"\\ud800\"}}";
    String key = start + "\"\\udc00\":\"v\"}}";
    assertThat(rejected(Events.CONTRACT.parseJson(value)).message())
        .isEqualTo("attributes: value of \"k\" is not valid Unicode (unpaired surrogate)");
    // Jackson itself refuses a lone surrogate in a name: not JSON, before any field rule
    assertThat(rejected(Events.CONTRACT.parseJson(key)).reason()).isEqualTo(RejectReason.NOT_JSON);
  }

  @Test
  void shouldAcceptASurrogatePairOutsideTheBmp() {
    ObjectNode node = minimal().put("hostname", "mail.\uD83D\uDE00.example");
    node.putObject("attributes").put("\uD83D\uDE00", "\uD83D\uDE00");
    assertThat(accepted(parse(node)).getHostname()).isEqualTo("mail.\uD83D\uDE00.example");
  }
}
