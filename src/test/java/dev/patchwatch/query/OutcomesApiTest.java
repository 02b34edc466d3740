package dev.patchwatch.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code /transitions} and {@code /cohorts} over a view fed fabricated records through the same
 * decoding as the topics' (no broker): what each answers, where it fills zeros and where it does
 * not, tombstones, and the parameters it refuses.
 */
class OutcomesApiTest {

  private static final String V = "CVE-2021-26855";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final Topics topics = Topics.create("pw", "pw", registry);
  private final AggregateView view;
  private final QueryApi api;
  private long offset;

  OutcomesApiTest() {
    Topics.registerSchemas(topics, registry);
    view = AggregateView.detached(topics);
    api =
        new QueryApi(
            view,
            TopologySettings.defaults(2),
            Clock.fixed(Instant.parse("2026-12-01T08:00:00Z"), ZoneOffset.UTC),
            List.of());
  }

  @Test
  void shouldServeADaySeriesOfTransitionsWithZerosWhereTheSliceHadNoHost() throws Exception {
    feed(
        transition("2026-11-27", Dimension.GLOBAL, "ALL", 10, 2, 1, 3, 0),
        transition("2026-11-28", Dimension.GLOBAL, "ALL", 12, 4, 0, 1, 2),
        transition("2026-11-29", Dimension.GLOBAL, "ALL", 9, 1, 2, 0, 3),
        transition("2026-11-27", Dimension.COUNTRY, "FR", 4, 1, 0, 2, 0),
        // no FR host on the 28th: the point is 0 there
        transition("2026-11-29", Dimension.COUNTRY, "FR", 3, 1, 1, 0, 1));

    JsonNode global = json(api.transitions(Map.of()));
    assertThat(global.get("vulnerability").asText()).isEqualTo(V);
    assertThat(rows(global))
        .containsExactly("2026-11-27 10 2 1 3 0", "2026-11-28 12 4 0 1 2", "2026-11-29 9 1 2 0 3");
    assertThat(global.get("points").get(1).get("windowStart").asText())
        .isEqualTo("2026-11-28T00:00:00Z");
    assertThat(global.get("points").get(1).get("windowEnd").asText())
        .isEqualTo("2026-11-29T00:00:00Z");

    JsonNode fr =
        json(api.transitions(Map.of("vulnerability", V, "dimension", "country", "value", "fr")));
    assertThat(fr.get("dimension").asText()).isEqualTo("COUNTRY");
    assertThat(fr.get("value").asText()).isEqualTo("FR");
    assertThat(rows(fr))
        .containsExactly("2026-11-27 4 1 0 2 0", "2026-11-28 0 0 0 0 0", "2026-11-29 3 1 1 0 1");

    JsonNode range =
        json(api.transitions(Map.of("from", "2026-11-28", "to", "2026-11-29T00:00:00Z")));
    assertThat(rows(range)).containsExactly("2026-11-28 12 4 0 1 2");
  }

  @Test
  void shouldRemoveATransitionOnItsTombstone() throws Exception {
    feed(
        transition("2026-11-27", Dimension.GLOBAL, "ALL", 10, 2, 1, 3, 0),
        transition("2026-11-28", Dimension.GLOBAL, "ALL", 12, 4, 0, 1, 2));
    feed(tombstone(topics.transitionsDaily(), countKey("2026-11-27", Dimension.GLOBAL, "ALL")));

    assertThat(rows(json(api.transitions(Map.of())))).containsExactly("2026-11-28 12 4 0 1 2");
    long read = view.read(s -> s.transitionRecords());
    assertThat(read).as("records read, the tombstone not among them").isEqualTo(2);
  }

  @Test
  void shouldDrawTheEarliestCohortUnlessOneIsChosenAndListThemAll() throws Exception {
    feed(
        cohort("2026-11-25", 0, Dimension.GLOBAL, "ALL", 8, 8, 8, 0, 0, 0),
        cohort("2026-11-25", 1, Dimension.GLOBAL, "ALL", 8, 6, 4, 1, 1, 0),
        cohort("2026-11-25", 2, Dimension.GLOBAL, "ALL", 8, 0, 0, 0, 0, 0),
        cohort("2026-11-25", 3, Dimension.GLOBAL, "ALL", 8, 7, 2, 1, 3, 1),
        cohort("2026-11-26", 0, Dimension.GLOBAL, "ALL", 5, 5, 5, 0, 0, 0),
        cohort("2026-11-26", 1, Dimension.GLOBAL, "ALL", 5, 5, 4, 0, 1, 0),
        cohort("2026-11-25", 0, Dimension.ASN, "64500", 3, 3, 3, 0, 0, 0));

    JsonNode earliest = json(api.cohorts(Map.of()));
    assertThat(earliest.get("cohortDay").asText()).isEqualTo("2026-11-25");
    assertThat(earliest.get("cohortSize").asLong()).isEqualTo(8);
    assertThat(earliest.get("cohortDays"))
        .extracting(
            d ->
                d.get("cohortDay").asText()
                    + " size "
                    + d.get("cohortSize").asLong()
                    + " ages "
                    + d.get("ages").asInt()
                    + " last "
                    + d.get("lastAge").asInt())
        .containsExactly("2026-11-25 size 8 ages 4 last 3", "2026-11-26 size 5 ages 2 last 1");
    assertThat(points(earliest))
        .containsExactly(
            "0 2026-11-25 8 8 8 0 0 0 1.0 1.0",
            "1 2026-11-26 8 6 4 1 1 0 0.5 0.6666666666666666",
            // nobody seen at age 2: a point all the same (no hole), its share of observed unknown
            "2 2026-11-27 8 0 0 0 0 0 0.0 null",
            "3 2026-11-28 8 7 2 1 3 1 0.25 0.2857142857142857");

    JsonNode chosen = json(api.cohorts(Map.of("cohortDay", "2026-11-26")));
    assertThat(chosen.get("cohortDay").asText()).isEqualTo("2026-11-26");
    assertThat(points(chosen))
        .containsExactly("0 2026-11-26 5 5 5 0 0 0 1.0 1.0", "1 2026-11-27 5 5 4 0 1 0 0.8 0.8");

    JsonNode asn = json(api.cohorts(Map.of("dimension", "ASN", "value", "64500")));
    assertThat(asn.get("cohortDays")).hasSize(1);
    assertThat(points(asn)).containsExactly("0 2026-11-25 3 3 3 0 0 0 1.0 1.0");

    // a day with no cohort: nothing to draw, not an error
    JsonNode none = json(api.cohorts(Map.of("cohortDay", "2026-11-20")));
    assertThat(none.get("cohortDay").asText()).isEqualTo("2026-11-20");
    assertThat(none.get("cohortSize").isNull()).isTrue();
    assertThat(none.get("points")).isEmpty();
    assertThat(none.get("cohortDays")).hasSize(2);
  }

  @Test
  void shouldRemoveACohortPointOnItsTombstoneAndTheCohortWithItsLastPoint() throws Exception {
    feed(
        cohort("2026-11-25", 0, Dimension.GLOBAL, "ALL", 8, 8, 8, 0, 0, 0),
        cohort("2026-11-25", 1, Dimension.GLOBAL, "ALL", 8, 6, 4, 1, 1, 0),
        cohort("2026-11-26", 0, Dimension.GLOBAL, "ALL", 5, 5, 5, 0, 0, 0));
    feed(
        tombstone(topics.cohortsDaily(), cohortKey("2026-11-25", 0, Dimension.GLOBAL, "ALL")),
        tombstone(topics.cohortsDaily(), cohortKey("2026-11-26", 0, Dimension.GLOBAL, "ALL")));

    JsonNode body = json(api.cohorts(Map.of()));
    assertThat(body.get("cohortDays"))
        .extracting(d -> d.get("cohortDay").asText())
        .containsExactly("2026-11-25");
    assertThat(points(body)).containsExactly("1 2026-11-26 8 6 4 1 1 0 0.5 0.6666666666666666");
  }

  @Test
  void shouldSkipACohortPointOfAnAgeBeyond28RatherThanStopReading() throws Exception {
    feed(
        cohort("2026-11-25", 29, Dimension.GLOBAL, "ALL", 8, 8, 8, 0, 0, 0),
        cohort("2026-11-25", 28, Dimension.GLOBAL, "ALL", 8, 2, 1, 0, 1, 0));

    assertThat(view.skipped()).isEqualTo(1);
    assertThat(points(json(api.cohorts(Map.of()))))
        .containsExactly("28 2026-12-23 8 2 1 0 1 0 0.125 0.5");
  }

  @Test
  void shouldAnswerEmptyBeforeAnythingIsRead() throws Exception {
    JsonNode transitions = json(api.transitions(Map.of()));
    assertThat(transitions.get("vulnerability").isNull()).isTrue();
    assertThat(transitions.get("points")).isEmpty();
    JsonNode cohorts = json(api.cohorts(Map.of()));
    assertThat(cohorts.get("cohortDay").isNull()).isTrue();
    assertThat(cohorts.get("cohortDays")).isEmpty();
    assertThat(cohorts.get("points")).isEmpty();
  }

  @Test
  void shouldRefuseBadParametersNamingThem() throws Exception {
    feed(
        transition("2026-11-27", Dimension.GLOBAL, "ALL", 10, 2, 1, 3, 0),
        cohort("2026-11-25", 0, Dimension.GLOBAL, "ALL", 8, 8, 8, 0, 0, 0));
    // a second vulnerability: one must be named
    feed(
        record(
            topics.transitionsDaily(),
            new CountKey(
                Granularity.DAILY, day("2026-11-27"), "CVE-2021-27065", Dimension.GLOBAL, "ALL"),
            new TransitionCount(
                day("2026-11-27"),
                day("2026-11-28"),
                "CVE-2021-27065",
                Dimension.GLOBAL,
                "ALL",
                1L,
                0L,
                0L,
                0L,
                0L)));
    assertBad(() -> api.transitions(Map.of()), "vulnerability");
    assertBad(() -> api.cohorts(Map.of()), "vulnerability");
    assertBad(() -> api.cohorts(with("cohortDay", "yesterday")), "cohortDay");
    assertBad(() -> api.cohorts(with("cohortDay", "2026-11-25T00:00:00Z")), "cohortDay");
    assertBad(() -> api.cohorts(with("day", "2026-11-25")), "day");
    assertBad(() -> api.cohorts(with("dimension", "COUNTRY")), "value");
    assertBad(() -> api.cohorts(with("dimension", "CITY")), "dimension");
    assertBad(() -> api.transitions(with("from", "2026-11-28", "to", "2026-11-27")), "to");
    assertBad(() -> api.transitions(with("from", "soon")), "from");
    assertBad(() -> api.transitions(with("value", "FR")), "value");
    assertBad(() -> api.transitions(with("cohortDay", "2026-11-25")), "cohortDay");
    assertBad(() -> api.transitions(Map.of("vulnerability", " ")), "vulnerability");
    assertThat(json(api.transitions(with())).get("points")).hasSize(1);
  }

  /** {@code more} (name, value, …) and the vulnerability. */
  private static Map<String, String> with(String... more) {
    Map<String, String> params = new java.util.HashMap<>();
    params.put("vulnerability", V);
    for (int i = 0; i < more.length; i += 2) {
      params.put(more[i], more[i + 1]);
    }
    return params;
  }

  private static void assertBad(Runnable call, String parameter) {
    assertThatThrownBy(call::run)
        .isInstanceOf(QueryApi.BadParameter.class)
        .satisfies(e -> assertThat(((QueryApi.BadParameter) e).parameter()).isEqualTo(parameter))
        .hasMessageStartingWith(parameter + ": ");
  }

  private static List<String> rows(JsonNode body) {
    List<String> rows = new ArrayList<>();
    for (JsonNode p : body.get("points")) {
      rows.add(
          String.join(
              " ",
              p.get("date").asText(),
              p.get("hosts").asText(),
              p.get("remediated").asText(),
              p.get("regressed").asText(),
              p.get("newlyCompromised").asText(),
              p.get("compromisedButRemediated").asText()));
    }
    return rows;
  }

  private static List<String> points(JsonNode body) {
    List<String> rows = new ArrayList<>();
    for (JsonNode p : body.get("points")) {
      rows.add(
          String.join(
              " ",
              p.get("ageDays").asText(),
              p.get("date").asText(),
              p.get("cohortSize").asText(),
              p.get("observed").asText(),
              p.get("vulnerable").asText(),
              p.get("mitigated").asText(),
              p.get("patched").asText(),
              p.get("unreachable").asText(),
              p.get("survival").asText(),
              p.get("survivalObserved").asText()));
    }
    return rows;
  }

  private static JsonNode json(JsonNode node) throws Exception {
    return JSON.readTree(node.toString());
  }

  @SafeVarargs
  private void feed(ConsumerRecord<byte[], byte[]>... records) {
    view.apply(List.of(records));
  }

  private ConsumerRecord<byte[], byte[]> transition(
      String date,
      Dimension dimension,
      String value,
      long hosts,
      long remediated,
      long regressed,
      long newlyCompromised,
      long compromisedButRemediated) {
    Instant start = day(date);
    return record(
        topics.transitionsDaily(),
        countKey(date, dimension, value),
        new TransitionCount(
            start,
            start.plus(Duration.ofDays(1)),
            V,
            dimension,
            value,
            hosts,
            remediated,
            regressed,
            newlyCompromised,
            compromisedButRemediated));
  }

  private ConsumerRecord<byte[], byte[]> cohort(
      String cohortDay,
      int age,
      Dimension dimension,
      String value,
      long size,
      long observed,
      long vulnerable,
      long mitigated,
      long patched,
      long unreachable) {
    return record(
        topics.cohortsDaily(),
        cohortKey(cohortDay, age, dimension, value),
        new CohortCount(
            V,
            day(cohortDay),
            age,
            day(cohortDay).plus(Duration.ofDays(age)),
            dimension,
            value,
            size,
            observed,
            vulnerable,
            mitigated,
            patched,
            unreachable));
  }

  private static CountKey countKey(String date, Dimension dimension, String value) {
    return new CountKey(Granularity.DAILY, day(date), V, dimension, value);
  }

  private static CohortKey cohortKey(String cohortDay, int age, Dimension dimension, String value) {
    return new CohortKey(V, day(cohortDay), age, dimension, value);
  }

  private <K, T> ConsumerRecord<byte[], byte[]> record(TopicSpec<K, T> spec, K key, T value) {
    return new ConsumerRecord<>(
        spec.name(),
        0,
        offset++,
        spec.keySerde().serializer().serialize(spec.name(), key),
        spec.valueSerde().serializer().serialize(spec.name(), value));
  }

  private <K, T> ConsumerRecord<byte[], byte[]> tombstone(TopicSpec<K, T> spec, K key) {
    return new ConsumerRecord<>(
        spec.name(), 0, offset++, spec.keySerde().serializer().serialize(spec.name(), key), null);
  }

  private static Instant day(String date) {
    return Instant.parse(date + "T00:00:00Z");
  }
}
