package dev.patchwatch.topology;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.TransitionCount;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Comparator;

/**
 * Aggregates as JSON lines: the field names of DESIGN sections 3 and 7.9, times as ISO-8601 {@code
 * Z}. Count records have no {@code kind}; transitions and cohort points say which they are.
 */
public final class AggregateJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * (granularity, windowStart, vulnerability, dimension, value): the order files are written in.
   */
  public static final Comparator<RemediationCount> ORDER =
      Comparator.comparing(RemediationCount::getGranularity)
          .thenComparing(RemediationCount::getWindowStart)
          .thenComparing(RemediationCount::getVulnerability, EventOrder::compareCodePoints)
          .thenComparing(RemediationCount::getDimension)
          .thenComparing(RemediationCount::getValue, EventOrder::compareCodePoints);

  /** Transitions in the order files are written in: like counts, by day. */
  public static final Comparator<TransitionCount> TRANSITION_ORDER =
      Comparator.comparing(TransitionCount::getWindowStart)
          .thenComparing(TransitionCount::getVulnerability, EventOrder::compareCodePoints)
          .thenComparing(TransitionCount::getDimension)
          .thenComparing(TransitionCount::getValue, EventOrder::compareCodePoints);

  /** Cohort points in the order files are written in: (vulnerability, cohort day, age, slice). */
  public static final Comparator<CohortCount> COHORT_ORDER =
      Comparator.comparing(CohortCount::getVulnerability, EventOrder::compareCodePoints)
          .thenComparing(CohortCount::getCohortDay)
          .thenComparing(CohortCount::getAgeDays)
          .thenComparing(CohortCount::getDimension)
          .thenComparing(CohortCount::getValue, EventOrder::compareCodePoints);

  private AggregateJson() {}

  /** Writes an object's fields. */
  @FunctionalInterface
  private interface Fields {
    void write(JsonGenerator json) throws IOException;
  }

  /**
   * One object written straight to text: a file of millions of aggregates spent a third of its
   * writing time building and printing tree nodes.
   */
  private static String json(Fields fields) {
    StringWriter text = new StringWriter(256);
    try (JsonGenerator json = MAPPER.getFactory().createGenerator(text)) {
      json.writeStartObject();
      fields.write(json);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** A transitions record, with {@code "kind": "transition"} first (DESIGN section 7.9). */
  public static String toJson(TransitionCount t) {
    return json(
        json -> {
          json.writeStringField("kind", "transition");
          json.writeStringField("windowStart", t.getWindowStart().toString());
          json.writeStringField("windowEnd", t.getWindowEnd().toString());
          json.writeStringField("vulnerability", t.getVulnerability());
          json.writeStringField("dimension", t.getDimension().name());
          json.writeStringField("value", t.getValue());
          json.writeNumberField("hosts", t.getHosts());
          json.writeNumberField("remediated", t.getRemediated());
          json.writeNumberField("regressed", t.getRegressed());
          json.writeNumberField("newlyCompromised", t.getNewlyCompromised());
          json.writeNumberField("compromisedButRemediated", t.getCompromisedButRemediated());
        });
  }

  /** A cohort point, with {@code "kind": "cohort"} first (DESIGN section 7.9). */
  public static String toJson(CohortCount c) {
    return json(
        json -> {
          json.writeStringField("kind", "cohort");
          json.writeStringField("vulnerability", c.getVulnerability());
          json.writeStringField("cohortDay", c.getCohortDay().toString());
          json.writeNumberField("ageDays", c.getAgeDays());
          json.writeStringField("day", c.getDay().toString());
          json.writeStringField("dimension", c.getDimension().name());
          json.writeStringField("value", c.getValue());
          json.writeNumberField("cohortSize", c.getCohortSize());
          json.writeNumberField("observed", c.getObserved());
          json.writeNumberField("vulnerable", c.getVulnerable());
          json.writeNumberField("mitigated", c.getMitigated());
          json.writeNumberField("patched", c.getPatched());
          json.writeNumberField("unreachable", c.getUnreachable());
        });
  }

  /** A count as a tree, for documents that hold counts: the same fields as {@link #toJson}. */
  public static ObjectNode toNode(RemediationCount count) {
    try (TokenBuffer tokens = new TokenBuffer(MAPPER, false)) {
      tokens.writeStartObject();
      writeCount(tokens, count);
      tokens.writeEndObject();
      return (ObjectNode) MAPPER.readTree(tokens.asParser());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String toJson(RemediationCount count) {
    return json(json -> writeCount(json, count));
  }

  private static void writeCount(JsonGenerator json, RemediationCount count) throws IOException {
    json.writeStringField("granularity", count.getGranularity().name());
    json.writeStringField("windowStart", count.getWindowStart().toString());
    json.writeStringField("windowEnd", count.getWindowEnd().toString());
    json.writeStringField("vulnerability", count.getVulnerability());
    json.writeStringField("dimension", count.getDimension().name());
    json.writeStringField("value", count.getValue());
    json.writeNumberField("hosts", count.getHosts());
    json.writeNumberField("vulnerable", count.getVulnerable());
    json.writeNumberField("mitigated", count.getMitigated());
    json.writeNumberField("patched", count.getPatched());
    json.writeNumberField("unreachable", count.getUnreachable());
    json.writeNumberField("compromised", count.getCompromised());
    if (count.getRemediatedRatio() == null) {
      json.writeNullField("remediatedRatio");
    } else {
      json.writeNumberField("remediatedRatio", count.getRemediatedRatio());
    }
  }
}
