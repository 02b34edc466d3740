package dev.patchwatch.scanner.format;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;

/** One JSON object per line, for the formats built on JSON Lines. */
final class JsonLines {

  /**
   * Refuses repeated keys: a tree keeps only one of them, so the event would silently depend on
   * which one the parser kept.
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private JsonLines() {}

  /**
   * The JSON object on {@code line}, or null after reporting to {@code sink} why it is not one
   * ({@code NOT_JSON}: not UTF-8, empty, not JSON, more than one value; {@code NOT_OBJECT}).
   */
  static ObjectNode object(long position, byte[] line, RecordSink sink) {
    String text = Text.utf8(line);
    if (text == null) {
      sink.accept(unmapped(position, line, RejectReason.NOT_JSON, "line is not valid UTF-8"));
      return null;
    }
    if (text.isBlank()) {
      sink.accept(unmapped(position, line, RejectReason.NOT_JSON, "not JSON: empty line"));
      return null;
    }
    JsonNode node;
    try (JsonParser p = MAPPER.createParser(text)) {
      node = MAPPER.readTree(p);
      if (p.nextToken() != null) {
        sink.accept(
            unmapped(
                position,
                line,
                RejectReason.NOT_JSON,
                "not JSON: unexpected content after the value" + where(p.currentTokenLocation())));
        return null;
      }
    } catch (StreamReadException e) {
      sink.accept(
          unmapped(
              position,
              line,
              RejectReason.NOT_JSON,
              "not JSON: "
                  + Text.clip(String.valueOf(e.getOriginalMessage()))
                  + where(e.getLocation())));
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("reading a String cannot fail", e);
    }
    if (!node.isObject()) {
      sink.accept(
          unmapped(
              position, line, RejectReason.NOT_OBJECT, "not a JSON object: got " + describe(node)));
      return null;
    }
    return (ObjectNode) node;
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

  private static SourceRecord.Unmapped unmapped(
      long position, byte[] line, RejectReason reason, String message) {
    return new SourceRecord.Unmapped(position, line, reason, message);
  }

  private static String where(JsonLocation location) {
    return location == null || location.getColumnNr() < 0
        ? ""
        : " at column " + location.getColumnNr();
  }
}
