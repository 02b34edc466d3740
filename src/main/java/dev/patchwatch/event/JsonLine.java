package dev.patchwatch.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one parser of a JSON-lines line, for every input that has them: {@code replay} and {@code
 * archive import} (canonical events), {@code ingest}'s {@code jsonl} (canonical events, as a tree)
 * and the formats built on JSON lines such as Nuclei's (any object). A line is checked in this
 * order, so the same line gets the same reason whichever command reads it: its size ({@code
 * TOO_LARGE}), UTF-8, not blank, JSON ({@code NOT_JSON}, whatever the parser objects to: syntax,
 * nesting, number or string length), one object ({@code NOT_OBJECT}); for canonical events then the
 * contract.
 */
public final class JsonLine {

  /**
   * Jackson's own limits, spelt out because they are part of what a line may hold: beyond them a
   * line is {@code NOT_JSON}. The string limit only matters when {@code max.event.bytes} is raised
   * above it.
   */
  static final StreamReadConstraints LIMITS =
      StreamReadConstraints.builder()
          .maxNestingDepth(1000)
          .maxNumberLength(1000)
          .maxStringLength(20_000_000)
          .maxNameLength(50_000)
          .build();

  static final JsonFactory FACTORY = JsonFactory.builder().streamReadConstraints(LIMITS).build();

  /**
   * For any object: refuses repeated keys, as a tree keeps only one of them and the result would
   * silently depend on which one the parser kept.
   */
  private static final ObjectMapper TREES =
      JsonMapper.builder(FACTORY.copy())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private JsonLine() {}

  /**
   * A line read as a JSON object: the object, or why it is not one.
   *
   * @param object the object; null if {@code problem} is set
   * @param problem why the line was refused; null if {@code object} is set
   */
  public record Read(ObjectNode object, Parsed.Invalid problem) {}

  /**
   * A line of canonical events checked against {@code contract}.
   *
   * @param line the line without its terminator, possibly cut to its first bytes when {@code
   *     length} is over the limit
   * @param length the line's full length in bytes
   */
  public static Parsed event(byte[] line, long length, EventContract contract) {
    Object text = text(line, length, contract.maxEventBytes());
    return text instanceof Parsed.Invalid invalid ? invalid : contract.parseJson((String) text);
  }

  /**
   * A line of canonical events as a tree, for readers that check trees with {@link
   * EventContract#fromJson}: refused for exactly what {@link #event} refuses it for, since the tree
   * can no longer show some of it (a repeated key). Checking an accepted tree with {@code fromJson}
   * gives the event {@link #event} gives.
   */
  public static Read eventObject(byte[] line, long length, EventContract contract) {
    Parsed parsed = event(line, length, contract);
    if (parsed instanceof Parsed.Invalid invalid) {
      return new Read(null, invalid);
    }
    return tree(new String(line, StandardCharsets.UTF_8));
  }

  /** A line holding any JSON object, repeated keys refused ({@code NOT_JSON}). */
  public static Read object(byte[] line, long length, int maxEventBytes) {
    Object text = text(line, length, maxEventBytes);
    return text instanceof Parsed.Invalid invalid ? new Read(null, invalid) : tree((String) text);
  }

  /** The text of a line, or why it cannot be JSON: too large, not UTF-8, blank. */
  private static Object text(byte[] line, long length, int maxEventBytes) {
    Parsed.Invalid tooLarge = EventContract.sizeProblem("line", length, maxEventBytes);
    if (tooLarge != null) {
      return tooLarge;
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(line))
              .toString();
    } catch (CharacterCodingException e) {
      // a decoder that replaced bad bytes would silently change what the scanner wrote
      return new Parsed.Invalid(RejectReason.NOT_JSON, "line is not valid UTF-8");
    }
    if (text.isBlank()) {
      return new Parsed.Invalid(RejectReason.NOT_JSON, "not JSON: empty line");
    }
    return text;
  }

  private static Read tree(String text) {
    try (JsonParser p = TREES.createParser(text)) {
      JsonNode node = TREES.readTree(p);
      if (p.nextToken() != null) {
        return new Read(null, JsonFields.trailing(p));
      }
      if (!node.isObject()) {
        return new Read(null, JsonFields.notObject(JsonFields.valueOf(node)));
      }
      return new Read((ObjectNode) node, null);
    } catch (Exception e) {
      return new Read(null, JsonFields.notJson(e));
    }
  }
}
