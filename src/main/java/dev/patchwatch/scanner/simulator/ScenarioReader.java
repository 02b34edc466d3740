package dev.patchwatch.scanner.simulator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads a scenario file into {@link ScenarioJson}, strictly: a duplicate or unknown field, trailing
 * content or a number written as text is an {@link InvalidScenarioException} naming the field by
 * its path, in our words rather than Jackson's.
 */
final class ScenarioReader {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          // "400000" for a number is a typo here, not a format to be lenient with
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private ScenarioReader() {}

  /** Does not close {@code json}. */
  static ScenarioJson read(InputStream json) {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidScenarioException("scenario: " + describe(e, null), e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading a scenario", e);
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidScenarioException(
          "scenario: expected a JSON object, got " + (tree == null ? "nothing" : found(tree)));
    }
    try {
      // from the tree, so that a mismatch can be shown with the value that caused it
      return MAPPER.treeToValue(tree, ScenarioJson.class);
    } catch (JsonProcessingException e) {
      throw new InvalidScenarioException("scenario: " + describe(e, tree), e);
    }
  }

  /** "exposed[1].hosts: message", in our words rather than Jackson's, which name our classes. */
  private static String describe(JsonProcessingException e, JsonNode tree) {
    List<JsonMappingException.Reference> references =
        e instanceof JsonMappingException mapping ? mapping.getPath() : List.of();
    String path = path(references);
    String message;
    if (e instanceof UnrecognizedPropertyException unknown) {
      List<String> known = new ArrayList<>();
      if (unknown.getKnownPropertyIds() != null) {
        unknown.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
      }
      Collections.sort(known);
      message = "unknown field (known fields here: " + String.join(", ", known) + ")";
    } else if (e instanceof MismatchedInputException mismatch
        && mismatch.getTargetType() != null
        && tree != null) {
      JsonNode node = tree;
      for (JsonMappingException.Reference ref : references) {
        node =
            ref.getFieldName() != null ? node.path(ref.getFieldName()) : node.path(ref.getIndex());
      }
      message = "expected " + kind(mismatch.getTargetType()) + ", got " + found(node);
    } else {
      message = e.getOriginalMessage();
      int newline = message.indexOf('\n');
      if (newline >= 0) {
        message = message.substring(0, newline);
      }
      if (e.getLocation() != null && tree == null) {
        message +=
            " (line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr()
                + ")";
      }
    }
    return path.isEmpty() ? message : path + ": " + message;
  }

  private static String kind(Class<?> type) {
    if (type == Long.class || type == Integer.class || type == long.class || type == int.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    return List.class.isAssignableFrom(type) ? "an array" : "an object";
  }

  private static String found(JsonNode node) {
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    // a value node: its JSON text, quotes included for a string
    String text = node.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  private static String path(List<JsonMappingException.Reference> references) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : references) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }
}
