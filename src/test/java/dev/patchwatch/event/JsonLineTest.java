package dev.patchwatch.event;

import static dev.patchwatch.event.Events.CONTRACT;
import static dev.patchwatch.event.Events.minimal;
import static dev.patchwatch.event.Events.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one JSON-lines parser: whatever Jackson refuses is a rejection, never an exception, and a
 * line gets the same reason whether it is read as an event (replay, import) or as a tree (ingest).
 */
class JsonLineTest {

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Through replay's path. */
  private static Parsed event(String line) {
    byte[] bytes = utf8(line);
    return JsonLine.event(bytes, bytes.length, CONTRACT);
  }

  /** Through ingest's jsonl path: the tree, then the contract on it. */
  private static Parsed eventAsTree(String line) {
    byte[] bytes = utf8(line);
    JsonLine.Read read = JsonLine.eventObject(bytes, bytes.length, CONTRACT);
    return read.problem() != null ? read.problem() : CONTRACT.fromJson(read.object());
  }

  /** Through the formats built on JSON lines (Nuclei). */
  private static Parsed.Invalid object(String line) {
    byte[] bytes = utf8(line);
    JsonLine.Read read = JsonLine.object(bytes, bytes.length, CONTRACT.maxEventBytes());
    assertThat(read.object()).as("expected a rejection").isNull();
    return read.problem();
  }

  static Stream<String> refusedLines() {
    String valid = minimal().toString();
    return Stream.of(
        "[".repeat(1001),
        "{\"a\":" + "[".repeat(1000) + "]".repeat(1000) + "}",
        "{\"asn\":" + "1".repeat(1001) + "}",
        "[" + "9".repeat(1001) + "]",
        "{\"asn\":1." + "5".repeat(1001) + "}",
        "{\"" + "k".repeat(50_001) + "\":1}",
        "",
        "  \t",
        "{\"scanner\":",
        "[1,2]",
        "\"text\"",
        "{} {}",
        valid.replaceFirst("}$", ",\"ip\":\"198.51.100.1\"}"),
        valid.replaceFirst("}$", ",\"contry\":\"FR\"}"),
        valid.replaceFirst("}$", ",\"hostname\":\"\\\\udc00x\"}"),
        valid.replaceFirst("}$", ",\"attributes\":{\"k\":\"\\\\ud800\"}}"),
        valid.replaceFirst("}$", ",\"attributes\":{\"a\":\"1\",\"a\":\"2\"}}"));
  }

  @ParameterizedTest
  @MethodSource("refusedLines")
  void shouldGiveTheSameReasonAndMessageOnEveryPathForTheSameLine(String line) {
    Parsed.Invalid asEvent = rejected(event(line));
    Parsed.Invalid asTree = rejected(eventAsTree(line));
    assertThat(asTree).isEqualTo(asEvent);
  }

  @Test
  void shouldRejectNestingDeeperThanAThousandAsNotJsonOnEveryPath() {
    String deep = "[".repeat(1001);
    assertThat(rejected(event(deep)).reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(rejected(event(deep)).message()).contains("nesting depth (1001)");
    assertThat(object(deep).reason()).isEqualTo(RejectReason.NOT_JSON);
    // a thousand levels are still JSON: the array is then refused for what it is
    assertThat(rejected(event("[".repeat(1000) + "]".repeat(1000))).reason())
        .isEqualTo(RejectReason.NOT_OBJECT);
  }

  @Test
  void shouldRejectANumberOfMoreThanAThousandDigitsAsNotJsonOnEveryPath() {
    String line = minimal().toString().replaceFirst("}$", ",\"asn\":" + "1".repeat(1001) + "}");
    assertThat(rejected(event(line)).reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(rejected(event(line)).message()).contains("Number value length (1001)");
    assertThat(object("{\"port\":" + "1".repeat(1001) + "}").reason())
        .isEqualTo(RejectReason.NOT_JSON);
    // a thousand digits are a number, too large for an ASN
    String thousand = minimal().toString().replaceFirst("}$", ",\"asn\":" + "1".repeat(1000) + "}");
    assertThat(rejected(event(thousand)).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @Test
  void shouldRejectAStringLongerThanJacksonsLimitAsNotJsonWhenTheSizeLimitAllowsIt() {
    EventContract roomy = new EventContract(Clock.fixed(Events.NOW, ZoneOffset.UTC), 24 << 20);
    String line =
        minimal().toString().replaceFirst("}$", ",\"product\":\"" + "p".repeat(20_000_001) + "\"}");
    byte[] bytes = utf8(line);

    Parsed.Invalid asEvent = rejected(JsonLine.event(bytes, bytes.length, roomy));
    JsonLine.Read asObject = JsonLine.object(bytes, bytes.length, roomy.maxEventBytes());

    assertThat(asEvent.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(asEvent.message()).contains("String value length (20000001)");
    assertThat(asObject.problem().reason()).isEqualTo(RejectReason.NOT_JSON);
  }

  @Test
  void shouldRejectOversizeLineAsTooLargeWithItsLengthAndTheLimitBeforeParsingIt() {
    byte[] cut = utf8("{\"scanner\":\"" + "s".repeat(2000));
    long length = CONTRACT.maxEventBytes() + 1L;

    Parsed.Invalid asEvent = rejected(JsonLine.event(cut, length, CONTRACT));
    JsonLine.Read asObject = JsonLine.object(cut, length, CONTRACT.maxEventBytes());

    assertThat(asEvent.reason()).isEqualTo(RejectReason.TOO_LARGE);
    assertThat(asEvent.message())
        .isEqualTo(
            "line is 524289 bytes, more than the limit of 524288 (max.event.bytes); only its"
                + " first 1024 bytes are kept");
    assertThat(asObject.problem()).isEqualTo(asEvent);
  }

  @Test
  void shouldAcceptALineOfExactlyTheLimit() {
    EventContract small = new EventContract(Clock.fixed(Events.NOW, ZoneOffset.UTC), 2048);
    String empty = minimal().toString().replaceFirst("}$", ",\"attributes\":{\"pad\":\"\"}}");
    String padded = empty.replace("\"pad\":\"", "\"pad\":\"" + "x".repeat(2048 - empty.length()));
    byte[] bytes = utf8(padded);
    assertThat(bytes).hasSize(2048);

    assertThat(JsonLine.event(bytes, bytes.length, small)).isInstanceOf(Parsed.Valid.class);
    byte[] over = utf8(padded.replace("\"pad\":\"", "\"pad\":\"x"));
    assertThat(rejected(JsonLine.event(over, over.length, small)).reason())
        .isEqualTo(RejectReason.TOO_LARGE);
  }

  @Test
  void shouldRejectRepeatedKeysOfAnyObjectAsNotJsonWhenReadAsATree() {
    assertThat(object("{\"info\":{\"a\":1,\"a\":2}}").message())
        .isEqualTo("not JSON: Duplicate field 'a' at column 19");
  }

  @Test
  void shouldRefuseInvalidUtf8AndBlankLinesAsNotJson() {
    byte[] notUtf8 = {'{', (byte) 0xC3, '}'};
    assertThat(rejected(JsonLine.event(notUtf8, 3, CONTRACT)).message())
        .isEqualTo("line is not valid UTF-8");
    assertThat(rejected(event(" ")).message()).isEqualTo("not JSON: empty line");
  }
}
