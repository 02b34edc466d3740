package dev.patchwatch.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * A compatibility level applied with Avro's own reader/writer check, pair by pair.
 *
 * <p>Hand-written on top of Avro because Avro's {@code SchemaValidatorBuilder} accepts a renamed
 * record, which no reader can resolve, and Confluent's checker is not on Maven Central.
 */
public final class AvroCompatibility {

  private AvroCompatibility() {}

  /**
   * Checks {@code candidate} against the versions already registered under a subject.
   *
   * @param previous the registered versions, oldest first; only the last one counts unless the
   *     level is transitive
   */
  public static CompatibilityResult check(
      CompatibilityLevel level, Schema candidate, List<SubjectSchema> previous) {
    if (level == CompatibilityLevel.NONE || previous.isEmpty()) {
      return CompatibilityResult.ok();
    }
    List<SubjectSchema> against =
        level.transitive() ? previous : List.of(previous.get(previous.size() - 1));
    List<String> messages = new ArrayList<>();
    for (SubjectSchema old : against) {
      if (level.backward()) {
        explain(
            messages,
            "the new schema cannot read data written with version " + old.version(),
            SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema())
                .getResult());
      }
      if (level.forward()) {
        explain(
            messages,
            "version " + old.version() + " cannot read data written with the new schema",
            SchemaCompatibility.checkReaderWriterCompatibility(old.schema(), candidate)
                .getResult());
      }
    }
    return new CompatibilityResult(messages.isEmpty(), messages);
  }

  private static void explain(
      List<String> messages, String what, SchemaCompatibilityResult result) {
    if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    List<String> reasons = new ArrayList<>();
    for (Incompatibility incompatibility : result.getIncompatibilities()) {
      reasons.add(
          incompatibility.getType()
              + " at "
              + incompatibility.getLocation()
              + ": "
              + incompatibility.getMessage());
    }
    messages.add(what + ": " + String.join("; ", reasons));
  }
}
