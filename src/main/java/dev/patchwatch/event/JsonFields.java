package dev.patchwatch.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchwatch.avro.RejectReason;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the top-level fields of one JSON object into slots indexed by {@link Field#ordinal()}, so
 * that text and trees are validated by the same code.
 *
 * <p>A slot holds null (absent), a {@link String}, a {@link Long} or {@link java.math.BigInteger}
 * (JSON integer), a {@link Boolean}, for {@code attributes} a {@code Map<String, String>} or a
 * {@link BadAttributes}, and otherwise an {@link Other} that only serves to describe the value.
 *
 * <p>Text is read with the streaming parser rather than into a tree: it is the per-event hot path.
 */
final class JsonFields {

  /** A JSON value no field keeps as such (null, a fraction, an array...), described in messages. */
  record Other(String kind, String text) {}

  /** An {@code attributes} object with a non-string value or a repeated key. */
  record BadAttributes(String message) {}

  static final Other NULL = new Other("null", null);
  private static final Other OBJECT = new Other("object", null);
  private static final Other ARRAY = new Other("array", null);

  private JsonFields() {}

  /**
   * Fills {@code slots} from one JSON document. Returns the problem that precedes any field rule
   * (not JSON, not an object, a repeated or unknown field: the first in document order), or null.
   */
  static Parsed.Invalid read(JsonFactory factory, String text, Object[] slots) {
    if (text == null) {
      return new Parsed.Invalid(RejectReason.NOT_JSON, "not JSON: no input");
    }
    try (JsonParser p = factory.createParser(text)) {
      JsonToken token = p.nextToken();
      if (token == null) {
        return new Parsed.Invalid(RejectReason.NOT_JSON, "not JSON: empty input");
      }
      if (token != JsonToken.START_OBJECT) {
        Object value = scalarOrSkip(p, token);
        if (p.nextToken() != null) {
          return trailing(p);
        }
        return notObject(value);
      }
      Parsed.Invalid structural = null;
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        token = p.nextToken();
        Field field = Field.named(name);
        if (field == null || slots[field.ordinal()] != null) {
          if (structural == null) {
            structural = field == null ? unknown(name) : repeated(field);
          }
          p.skipChildren();
        } else if (field == Field.ATTRIBUTES && token == JsonToken.START_OBJECT) {
          slots[field.ordinal()] = attributes(p);
        } else {
          slots[field.ordinal()] = scalarOrSkip(p, token);
        }
      }
      if (p.nextToken() != null) {
        return trailing(p);
      }
      return structural;
    } catch (IOException | RuntimeException e) {
      // a String source cannot fail to read, so this is the parser refusing the input: its syntax
      // or one of its limits (StreamConstraintsException is not a StreamReadException)
      return notJson(e);
    }
  }

  /** Fills {@code slots} from a tree; same result as {@link #read} on the text of that tree. */
  static Parsed.Invalid read(JsonNode node, Object[] slots) {
    if (node == null || node.isMissingNode()) {
      return new Parsed.Invalid(RejectReason.NOT_JSON, "not JSON: no value");
    }
    if (!node.isObject()) {
      return notObject(valueOf(node));
    }
    // a tree has no repeated keys left, so the first unknown field is the only structural problem
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      Field field = Field.named(entry.getKey());
      if (field == null) {
        return unknown(entry.getKey());
      }
      JsonNode value = entry.getValue();
      slots[field.ordinal()] =
          field == Field.ATTRIBUTES && value.isObject() ? attributes(value) : valueOf(value);
    }
    return null;
  }

  private static Object scalarOrSkip(JsonParser p, JsonToken token) throws IOException {
    switch (token) {
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? p.getBigIntegerValue()
            : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return new Other("number", p.getText());
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return NULL;
      case START_OBJECT:
        p.skipChildren();
        return OBJECT;
      case START_ARRAY:
        p.skipChildren();
        return ARRAY;
      default:
        return new Other("value", null);
    }
  }

  private static Object attributes(JsonParser p) throws IOException {
    Map<String, String> map = new LinkedHashMap<>();
    String problem = null;
    for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
      JsonToken token = p.nextToken();
      if (token == JsonToken.VALUE_STRING) {
        if (map.put(key, p.getText()) != null && problem == null) {
          problem = "attributes: key " + Messages.quote(key) + " appears twice";
        }
      } else {
        Object value = scalarOrSkip(p, token);
        if (problem == null) {
          problem = nonString(key, value);
        }
      }
    }
    return problem == null ? map : new BadAttributes(problem);
  }

  private static Object attributes(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      JsonNode value = entry.getValue();
      if (!value.isTextual()) {
        return new BadAttributes(nonString(entry.getKey(), valueOf(value)));
      }
      map.put(entry.getKey(), value.textValue());
    }
    return map;
  }

  private static String nonString(String key, Object value) {
    return "attributes: value of "
        + Messages.quote(key)
        + " must be a string, got "
        + Messages.describe(value);
  }

  static Object valueOf(JsonNode node) {
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    }
    if (node.isNumber()) {
      return new Other("number", node.asText());
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNull() || node.isMissingNode()) {
      return NULL;
    }
    if (node.isObject()) {
      return OBJECT;
    }
    if (node.isArray()) {
      return ARRAY;
    }
    // binary or POJO nodes: not something JSON text can hold
    return new Other("value", null);
  }

  private static Parsed.Invalid unknown(String name) {
    return new Parsed.Invalid(
        RejectReason.UNKNOWN_FIELD,
        "unknown field " + Messages.quote(name) + " (extras belong in \"attributes\")");
  }

  private static Parsed.Invalid repeated(Field field) {
    return new Parsed.Invalid(RejectReason.INVALID_FIELD, field.json + ": appears twice");
  }

  static Parsed.Invalid notObject(Object value) {
    return new Parsed.Invalid(
        RejectReason.NOT_OBJECT, "not a JSON object: got " + Messages.describe(value));
  }

  static Parsed.Invalid trailing(JsonParser p) {
    return new Parsed.Invalid(
        RejectReason.NOT_JSON,
        "not JSON: unexpected content after the value" + where(p.currentTokenLocation()));
  }

  /** Whatever the parser threw on the input, as a rejection. */
  static Parsed.Invalid notJson(Exception e) {
    if (e instanceof JsonProcessingException json) {
      return new Parsed.Invalid(
          RejectReason.NOT_JSON,
          "not JSON: "
              + Messages.clip(String.valueOf(json.getOriginalMessage())).strip()
              + where(json.getLocation()));
    }
    return new Parsed.Invalid(
        RejectReason.NOT_JSON,
        "not JSON: " + Messages.clip(String.valueOf(e.getMessage())).strip());
  }

  private static String where(JsonLocation location) {
    if (location == null || location.getColumnNr() < 0) {
      return "";
    }
    return location.getLineNr() > 1
        ? " at line " + location.getLineNr() + ", column " + location.getColumnNr()
        : " at column " + location.getColumnNr();
  }
}
