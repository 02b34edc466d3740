package dev.patchwatch.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.topology.EventTimeRange;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What PatchWatch remembers about a reprocessing run, in the {@code <prefix>.runs} topic (DESIGN
 * section 7.5): enough to resume it, to tell whether it caught up, and to promote exactly its
 * range.
 *
 * @param applicationId the run's Kafka Streams application id
 * @param scansTopic the topic it reads
 * @param range the observedAt range it counts
 * @param startedAt when it was first started
 * @param caughtUpAt when it had first processed the whole history present at its start
 * @param promotedAt when it was last promoted
 * @param promotion what that promotion wrote, one line
 */
public record RunRecord(
    RunId id,
    String applicationId,
    String scansTopic,
    EventTimeRange range,
    Instant startedAt,
    Optional<Instant> caughtUpAt,
    Optional<Instant> promotedAt,
    Optional<String> promotion) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public RunRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(scansTopic, "scansTopic");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(caughtUpAt, "caughtUpAt");
    Objects.requireNonNull(promotedAt, "promotedAt");
    Objects.requireNonNull(promotion, "promotion");
  }

  public static RunRecord started(
      RunId id, String applicationId, String scansTopic, EventTimeRange range, Instant at) {
    return new RunRecord(
        id,
        applicationId,
        scansTopic,
        range,
        at,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public RunRecord withCaughtUp(Instant at) {
    return new RunRecord(
        id, applicationId, scansTopic, range, startedAt, Optional.of(at), promotedAt, promotion);
  }

  public RunRecord withPromotion(Instant at, String summary) {
    return new RunRecord(
        id,
        applicationId,
        scansTopic,
        range,
        startedAt,
        caughtUpAt,
        Optional.of(at),
        Optional.of(summary));
  }

  /**
   * JSON rather than Avro: run bookkeeping is read by operators with any console consumer, and by
   * PatchWatch only; it carries no data.
   */
  public String toJson() {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", id.value());
    node.put("applicationId", applicationId);
    node.put("scansTopic", scansTopic);
    range.from().ifPresent(t -> node.put("from", t.toString()));
    range.to().ifPresent(t -> node.put("to", t.toString()));
    node.put("startedAt", startedAt.toString());
    caughtUpAt.ifPresent(t -> node.put("caughtUpAt", t.toString()));
    promotedAt.ifPresent(t -> node.put("promotedAt", t.toString()));
    promotion.ifPresent(t -> node.put("promotion", t));
    return node.toString();
  }

  /**
   * @throws IllegalArgumentException if {@code json} is not a run record
   */
  public static RunRecord fromJson(String json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      return new RunRecord(
          new RunId(text(node, "id").orElseThrow(() -> missing("id"))),
          text(node, "applicationId").orElseThrow(() -> missing("applicationId")),
          text(node, "scansTopic").orElseThrow(() -> missing("scansTopic")),
          new EventTimeRange(instant(node, "from"), instant(node, "to")),
          instant(node, "startedAt").orElseThrow(() -> missing("startedAt")),
          instant(node, "caughtUpAt"),
          instant(node, "promotedAt"),
          text(node, "promotion"));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("not a run record: " + e.getMessage(), e);
    }
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }

  private static Optional<Instant> instant(JsonNode node, String field) {
    return text(node, field).map(Instant::parse);
  }

  private static IllegalArgumentException missing(String field) {
    return new IllegalArgumentException("no " + field);
  }
}
