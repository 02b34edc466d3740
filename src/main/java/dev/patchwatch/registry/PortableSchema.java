package dev.patchwatch.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;

/**
 * The form of a schema that goes to the registry: the schema without the properties that only
 * Avro's Java code reads ({@code "avro.java.string":"String"}, which the code generator puts on
 * every string for {@code stringType=String}, and the {@code java-class} hints). A client in
 * another language that registers or looks up the {@code .avsc} file then meets the same schema and
 * id, not a second version; Java readers lose nothing, since they resolve what they read against
 * their generated class, which keeps the properties.
 */
public final class PortableSchema {

  static final Set<String> JAVA_ONLY =
      Set.of(
          GenericData.STRING_PROP,
          SpecificData.CLASS_PROP,
          SpecificData.KEY_CLASS_PROP,
          SpecificData.ELEMENT_PROP);

  private static final ObjectMapper JSON = new ObjectMapper();

  private PortableSchema() {}

  /** {@code schema} without the Java-only properties, itself when it has none. */
  public static Schema of(Schema schema) {
    String text = schema.toString();
    if (JAVA_ONLY.stream().noneMatch(text::contains)) {
      return schema;
    }
    try {
      JsonNode tree = JSON.readTree(text);
      strip(tree);
      // Parsed again, so that {"type":"string"} reads back as "string", as in a hand-written file.
      return new Schema.Parser().parse(JSON.writeValueAsString(tree));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Avro wrote a schema that is not JSON: " + text, e);
    }
  }

  /** The JSON text registered for {@code schema}. */
  public static String text(Schema schema) {
    return of(schema).toString();
  }

  /** Whether two schemas are the same once the Java-only properties are set aside. */
  public static boolean same(Schema a, Schema b) {
    return a.equals(b) || of(a).equals(of(b));
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode object) {
      JAVA_ONLY.forEach(object::remove);
    }
    node.forEach(PortableSchema::strip);
  }
}
