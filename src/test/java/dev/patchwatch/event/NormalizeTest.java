package dev.patchwatch.event;

import static dev.patchwatch.event.Events.CONTRACT;
import static dev.patchwatch.event.Events.accepted;
import static dev.patchwatch.event.Events.full;
import static dev.patchwatch.event.Events.parse;
import static dev.patchwatch.event.Events.rejected;
import static dev.patchwatch.event.Events.repeat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.Test;

/** Avro records read from Kafka go through the same rules as JSON. */
class NormalizeTest {

  /** An event as a careless producer might write it: valid, but not in canonical form. */
  private static ScanEvent raw() {
    Map<String, String> attributes = new HashMap<>();
    attributes.put("tag", "proxylogon");
    return ScanEvent.newBuilder()
        .setScanner("shadowserver")
        .setObservedAt(Instant.parse("2021-03-09T10:00:00.123Z"))
        .setIp("::FFFF:203.0.113.7")
        .setVulnerability("cve-2021-26855")
        .setStatus(ScanStatus.PATCHED)
        .setCountry("fr")
        .setAsn(16276)
        .setCompromised(true)
        .setEventId("scan-42")
        .setPort(443)
        .setHostname("mail.example.fr")
        .setAttributes(attributes)
        .build();
  }

  private static Parsed.Invalid invalidField(ScanEvent event, String field) {
    Parsed.Invalid invalid = rejected(CONTRACT.normalize(event));
    assertThat(invalid.reason()).as(invalid.message()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message()).startsWith(field + ": ");
    return invalid;
  }

  @Test
  void shouldNormaliseAvroEventLikeJson() {
    ScanEvent normalised = accepted(CONTRACT.normalize(raw()));
    assertThat(normalised.getIp()).isEqualTo("203.0.113.7");
    assertThat(normalised.getVulnerability()).isEqualTo("CVE-2021-26855");
    assertThat(normalised.getCountry()).isEqualTo("FR");
    assertThat(normalised).isEqualTo(accepted(CONTRACT.parseJson(EventContract.toJson(raw()))));
  }

  @Test
  void shouldNotChangeTheGivenEvent() {
    ScanEvent event = raw();
    ScanEvent before = raw();
    ScanEvent normalised = accepted(CONTRACT.normalize(event));
    assertThat(normalised).isNotSameAs(event);
    assertThat(event).isEqualTo(before);
    assertThat(event.getIp()).isEqualTo("::FFFF:203.0.113.7");
  }

  @Test
  void shouldNotShareTheAttributesMapWithTheGivenEvent() {
    ScanEvent event = raw();
    ScanEvent normalised = accepted(CONTRACT.normalize(event));
    normalised.getAttributes().put("added", "later");
    assertThat(event.getAttributes()).doesNotContainKey("added");
  }

  @Test
  void shouldReturnAnEqualEventForANormalisedOne() {
    ScanEvent normalised = accepted(parse(full()));
    ScanEvent again = accepted(CONTRACT.normalize(normalised));
    assertThat(again).isEqualTo(normalised).isNotSameAs(normalised);
  }

  @Test
  void shouldAcceptEventDecodedFromAvroBinary() throws Exception {
    ScanEvent event = accepted(parse(full()));
    ByteBuffer bytes = event.toByteBuffer();
    // Avro 1.12 decodes generated classes only from trusted packages; the serdes' job, done here
    // for this test only
    ClassSecurityValidator.ClassSecurityPredicate saved = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            saved, type -> type.getPackageName().equals("dev.patchwatch.avro")));
    ScanEvent decoded;
    try {
      decoded = ScanEvent.fromByteBuffer(bytes);
    } finally {
      ClassSecurityValidator.setGlobal(saved);
    }
    assertThat(accepted(CONTRACT.normalize(decoded))).isEqualTo(event);
  }

  @Test
  void shouldNormaliseWithoutTrustingGeneratedClassesProcessWide() {
    // normalize must not need Avro 1.12's class validator relaxed, whatever other tests in this
    // JVM trusted before (the serdes do, process-wide)
    ClassSecurityValidator.ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.DEFAULT);
    try {
      accepted(CONTRACT.normalize(raw()));
    } finally {
      ClassSecurityValidator.setGlobal(before);
    }
  }

  @Test
  void shouldRejectHostNameIpInAvroEvent() {
    ScanEvent event = raw();
    event.setIp("exchange.example.com");
    invalidField(event, "ip");
  }

  @Test
  void shouldRejectAvroEventBefore2000() {
    ScanEvent event = raw();
    event.setObservedAt(Instant.parse("1999-12-31T23:59:59.999Z"));
    invalidField(event, "observedAt");
  }

  @Test
  void shouldRejectAvroEventMoreThanOneDayAhead() {
    ScanEvent event = raw();
    event.setObservedAt(Instant.parse("2021-03-21T12:00:00.001Z"));
    invalidField(event, "observedAt");
  }

  @Test
  void shouldRejectAvroEventWithBadScanner() {
    ScanEvent event = raw();
    event.setScanner("shadow server");
    invalidField(event, "scanner");
  }

  @Test
  void shouldRejectAvroEventWithBadVulnerability() {
    ScanEvent event = raw();
    event.setVulnerability("CVE 2021");
    invalidField(event, "vulnerability");
  }

  @Test
  void shouldRejectAvroEventWithUnknownCountry() {
    ScanEvent event = raw();
    event.setCountry("UK");
    invalidField(event, "country");
  }

  @Test
  void shouldRejectAvroEventWithAsnOutOfRange() {
    ScanEvent event = raw();
    event.setAsn(-1);
    invalidField(event, "asn");
    event.setAsn(4294967296L);
    invalidField(event, "asn");
  }

  @Test
  void shouldRejectAvroEventWithPortOutOfRange() {
    ScanEvent event = raw();
    event.setPort(65536);
    invalidField(event, "port");
    event.setPort(-1);
    invalidField(event, "port");
  }

  @Test
  void shouldRejectAvroEventWithTooLongEventIdOrCarriedText() {
    ScanEvent event = raw();
    event.setEventId(repeat('e', 129));
    invalidField(event, "eventId");
    event = raw();
    event.setProductVersion(repeat('v', 256));
    invalidField(event, "productVersion");
  }

  @Test
  void shouldRejectAvroEventWithNullAttributeValue() {
    ScanEvent event = raw();
    event.getAttributes().put("empty", null);
    invalidField(event, "attributes");
  }

  @Test
  void shouldRejectAvroEventWithoutRequiredField() {
    ScanEvent event = raw();
    event.setIp(null);
    Parsed.Invalid invalid = rejected(CONTRACT.normalize(event));
    assertThat(invalid.reason()).isEqualTo(RejectReason.MISSING_FIELD);
    assertThat(invalid.message()).startsWith("ip: ");
  }

  @Test
  void shouldRejectEmptyAvroRecord() {
    Parsed.Invalid invalid = rejected(CONTRACT.normalize(new ScanEvent()));
    assertThat(invalid.reason()).isEqualTo(RejectReason.MISSING_FIELD);
    assertThat(invalid.message()).startsWith("scanner: ");
  }

  @Test
  void shouldTreatMissingCountryAndAttributesOfAvroEventAsDefaults() {
    ScanEvent event = raw();
    event.setCountry(null);
    event.setAttributes(null);
    ScanEvent normalised = accepted(CONTRACT.normalize(event));
    assertThat(normalised.getCountry()).isEqualTo("ZZ");
    assertThat(normalised.getAttributes()).isEmpty();
  }

  @Test
  void shouldRejectNullEvent() {
    assertThat(rejected(CONTRACT.normalize(null)).reason()).isEqualTo(RejectReason.NOT_OBJECT);
  }

  @Test
  void shouldRejectAvroEventWithLoneSurrogateInATextFieldAsNotValidUnicode() {
    ScanEvent hostname = raw();
    hostname.setHostname("\udc00x");
    ScanEvent eventId = raw();
    eventId.setEventId("x\ud800");
    assertThat(invalidField(hostname, "hostname").message())
        .isEqualTo("hostname: \"\\udc00x\" is not valid Unicode (unpaired surrogate)");
    assertThat(invalidField(eventId, "eventId").message())
        .endsWith(" is not valid Unicode (unpaired surrogate)");
  }

  @Test
  void shouldRejectAvroEventWithLoneSurrogateInAnAttribute() {
    ScanEvent key = raw();
    key.setAttributes(Map.of("\ud800", "v"));
    ScanEvent value = raw();
    value.setAttributes(Map.of("k", "\udfff"));
    assertThat(invalidField(key, "attributes").message())
        .isEqualTo("attributes: key \"\\ud800\" is not valid Unicode (unpaired surrogate)");
    assertThat(invalidField(value, "attributes").message())
        .isEqualTo("attributes: value of \"k\" is not valid Unicode (unpaired surrogate)");
  }

  @Test
  void shouldRejectLoneSurrogateInAnAvroEventDecodedFromItsJson() {
    // the same event reaching the contract as Avro and as JSON gets the same answer
    ScanEvent event = raw();
    event.setProduct("Exchange \udc00");
    Parsed fromAvro = CONTRACT.normalize(event);
    Parsed fromJson = CONTRACT.parseJson(EventContract.toJson(event));
    assertThat(rejected(fromAvro)).isEqualTo(rejected(fromJson));
  }
}
