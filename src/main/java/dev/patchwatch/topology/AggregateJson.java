package dev.patchwatch.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RemediationCount;
import java.util.Comparator;

/** Aggregates as JSON lines: the field names of DESIGN section 3, times as ISO-8601 {@code Z}. */
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

  private AggregateJson() {}

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
