package dev.patchwatch.event;

import static dev.patchwatch.event.Events.CONTRACT;
import static dev.patchwatch.event.Events.MAPPER;
import static dev.patchwatch.event.Events.accepted;
import static dev.patchwatch.event.Events.full;
import static dev.patchwatch.event.Events.minimal;
import static dev.patchwatch.event.Events.parse;
import static dev.patchwatch.event.Events.rejected;
import static dev.patchwatch.event.Events.repeat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The shape of the JSON document, before and across field rules. */
class EventJsonTest {

  private static final String VALID = minimal().toString();

  private static RejectReason reason(String text) {
    return rejected(CONTRACT.parseJson(text)).reason();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hello",
        "{",
        "{\"scanner\":}",
        "{\"scanner\" \"x\"}",
        "{'scanner':'x'}",
        "{\"a\":1,}",
        "\"unterminated"
      })
  void shouldRejectTextThatIsNotJson(String text) {
    assertThat(reason(text)).isEqualTo(RejectReason.NOT_JSON);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   ", "\t"})
  void shouldRejectMissingOrBlankInputAsNotJson(String text) {
    assertThat(reason(text)).isEqualTo(RejectReason.NOT_JSON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1} /* c */", "{\"a\":NaN}", "{\"a\":01}", "{a:1}"})
  void shouldRejectJsonExtensions(String text) {
    assertThat(reason(text)).isEqualTo(RejectReason.NOT_JSON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1,2]", "42", "\"text\"", "null", "true", "[]"})
  void shouldRejectJsonThatIsNotAnObject(String text) {
    assertThat(reason(text)).isEqualTo(RejectReason.NOT_OBJECT);
  }

  @Test
  void shouldSayWhatTheNonObjectWas() {
    assertThat(rejected(CONTRACT.parseJson("[1,2]")).message())
        .isEqualTo("not a JSON object: got array");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1} x", "{} {}", "{}]", "[1] x", "42 43"})
  void shouldRejectTrailingContentAsNotJson(String text) {
    assertThat(reason(text)).isEqualTo(RejectReason.NOT_JSON);
  }

  @Test
  void shouldRejectTrailingContentAfterAValidEvent() {
    assertThat(reason(VALID + " x")).isEqualTo(RejectReason.NOT_JSON);
    assertThat(reason(VALID + VALID)).isEqualTo(RejectReason.NOT_JSON);
  }

  @Test
  void shouldAcceptSurroundingWhitespace() {
    accepted(CONTRACT.parseJson("  " + VALID + " \r\n"));
  }

  @Test
  void shouldRejectUnknownField() {
    Parsed.Invalid invalid = rejected(parse(minimal().put("severity", "high")));
    assertThat(invalid.reason()).isEqualTo(RejectReason.UNKNOWN_FIELD);
    assertThat(invalid.message())
        .isEqualTo("unknown field \"severity\" (extras belong in \"attributes\")");
  }

  @Test
  void shouldRejectUnknownFieldEvenWhenNull() {
    assertThat(rejected(parse(minimal().putNull("severity"))).reason())
        .isEqualTo(RejectReason.UNKNOWN_FIELD);
  }

  @Test
  void shouldMatchFieldNamesCaseSensitively() {
    ObjectNode node = minimal();
    node.set("IP", node.remove("ip"));
    assertThat(rejected(parse(node)).reason()).isEqualTo(RejectReason.UNKNOWN_FIELD);
  }

  @Test
  void shouldReportMisspeltFieldRatherThanTheMissingOne() {
    ObjectNode node = minimal();
    node.set("scaner", node.remove("scanner"));
    assertThat(rejected(parse(node)).message()).startsWith("unknown field \"scaner\"");
  }

  @Test
  void shouldRejectRepeatedField() {
    Parsed.Invalid invalid =
        rejected(CONTRACT.parseJson(VALID.replaceFirst("}$", ",\"ip\":\"198.51.100.1\"}")));
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message()).isEqualTo("ip: appears twice");
  }

  @Test
  void shouldRejectRepeatedFieldEvenWithTheSameValueOrNull() {
    assertThat(reason(VALID.replaceFirst("}$", ",\"ip\":\"203.0.113.7\"}")))
        .isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(
            reason(
                "{\"country\":null,"
                    + VALID.substring(1).replaceFirst("}$", ",\"country\":\"FR\"}")))
        .isEqualTo(RejectReason.INVALID_FIELD);
  }

  @Test
  void shouldReportNotJsonBeforeAnyFieldProblem() {
    assertThat(reason("{\"scaner\":1,\"ip\":\"x\",")).isEqualTo(RejectReason.NOT_JSON);
  }

  @Test
  void shouldReportUnknownFieldBeforeFieldRules() {
    ObjectNode node = minimal().put("scanner", "not valid").put("extra", 1);
    assertThat(rejected(parse(node)).reason()).isEqualTo(RejectReason.UNKNOWN_FIELD);
  }

  @Test
  void shouldReportTheFirstStructuralProblemInDocumentOrder() {
    String text = "{\"zzz\":1," + VALID.substring(1).replaceFirst("}$", ",\"ip\":\"1.1.1.1\"}");
    assertThat(rejected(CONTRACT.parseJson(text)).reason()).isEqualTo(RejectReason.UNKNOWN_FIELD);
    String repeatedFirst = VALID.replaceFirst("}$", ",\"ip\":\"1.1.1.1\",\"zzz\":1}");
    assertThat(rejected(CONTRACT.parseJson(repeatedFirst)).message())
        .isEqualTo("ip: appears twice");
  }

  @Test
  void shouldCheckFieldsInAFixedOrderWhateverTheDocumentOrder() {
    // every field broken, written in reverse order; fixing the reported one must reveal the next
    ObjectNode broken = MAPPER.createObjectNode();
    broken.putArray("attributes");
    broken.put("productVersion", repeat('v', 256));
    broken.put("product", repeat('p', 256));
    broken.put("hostname", repeat('h', 256));
    broken.put("port", 70000);
    broken.put("eventId", repeat('e', 129));
    broken.put("compromised", "yes");
    broken.put("asn", -1);
    broken.put("country", "UK");
    broken.put("status", "patched");
    broken.put("vulnerability", "CVE 1");
    broken.put("ip", "localhost");
    broken.put("observedAt", "yesterday");
    broken.put("scanner", "bad name");
    ObjectNode fixes = full();
    List<String> reported = new ArrayList<>();
    for (int i = 0; i < 14 && parse(broken) instanceof Parsed.Invalid invalid; i++) {
      String field = invalid.message().substring(0, invalid.message().indexOf(':'));
      reported.add(field);
      broken.set(field, fixes.get(field));
    }
    assertThat(reported)
        .containsExactly(
            "scanner",
            "observedAt",
            "ip",
            "vulnerability",
            "status",
            "country",
            "asn",
            "compromised",
            "eventId",
            "port",
            "hostname",
            "product",
            "productVersion",
            "attributes");
    accepted(parse(broken));
  }

  static Stream<String> documents() {
    ObjectNode unknown = minimal().put("severity", "high");
    ObjectNode badAttributes = minimal();
    badAttributes.putObject("attributes").put("n", 1.5);
    return Stream.of(
        minimal().toString(),
        full().toString(),
        unknown.toString(),
        badAttributes.toString(),
        minimal().put("asn", 1e3).toString(),
        minimal().put("observedAt", 1614592800000L).toString(),
        minimal().put("ip", "::FFFF:1.2.3.4").toString(),
        minimal().without("status").toString(),
        minimal().put("port", "443").toString(),
        "[1,2]",
        "\"text\"",
        "17",
        "null");
  }

  @ParameterizedTest
  @MethodSource("documents")
  void shouldGiveTheSameResultForATreeAsForItsText(String text) throws Exception {
    JsonNode tree = MAPPER.readTree(text);
    assertThat(CONTRACT.fromJson(tree)).isEqualTo(CONTRACT.parseJson(text));
  }

  @Test
  void shouldRejectMissingTreeAsNotJson() {
    assertThat(rejected(CONTRACT.fromJson(null)).reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(rejected(CONTRACT.fromJson(MissingNode.getInstance())).reason())
        .isEqualTo(RejectReason.NOT_JSON);
  }

  @Test
  void shouldShowOnlyTheStartOfALongValue() {
    String message = rejected(parse(minimal().put("ip", repeat('x', 10_000)))).message();
    assertThat(message)
        .hasSizeLessThan(200)
        .contains(repeat('x', 80))
        .doesNotContain(repeat('x', 81));
  }

  @Test
  void shouldEscapeControlCharactersInMessages() {
    String message = rejected(parse(minimal().put("ip", "1.2.3.4\n\u0000"))).message();
    assertThat(message).startsWith("ip: \"1.2.3.4\\n\\u0000\"");
  }

  @Test
  void shouldKeepNotJsonMessagesOnOneLine() {
    String message = rejected(CONTRACT.parseJson("{\n\"scanner\":\n\"a\nb\"}")).message();
    assertThat(message).startsWith("not JSON: ").doesNotContain("\n");
  }

  @Test
  void shouldNeverThrowWhateverTheInput() {
    Random random = new Random(20210314);
    String alphabet = "{}[]\":,.-+0123456789eEaZT: \\nulltrue\u00e9\ud83d\ude00";
    String base = full().toString();
    for (int run = 0; run < 20_000; run++) {
      StringBuilder text = new StringBuilder(base);
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(text.length() + 1);
        switch (random.nextInt(3)) {
          case 0 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(4)));
          default ->
              text.replace(
                  at,
                  Math.min(text.length(), at + 1),
                  String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
        }
      }
      Parsed parsed = CONTRACT.parseJson(text.toString());
      assertThat(parsed).as(text.toString()).isNotNull();
      if (parsed instanceof Parsed.Invalid invalid) {
        assertThat(invalid.reason()).isNotNull();
        assertThat(invalid.message()).as(text.toString()).isNotBlank().doesNotContain("\n", "\r");
      }
    }
  }
}
