package dev.patchwatch.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.TransitionCount;
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

  /** A transitions record, with {@code "kind": "transition"} first (DESIGN section 7.9). */
  public static String toJson(TransitionCount t) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("kind", "transition");
    node.put("windowStart", t.getWindowStart().toString());
    node.put("windowEnd", t.getWindowEnd().toString());
    node.put("vulnerability", t.getVulnerability());
    node.put("dimension", t.getDimension().name());
    node.put("value", t.getValue());
    node.put("hosts", t.getHosts());
    node.put("remediated", t.getRemediated());
    node.put("regressed", t.getRegressed());
    node.put("newlyCompromised", t.getNewlyCompromised());
    node.put("compromisedButRemediated", t.getCompromisedButRemediated());
    return node.toString();
  }

  /** A cohort point, with {@code "kind": "cohort"} first (DESIGN section 7.9). */
  public static String toJson(CohortCount c) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("kind", "cohort");
    node.put("vulnerability", c.getVulnerability());
    node.put("cohortDay", c.getCohortDay().toString());
    node.put("ageDays", c.getAgeDays());
    node.put("day", c.getDay().toString());
    node.put("dimension", c.getDimension().name());
    node.put("value", c.getValue());
    node.put("cohortSize", c.getCohortSize());
    node.put("observed", c.getObserved());
    node.put("vulnerable", c.getVulnerable());
    node.put("mitigated", c.getMitigated());
    node.put("patched", c.getPatched());
    node.put("unreachable", c.getUnreachable());
    return node.toString();
  }

  public static ObjectNode toNode(RemediationCount count) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("granularity", count.getGranularity().name());
    node.put("windowStart", count.getWindowStart().toString());
    node.put("windowEnd", count.getWindowEnd().toString());
    node.put("vulnerability", count.getVulnerability());
    node.put("dimension", count.getDimension().name());
    node.put("value", count.getValue());
    node.put("hosts", count.getHosts());
    node.put("vulnerable", count.getVulnerable());
    node.put("mitigated", count.getMitigated());
    node.put("patched", count.getPatched());
    node.put("unreachable", count.getUnreachable());
    node.put("compromised", count.getCompromised());
    if (count.getRemediatedRatio() == null) {
      node.putNull("remediatedRatio");
    } else {
      node.put("remediatedRatio", count.getRemediatedRatio());
    }
    return node;
  }

  public static String toJson(RemediationCount count) {
    return toNode(count).toString();
  }
}
