package dev.patchwatch.event;

import static dev.patchwatch.event.Events.CONTRACT;
import static dev.patchwatch.event.Events.accepted;
import static dev.patchwatch.event.Events.full;
import static dev.patchwatch.event.Events.minimal;
import static dev.patchwatch.event.Events.parse;
import static dev.patchwatch.event.Events.rejected;
import static dev.patchwatch.event.Events.repeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Avro records read from Kafka go through the same rules as JSON, and come back as they are when
 * they are canonical already.
 */
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
  void shouldNotShareTheAttributesMapWithTheGivenEventWhenItMakesANewOne() {
    ScanEvent event = raw();
    ScanEvent normalised = accepted(CONTRACT.normalize(event));
    normalised.getAttributes().put("added", "later");
    assertThat(event.getAttributes()).doesNotContainKey("added");
  }

  @Test
  void shouldReturnTheVeryEventWhenItIsNormalisedAlready() {
    ScanEvent normalised = accepted(parse(full()));
    assertThat(accepted(CONTRACT.normalize(normalised))).isSameAs(normalised);
    ScanEvent minimal = accepted(parse(minimal()));
    assertThat(accepted(CONTRACT.normalize(minimal))).isSameAs(minimal);
  }

  @Test
  void shouldReturnTheVeryEventWhenItIsCanonicalWhateverItsMap() {
    for (Map<String, String> attributes :
        List.of(new HashMap<String, String>(), Map.<String, String>of(), Map.of("k", "v"))) {
      ScanEvent event = RawEvents.canonical();
      event.setAttributes(attributes);
      assertThat(accepted(CONTRACT.normalize(event))).isSameAs(event);
      assertThat(event.getAttributes()).isSameAs(attributes);
    }
  }

  /** The canonical event with one field spelled otherwise, and the field as it must come out. */
  static Stream<Arguments> normalisableFields() {
    return Stream.of(
        arguments("ip", "2001:DB8::1", "2001:db8::1"),
        arguments("ip", "2001:0db8:0:0:0:0:0:1", "2001:db8::1"),
        arguments("ip", "::ffff:203.0.113.7", "203.0.113.7"),
        arguments("ip", "::ffff:cb00:7107", "203.0.113.7"),
        arguments("vulnerability", "cve-2021-26855", "CVE-2021-26855"),
        arguments("vulnerability", "msrc:Exchange-IIS", "MSRC:EXCHANGE-IIS"),
        arguments("country", "fr", "FR"),
        arguments("country", "Fr", "FR"),
        arguments("country", "xk", "XK"),
        arguments("country", null, "ZZ"),
        arguments(
            "observedAt",
            Instant.parse("2021-03-09T10:00:00.123999999Z"),
            Instant.parse("2021-03-09T10:00:00.123Z")),
        arguments("attributes", null, Map.of()),
        arguments("attributes", utf8(Map.of("tag", "proxylogon")), Map.of("tag", "proxylogon")));
  }

  @ParameterizedTest
  @MethodSource("normalisableFields")
  void shouldReturnANewEventWhenAFieldMustBeNormalised(
      String field, Object given, Object normalised) {
    ScanEvent event = RawEvents.canonical();
    event.put(field, given);
    ScanEvent before = RawEvents.canonical();
    before.put(field, given);
    ScanEvent expected = RawEvents.canonical();
    expected.put(field, normalised);

    ScanEvent result = accepted(CONTRACT.normalize(event));

    assertThat(result).isNotSameAs(event).isEqualTo(expected);
    assertThat(result.getAttributes()).isNotSameAs(event.getAttributes());
    assertThat(event).as("the given event is left as it was").isEqualTo(before);
    // and the normalised one is canonical: it comes back as it is
    assertThat(accepted(CONTRACT.normalize(result))).isSameAs(result);
  }

  @Test
  void shouldAgreeWithTheCopyingPathOnEveryRawEvent() {
    // what normalize did before it kept canonical events: check every field, copy always
    FieldRules copying = new FieldRules(Clock.fixed(Events.NOW, ZoneOffset.UTC));
    int same = 0;
    int copied = 0;
    int invalid = 0;
    for (ScanEvent event : RawEvents.corpus(20210320, 30_000)) {
      Supplier<String> shown =
          () ->
              event
                  + (event.getAttributes() == null
                      ? ""
                      : " in a " + event.getAttributes().getClass().getSimpleName());
      Parsed expected = copying.check(AvroFields.read(event));
      Parsed parsed = CONTRACT.normalize(event);
      assertThat(parsed).as(shown).isEqualTo(expected);
      if (expected instanceof Parsed.Valid valid) {
        Map<?, ?> attributes = valid.event().getAttributes();
        assertThat(attributes.keySet()).as(shown).allMatch(String.class::isInstance);
        assertThat(attributes.values()).as(shown).allMatch(String.class::isInstance);
        boolean canonical = valid.event().equals(event);
        assertThat(((Parsed.Valid) parsed).event() == event).as(shown).isEqualTo(canonical);
        if (canonical) {
          same++;
        } else {
          copied++;
        }
      } else {
        invalid++;
      }
    }
    // the corpus holds all three kinds, in numbers
    assertThat(same).isGreaterThan(5_000);
    assertThat(copied).isGreaterThan(5_000);
    assertThat(invalid).isGreaterThan(5_000);
  }

  @Test
  void shouldKeepAnEventDecodedAsTheSerdesDo() throws Exception {
    // AvroSerde reads into the generated class's schema, whose avro.java.string makes every text,
    // attribute keys and values included, a String; an event written without that property reads
    // the same
    ScanEvent event = RawEvents.canonical();
    ScanEvent decoded = decode(event, withoutJavaStrings(), ScanEvent.getClassSchema());
    Map<?, ?> attributes = decoded.getAttributes();
    assertThat(attributes.keySet()).isNotEmpty().allMatch(String.class::isInstance);
    assertThat(attributes.values()).allMatch(String.class::isInstance);
    assertThat(accepted(CONTRACT.normalize(decoded))).isSameAs(decoded).isEqualTo(event);
  }

  @Test
  void shouldCopyAnEventDecodedWithUtf8Attributes() throws Exception {
    // a reader without avro.java.string gets Utf8: the generated setters turn the text fields
    // into Strings, but not the keys and values of the attribute map
    ScanEvent event = RawEvents.canonical();
    ScanEvent decoded = decode(event, withoutJavaStrings(), withoutJavaStrings());
    assertThat(decoded.getScanner()).isInstanceOf(String.class);
    // seen through Map<?, ?>: a Map<String, String> view would cast each key on the way out
    Map<?, ?> attributes = decoded.getAttributes();
    assertThat(attributes.keySet()).isNotEmpty().allMatch(Utf8.class::isInstance);
    assertThat(attributes.values()).allMatch(Utf8.class::isInstance);
    ScanEvent normalised = accepted(CONTRACT.normalize(decoded));
    assertThat(normalised).isNotSameAs(decoded).isEqualTo(event);
    assertThat(normalised.getAttributes().keySet()).allMatch(String.class::isInstance);
    assertThat(normalised.getAttributes().values()).allMatch(String.class::isInstance);
  }

  private static final String JAVA_STRING = ",\"avro.java.string\":\"String\"";

  /** ScanEvent's schema as any other writer or reader may spell it: strings without a Java type. */
  private static Schema withoutJavaStrings() {
    String schema = ScanEvent.getClassSchema().toString();
    assertThat(schema).contains(JAVA_STRING);
    return new Schema.Parser().parse(schema.replace(JAVA_STRING, ""));
  }

  private static ScanEvent decode(ScanEvent event, Schema writer, Schema reader)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<ScanEvent>(writer).write(event, encoder);
    encoder.flush();
    ClassSecurityValidator.ClassSecurityPredicate saved = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            saved, type -> type.getPackageName().equals("dev.patchwatch.avro")));
    try {
      return new SpecificDatumReader<ScanEvent>(writer, reader)
          .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    } finally {
      ClassSecurityValidator.setGlobal(saved);
    }
  }

  /** The map with its keys and values as a reader without avro.java.string leaves them. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Map<String, String> utf8(Map<String, String> strings) {
    Map<Object, Object> map = new HashMap<>();
    strings.forEach((k, v) -> map.put(new Utf8(k), new Utf8(v)));
    return (Map) map;
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
