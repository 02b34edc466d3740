package dev.patchwatch.scanner.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.JsonLine;
import dev.patchwatch.event.Parsed;

/**
 * One JSON object per line, for the formats built on JSON Lines. Lines are parsed by {@link
 * JsonLine}, the parser {@code replay} uses too, so a line gets the same reason everywhere.
 */
final class JsonLines {

  /** For the trees formats build; parsing goes through {@link JsonLine}. */
  static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private JsonLines() {}

  /**
   * The JSON object on the line {@code lines} returned last, or null after reporting to {@code
   * sink} why it is not one ({@code TOO_LARGE}, with only the line's first bytes; {@code NOT_JSON}:
   * not UTF-8, empty, not JSON, more than one value, a repeated key; {@code NOT_OBJECT}).
   */
  static ObjectNode object(Lines lines, byte[] line, int maxEventBytes, RecordSink sink) {
    return accepted(lines, line, JsonLine.object(line, lines.length(), maxEventBytes), sink);
  }

  private static ObjectNode accepted(
      Lines lines, byte[] line, JsonLine.Read read, RecordSink sink) {
    if (read.problem() != null) {
      Parsed.Invalid problem = read.problem();
      byte[] original =
          problem.reason() == RejectReason.TOO_LARGE ? EventContract.head(line) : line;
      sink.accept(
          new SourceRecord.Unmapped(lines.number(), original, problem.reason(), problem.message()));
      return null;
    }
    return read.object();
  }

  /** What a JSON value is, for "expected X, got Y". */
  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isTextual()) {
      return "string " + Text.quote(node.textValue());
    }
    if (node.isNumber()) {
      return "number " + Text.clip(node.asText());
    }
    if (node.isBoolean() || node.isNull()) {
      return node.asText();
    }
    return node.isArray() ? "array" : "object";
  }
}
