package dev.patchwatch.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.topology.AggregateJson;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API on a running stack (real broker, real registry) over a randomized stream with late
 * events, against the reference model: every series as stored, the curves, the breakdowns, the
 * status and the metrics; the transitions and cohorts as their topics hold them, whose keys, hosts
 * and cohort sizes the reference's DAILY counts fix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class HttpApiIT {

  private static final int PARTITIONS = 3;
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)");

  private RunningStack stack;
  private List<ScanEvent> events;
  private ReferenceModel.Result reference;
  private Instant watermark;
  private List<RemediationCount> daily;
  private long expectedCohortPoints;

  @BeforeAll
  void runTheStream(@TempDir Path dir) throws Exception {
    events =
        RandomEvents.generate(
            1414, RandomEvents.Options.withLateEvents().withDays(3).withHosts(120));
    reference = ReferenceModel.compute(events, PARTITIONS);
    assertThat(reference.late()).as("the stream has late events").isNotEmpty();
    stack =
        RunningStack.start(
            "http-api", PARTITIONS, dir.resolve("state"), Optional.empty(), List.of(), clock());
    Instant last = events.stream().map(ScanEvent::getObservedAt).max(Instant::compareTo).get();
    watermark = Instant.ofEpochMilli(stack.settings.closingProgress(last.toEpochMilli()));
    stack.publishAndClose(events, watermark);
    // the last finals are committed at the next commit: wait until the view has read them all
    long expected = reference.finals().size();
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (finalsInView() < expected) {
      assertThat(System.nanoTime()).as("the view reads every final in time").isLessThan(deadline);
      Thread.sleep(50);
    }
    // one transition per DAILY final (both: a slice with a host that day); a cohort per DAILY
    // final with a VULNERABLE host, a point per age up to 28 through the last closed day
    daily =
        reference.finals().stream().filter(f -> f.getGranularity() == Granularity.DAILY).toList();
    Instant lastClosedDay =
        watermark
            .minus(stack.settings.grace(Granularity.DAILY))
            .truncatedTo(ChronoUnit.DAYS)
            .minus(Duration.ofDays(1));
    expectedCohortPoints =
        daily.stream()
            .filter(f -> f.getVulnerable() > 0)
            .mapToLong(
                f -> Math.min(29, Duration.between(f.getWindowStart(), lastClosedDay).toDays() + 1))
            .sum();
    while (transitionsInView() < daily.size() || cohortPointsInView() < expectedCohortPoints) {
      if (System.nanoTime() > deadline) {
        break; // the tests say what is missing
      }
      Thread.sleep(50);
    }
    stack.dashboard.view().awaitCurrent(Duration.ofSeconds(180));
  }

  private long transitionsInView() {
    return stack.dashboard.view().read(s -> s.transitionRecords());
  }

  private long cohortPointsInView() {
    return stack.dashboard.view().read(s -> s.cohortRecords());
  }

  private long finalsInView() {
    return stack
        .dashboard
        .view()
        .read(s -> s.finalRecords().values().stream().mapToLong(Long::longValue).sum());
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldServeEverySeriesAsTheReferenceComputesIt() throws Exception {
    Map<List<String>, List<RemediationCount>> bySeries = new LinkedHashMap<>();
    reference.finals().stream()
        .sorted(ReferenceModel.OUTPUT_ORDER)
        .forEach(
            f ->
                bySeries
                    .computeIfAbsent(
                        List.of(
                            f.getGranularity().name(),
                            f.getVulnerability(),
                            f.getDimension().name(),
                            f.getValue()),
                        k -> new ArrayList<>())
                    .add(f));
    assertThat(bySeries).hasSizeGreaterThan(50);
    for (Map.Entry<List<String>, List<RemediationCount>> series : bySeries.entrySet()) {
      List<String> k = series.getKey();
      JsonNode body =
          stack.json(
              "/api/v1/counts/"
                  + k.get(0).toLowerCase(Locale.ROOT)
                  + "?vulnerability="
                  + enc(k.get(1))
                  + "&dimension="
                  + k.get(2)
                  + (k.get(2).equals("GLOBAL") ? "" : "&value=" + enc(k.get(3))));
      ArrayNode expected = RunningStack.JSON.createArrayNode();
      series.getValue().forEach(f -> expected.add(AggregateJson.toNode(f)));
      assertThat(body.get("records")).as("series %s", k).isEqualTo(sameTypes(expected));
    }
  }

  @Test
  void shouldSelectWindowsFromToAsTheHistoryCommandsDo() throws Exception {
    List<RemediationCount> daily =
        reference.finals().stream()
            .filter(f -> f.getGranularity() == Granularity.DAILY)
            .filter(f -> f.getDimension() == Dimension.GLOBAL)
            .sorted(ReferenceModel.OUTPUT_ORDER)
            .toList();
    RemediationCount second = daily.get(1);
    LocalDate day = LocalDate.ofInstant(second.getWindowStart(), ZoneOffset.UTC);
    JsonNode body =
        stack.json(
            "/api/v1/counts/daily?vulnerability="
                + second.getVulnerability()
                + "&from="
                + day
                + "&to="
                + enc(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toOffsetDateTime().toString()));
    assertThat(body.get("records")).hasSize(1);
    assertThat(body.get("records").get(0)).isEqualTo(sameTypes(AggregateJson.toNode(second)));
  }

  @Test
  void shouldDrawTheCurveOfEveryVulnerabilityAndCountryFromTheFinals() throws Exception {
    Map<String, Map<String, Long>> hostsByCountry = new TreeMap<>();
    reference.finals().stream()
        .filter(f -> f.getDimension() == Dimension.COUNTRY)
        .forEach(
            f ->
                hostsByCountry
                    .computeIfAbsent(f.getVulnerability(), v -> new TreeMap<>())
                    .merge(f.getValue(), f.getHosts(), Long::sum));
    assertThat(hostsByCountry).hasSizeGreaterThan(1);
    for (String vulnerability : hostsByCountry.keySet()) {
      assertCurve(vulnerability, Dimension.GLOBAL, "ALL");
      // every country, those missing from some windows included (their points are 0 there)
      for (String country : hostsByCountry.get(vulnerability).keySet()) {
        assertCurve(vulnerability, Dimension.COUNTRY, country);
      }
    }
  }

  private void assertCurve(String vulnerability, Dimension dimension, String value)
      throws Exception {
    Map<Instant, RemediationCount> global = new TreeMap<>();
    Map<Instant, RemediationCount> slice = new HashMap<>();
    for (RemediationCount f : reference.finals()) {
      if (f.getGranularity() != Granularity.EXPOSURE
          || !f.getVulnerability().equals(vulnerability)) {
        continue;
      }
      if (f.getDimension() == Dimension.GLOBAL) {
        global.put(f.getWindowStart(), f);
      }
      if (f.getDimension() == dimension && f.getValue().equals(value)) {
        slice.put(f.getWindowStart(), f);
      }
    }
    ArrayNode expected = RunningStack.JSON.createArrayNode();
    Map<LocalDate, Long> exposedByDate = new HashMap<>();
    for (RemediationCount g : global.values()) {
      RemediationCount c = slice.get(g.getWindowStart());
      LocalDate date = LocalDate.ofInstant(g.getWindowEnd(), ZoneOffset.UTC);
      long exposed = c == null ? 0 : c.getVulnerable();
      exposedByDate.put(date, exposed);
      Long weekBefore = exposedByDate.get(date.minusDays(7));
      ObjectNode p = expected.addObject();
      p.put("date", date.toString());
      p.put("windowStart", g.getWindowStart().toString());
      p.put("windowEnd", g.getWindowEnd().toString());
      p.put("exposed", exposed);
      p.put("hosts", c == null ? 0 : c.getHosts());
      p.put("mitigated", c == null ? 0 : c.getMitigated());
      p.put("patched", c == null ? 0 : c.getPatched());
      p.put("unreachable", c == null ? 0 : c.getUnreachable());
      p.put("compromised", c == null ? 0 : c.getCompromised());
      if (c == null || c.getRemediatedRatio() == null) {
        p.putNull("remediatedRatio");
      } else {
        p.put("remediatedRatio", c.getRemediatedRatio());
      }
      if (weekBefore == null || weekBefore == 0) {
        p.putNull("weekOverWeek");
      } else {
        p.put("weekOverWeek", (double) exposed / weekBefore - 1);
      }
      p.put("final", true);
    }
    JsonNode body =
        stack.json(
            "/api/v1/curve?vulnerability="
                + vulnerability
                + "&dimension="
                + dimension
                + (dimension == Dimension.GLOBAL ? "" : "&value=" + enc(value)));
    assertThat(body.get("points"))
        .as("%s %s %s", vulnerability, dimension, value)
        .isEqualTo(sameTypes(expected));
  }

  @Test
  void shouldBreakAWindowDownMostExposedFirst() throws Exception {
    List<RemediationCount> exposure =
        reference.finals().stream()
            .filter(f -> f.getGranularity() == Granularity.EXPOSURE)
            .sorted(ReferenceModel.OUTPUT_ORDER)
            .toList();
    RemediationCount middle = exposure.get(exposure.size() / 2);
    String vulnerability = middle.getVulnerability();
    LocalDate date = LocalDate.ofInstant(middle.getWindowEnd(), ZoneOffset.UTC);
    for (Dimension dimension : List.of(Dimension.COUNTRY, Dimension.ASN, Dimension.SCANNER)) {
      List<RemediationCount> expected =
          exposure.stream()
              .filter(f -> f.getWindowStart().equals(middle.getWindowStart()))
              .filter(f -> f.getVulnerability().equals(vulnerability))
              .filter(f -> f.getDimension() == dimension)
              .sorted(
                  Comparator.comparingLong(RemediationCount::getVulnerable)
                      .reversed()
                      .thenComparing(
                          Comparator.comparingLong(RemediationCount::getHosts).reversed())
                      .thenComparing(RemediationCount::getValue))
              .toList();
      JsonNode body =
          stack.json(
              "/api/v1/breakdown?vulnerability="
                  + vulnerability
                  + "&date="
                  + date
                  + "&dimension="
                  + dimension.name().toLowerCase(Locale.ROOT)
                  + "&limit=1000");
      assertThat(body.get("final").asBoolean()).isTrue();
      assertThat(body.get("date").asText()).isEqualTo(date.toString());
      assertThat(body.get("total").asInt()).isEqualTo(expected.size());
      assertThat(body.get("rows"))
          .extracting(r -> r.get("value").asText() + "=" + r.get("exposed").asLong())
          .as("%s", dimension)
          .containsExactlyElementsOf(
              expected.stream().map(f -> f.getValue() + "=" + f.getVulnerable()).toList());
      JsonNode top =
          stack.json(
              "/api/v1/breakdown?vulnerability="
                  + vulnerability
                  + "&date="
                  + date
                  + "&dimension="
                  + dimension
                  + "&limit=2");
      assertThat(top.get("rows")).hasSize(Math.min(2, expected.size()));
    }
  }

  @Test
  void shouldServeTransitionsAsTheTopicHoldsThem() throws Exception {
    Map<List<String>, TransitionCount> stored = new TreeMap<>(HttpApiIT::compareKeys);
    TopicReader.readAll(
        SharedKafka.bootstrapServers(),
        Map.of(),
        stack.pipeline.topics().transitionsDaily(),
        r -> {
          CountKey k = r.key();
          List<String> key =
              List.of(
                  k.getWindowStart().toString(),
                  k.getVulnerability(),
                  k.getDimension().name(),
                  k.getValue());
          assertThat(stored.put(key, r.value())).as("published once: %s", key).isNull();
        });
    // the reference's DAILY counts fix which records there are and their hosts
    Map<List<String>, Long> hosts = new TreeMap<>(HttpApiIT::compareKeys);
    daily.forEach(
        f ->
            hosts.put(
                List.of(
                    f.getWindowStart().toString(),
                    f.getVulnerability(),
                    f.getDimension().name(),
                    f.getValue()),
                f.getHosts()));
    Map<List<String>, Long> storedHosts = new TreeMap<>(HttpApiIT::compareKeys);
    stored.forEach((k, t) -> storedHosts.put(k, t.getHosts()));
    assertThat(storedHosts).isEqualTo(hosts);
    assertThat(stored.values().stream().mapToLong(TransitionCount::getRemediated).sum())
        .as("the stream has remediations")
        .isPositive();
    assertThat(stored.values().stream().mapToLong(TransitionCount::getRegressed).sum())
        .as("and regressions")
        .isPositive();
    assertThat(
            stored.values().stream().mapToLong(TransitionCount::getCompromisedButRemediated).sum())
        .as("and compromise that patching did not remove")
        .isPositive();

    // every slice's series: its days, or the GLOBAL ones where it had no host (0 there)
    Map<List<String>, TreeMap<Instant, TransitionCount>> bySeries = new LinkedHashMap<>();
    stored.forEach(
        (k, t) ->
            bySeries
                .computeIfAbsent(List.of(k.get(1), k.get(2), k.get(3)), x -> new TreeMap<>())
                .put(t.getWindowStart(), t));
    for (Map.Entry<List<String>, TreeMap<Instant, TransitionCount>> e : bySeries.entrySet()) {
      String vulnerability = e.getKey().get(0);
      String dimension = e.getKey().get(1);
      TreeMap<Instant, TransitionCount> days = new TreeMap<>();
      bySeries
          .get(List.of(vulnerability, "GLOBAL", "ALL"))
          .keySet()
          .forEach(d -> days.put(d, null));
      days.putAll(e.getValue());
      ArrayNode expected = RunningStack.JSON.createArrayNode();
      days.forEach(
          (day, t) -> {
            ObjectNode p = expected.addObject();
            p.put("date", LocalDate.ofInstant(day, ZoneOffset.UTC).toString());
            p.put("windowStart", day.toString());
            p.put("windowEnd", day.plus(Duration.ofDays(1)).toString());
            p.put("hosts", t == null ? 0 : t.getHosts());
            p.put("remediated", t == null ? 0 : t.getRemediated());
            p.put("regressed", t == null ? 0 : t.getRegressed());
            p.put("newlyCompromised", t == null ? 0 : t.getNewlyCompromised());
            p.put("compromisedButRemediated", t == null ? 0 : t.getCompromisedButRemediated());
            if (t != null) {
              assertThat(t.getWindowEnd()).isEqualTo(day.plus(Duration.ofDays(1)));
            }
          });
      JsonNode body =
          stack.json(
              "/api/v1/transitions?vulnerability="
                  + enc(vulnerability)
                  + "&dimension="
                  + dimension
                  + (dimension.equals("GLOBAL") ? "" : "&value=" + enc(e.getKey().get(2))));
      assertThat(body.get("points")).as("series %s", e.getKey()).isEqualTo(sameTypes(expected));
    }
  }

  @Test
  void shouldServeEveryCohortAsTheTopicHoldsIt() throws Exception {
    // (vulnerability, dimension, value) -> cohort day -> age -> point
    Map<List<String>, TreeMap<Instant, TreeMap<Integer, CohortCount>>> stored =
        new TreeMap<>(HttpApiIT::compareKeys);
    long[] records = {0};
    TopicReader.readAll(
        SharedKafka.bootstrapServers(),
        Map.of(),
        stack.pipeline.topics().cohortsDaily(),
        r -> {
          records[0]++;
          CohortCount c = r.value();
          assertThat(c.getAgeDays()).isEqualTo(r.key().getAgeDays());
          assertThat(c.getDay()).isEqualTo(c.getCohortDay().plus(Duration.ofDays(c.getAgeDays())));
          CohortCount before =
              stored
                  .computeIfAbsent(
                      List.of(c.getVulnerability(), c.getDimension().name(), c.getValue()),
                      k -> new TreeMap<>())
                  .computeIfAbsent(c.getCohortDay(), d -> new TreeMap<>())
                  .put(c.getAgeDays(), c);
          assertThat(before).as("published once: %s", r.key()).isNull();
        });
    assertThat(records[0]).isEqualTo(expectedCohortPoints);
    // the reference's DAILY counts fix the cohorts: day C's VULNERABLE hosts of each slice
    Map<List<String>, Long> sizes = new TreeMap<>(HttpApiIT::compareKeys);
    daily.stream()
        .filter(f -> f.getVulnerable() > 0)
        .forEach(
            f ->
                sizes.put(
                    List.of(
                        f.getVulnerability(),
                        f.getDimension().name(),
                        f.getValue(),
                        f.getWindowStart().toString()),
                    f.getVulnerable()));
    Map<List<String>, Long> storedSizes = new TreeMap<>(HttpApiIT::compareKeys);
    stored.forEach(
        (series, cohorts) ->
            cohorts.forEach(
                (day, ages) -> {
                  List<String> key = new ArrayList<>(series);
                  key.add(day.toString());
                  storedSizes.put(key, ages.get(0).getCohortSize());
                  assertThat(ages.firstKey()).isZero();
                  assertThat(ages.lastKey()).isEqualTo(ages.size() - 1);
                  assertThat(ages.get(0).getObserved()).isEqualTo(ages.get(0).getCohortSize());
                  assertThat(ages.get(0).getVulnerable()).isEqualTo(ages.get(0).getCohortSize());
                }));
    assertThat(storedSizes).isEqualTo(sizes);
    assertThat(stored.get(List.of(daily.get(0).getVulnerability(), "GLOBAL", "ALL")).values())
        .as("some members left VULNERABLE")
        .anyMatch(
            ages -> ages.values().stream().anyMatch(c -> c.getVulnerable() < c.getCohortSize()));

    for (Map.Entry<List<String>, TreeMap<Instant, TreeMap<Integer, CohortCount>>> e :
        stored.entrySet()) {
      String path =
          "/api/v1/cohorts?vulnerability="
              + enc(e.getKey().get(0))
              + "&dimension="
              + e.getKey().get(1)
              + (e.getKey().get(1).equals("GLOBAL") ? "" : "&value=" + enc(e.getKey().get(2)));
      JsonNode list = stack.json(path);
      ArrayNode days = RunningStack.JSON.createArrayNode();
      e.getValue()
          .forEach(
              (day, ages) -> {
                ObjectNode d = days.addObject();
                d.put("cohortDay", LocalDate.ofInstant(day, ZoneOffset.UTC).toString());
                d.put("cohortSize", ages.get(0).getCohortSize());
                d.put("ages", ages.size());
                d.put("lastAge", ages.lastKey());
              });
      assertThat(list.get("cohortDays")).as(path).isEqualTo(sameTypes(days));
      assertThat(list.get("cohortDay").asText())
          .as("the earliest by default")
          .isEqualTo(LocalDate.ofInstant(e.getValue().firstKey(), ZoneOffset.UTC).toString());
      for (Map.Entry<Instant, TreeMap<Integer, CohortCount>> cohort : e.getValue().entrySet()) {
        String day = LocalDate.ofInstant(cohort.getKey(), ZoneOffset.UTC).toString();
        ArrayNode expected = RunningStack.JSON.createArrayNode();
        for (CohortCount c : cohort.getValue().values()) {
          ObjectNode p = expected.addObject();
          p.put("ageDays", c.getAgeDays());
          p.put("date", LocalDate.ofInstant(c.getDay(), ZoneOffset.UTC).toString());
          p.put("cohortSize", c.getCohortSize());
          p.put("observed", c.getObserved());
          p.put("vulnerable", c.getVulnerable());
          p.put("mitigated", c.getMitigated());
          p.put("patched", c.getPatched());
          p.put("unreachable", c.getUnreachable());
          p.put("survival", (double) c.getVulnerable() / c.getCohortSize());
          if (c.getObserved() == 0) {
            p.putNull("survivalObserved");
          } else {
            p.put("survivalObserved", (double) c.getVulnerable() / c.getObserved());
          }
        }
        JsonNode body = stack.json(path + "&cohortDay=" + day);
        assertThat(body.get("cohortDay").asText()).isEqualTo(day);
        assertThat(body.get("cohortSize").asLong())
            .isEqualTo(cohort.getValue().get(0).getCohortSize());
        assertThat(body.get("points")).as("%s %s", path, day).isEqualTo(sameTypes(expected));
      }
    }
  }

  /** Lists of strings in order, element by element. */
  private static int compareKeys(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  @Test
  void shouldReportProgressAndRejectionsInStatus() throws Exception {
    JsonNode status = stack.json("/api/v1/status");
    assertThat(status.get("partitions")).hasSize(PARTITIONS);
    for (JsonNode p : status.get("partitions")) {
      assertThat(Instant.parse(p.get("progress").asText())).isEqualTo(watermark);
    }
    assertThat(Instant.parse(status.get("finalUpTo").get("EXPOSURE").asText()))
        .isEqualTo(watermark.minus(stack.settings.exposureGrace()));
    assertThat(status.get("rejected").get("LATE").asLong()).isEqualTo(reference.late().size());
    Map<String, Long> lateByGranularity =
        reference.late().stream()
            .flatMap(l -> l.granularities().stream())
            .collect(Collectors.groupingBy(Granularity::name, Collectors.counting()));
    for (Granularity g : Granularity.values()) {
      assertThat(status.get("late").get(g.name()).asLong())
          .as("late %s", g)
          .isEqualTo(lateByGranularity.getOrDefault(g.name(), 0L));
      assertThat(status.get("finals").get(g.name()).asLong())
          .isEqualTo(reference.finals().stream().filter(f -> f.getGranularity() == g).count());
    }
    assertThat(status.get("transitions").asLong()).isEqualTo(daily.size());
    assertThat(status.get("cohortPoints").asLong()).isEqualTo(expectedCohortPoints);
    assertThat(status.get("lag").has("total")).as(status.toString()).isTrue();
  }

  @Test
  void shouldRefuseBadRequestsNamingTheParameter() throws Exception {
    assertBadParameter("/api/v1/curve?vulnerability=CVE-2021-26855&dimension=COUNTRY", "value");
    assertBadParameter("/api/v1/curve?vulnerability=CVE-2021-26855&dimension=CITY", "dimension");
    assertBadParameter("/api/v1/curve", "vulnerability");
    assertBadParameter("/api/v1/curve?vulnerability=CVE-2021-26855&colour=red", "colour");
    assertBadParameter(
        "/api/v1/counts/daily?vulnerability=CVE-2021-26855&from=2021-03-08T10:00", "from");
    assertBadParameter(
        "/api/v1/counts/daily?vulnerability=CVE-2021-26855&from=2021-03-09&to=2021-03-08", "to");
    assertBadParameter("/api/v1/breakdown?vulnerability=CVE-2021-26855&limit=0", "limit");
    assertBadParameter("/api/v1/breakdown?vulnerability=CVE-2021-26855&date=March", "date");
    assertBadParameter(
        "/api/v1/breakdown?vulnerability=CVE-2021-26855&dimension=GLOBAL", "dimension");
    assertBadParameter(
        "/api/v1/breakdown?vulnerability=CVE-2021-26855&granularity=weekly", "granularity");

    assertBadParameter(
        "/api/v1/cohorts?vulnerability=CVE-2021-26855&cohortDay=2021-03-01T00:00Z", "cohortDay");
    assertBadParameter("/api/v1/cohorts?vulnerability=CVE-2021-26855&dimension=ASN", "value");
    assertBadParameter("/api/v1/cohorts?vulnerability=CVE-2021-26855&age=3", "age");
    assertBadParameter("/api/v1/transitions", "vulnerability");
    assertBadParameter(
        "/api/v1/transitions?vulnerability=CVE-2021-26855&dimension=CITY", "dimension");
    assertBadParameter(
        "/api/v1/transitions?vulnerability=CVE-2021-26855&from=2021-03-09&to=2021-03-09", "to");

    for (String path :
        List.of(
            "/api/v1/nothing",
            "/api/v1/counts/weekly",
            "/api/v2/curve",
            "/x",
            "/api/v1/cohorts/2021-03-01")) {
      HttpResponse<String> response = stack.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(RunningStack.JSON.readTree(response.body()).get("error").asText())
          .contains("no such resource");
    }
    for (String method : List.of("POST", "PUT", "DELETE")) {
      for (String path : List.of("/api/v1/curve", "/api/v1/transitions", "/api/v1/cohorts")) {
        HttpResponse<String> response = stack.send(method, path);
        assertThat(response.statusCode()).as(method + " " + path).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).contains("GET");
      }
    }
  }

  private void assertBadParameter(String path, String parameter) throws Exception {
    HttpResponse<String> response = stack.get(path);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    JsonNode body = RunningStack.JSON.readTree(response.body());
    assertThat(body.get("parameter").asText()).as(path).isEqualTo(parameter);
    assertThat(body.get("error").asText()).startsWith(parameter + ": ");
  }

  @Test
  void shouldRequireTheBearerTokenWhenOneIsSet() throws Exception {
    QueryApi api =
        new QueryApi(stack.dashboard.view(), stack.settings, Clock.systemUTC(), List.of());
    try (HttpView guarded =
        HttpView.start(
            new HttpView.Settings("127.0.0.1", 0, Optional.of("s3cret")),
            api,
            HttpView.newRegistry())) {
      var client = java.net.http.HttpClient.newHttpClient();
      for (String path : List.of("api/v1/status", "metrics")) {
        var plain =
            client.send(
                java.net.http.HttpRequest.newBuilder(guarded.url().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).as(path).isEqualTo(401);
        assertThat(plain.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        var wrong =
            client.send(
                java.net.http.HttpRequest.newBuilder(guarded.url().resolve(path))
                    .header("Authorization", "Bearer s3cres")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).as(path).isEqualTo(401);
        var right =
            client.send(
                java.net.http.HttpRequest.newBuilder(guarded.url().resolve(path))
                    .header("Authorization", "Bearer s3cret")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(right.statusCode()).as(path).isEqualTo(200);
      }
      // the page's own files hold no data
      var page =
          client.send(
              java.net.http.HttpRequest.newBuilder(guarded.url()).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shouldServeThePageAndItsChartLibraryFromTheJar() throws Exception {
    for (String path : List.of("/", "/app.js", "/app.css", "/vendor/uPlot.iife.min.js")) {
      HttpResponse<String> response = stack.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.body()).as(path).isNotBlank();
    }
    assertThat(stack.get("/").body()).contains("vendor/uPlot.iife.min.js").doesNotContain("//cdn");
  }

  @Test
  void shouldExposeOurMetricsAndKafkaStreamsMetricsToPrometheus() throws Exception {
    HttpResponse<String> response = stack.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    Map<String, Double> samples = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.find()).as("a sample line: %s", line).isTrue();
      String labels = m.group(3) == null ? "" : m.group(3).replace(",}", "}");
      samples.put(m.group(1) + "{" + labels + "}", Double.parseDouble(m.group(4)));
    }
    assertThat(samples.get("patchwatch_events_rejected_total{reason=\"LATE\"}"))
        .isEqualTo((double) reference.late().size());
    assertThat(samples.get("patchwatch_events_rejected_total{reason=\"NOT_JSON\"}")).isZero();
    for (Granularity g : Granularity.values()) {
      assertThat(samples.get("patchwatch_finals_published_total{granularity=\"" + g + "\"}"))
          .as("finals %s", g)
          .isEqualTo(
              (double) reference.finals().stream().filter(f -> f.getGranularity() == g).count());
      assertThat(samples.get("patchwatch_final_up_to_seconds{granularity=\"" + g + "\"}"))
          .isEqualTo(watermark.minus(stack.settings.grace(g)).toEpochMilli() / 1000.0);
    }
    assertThat(samples.get("patchwatch_transitions_published_total{}"))
        .isEqualTo((double) daily.size());
    assertThat(samples.get("patchwatch_cohort_points_published_total{}"))
        .isEqualTo((double) expectedCohortPoints);
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(samples.get("patchwatch_partition_progress_seconds{partition=\"" + p + "\"}"))
          .isEqualTo(watermark.toEpochMilli() / 1000.0);
    }
    // every window is closed: no live value waits for its final
    assertThat(samples.get("patchwatch_window_oldest_open_age_seconds{granularity=\"HOURLY\"}"))
        .isNaN();
    // the stream threads read every event and the watermark on each partition
    assertThat(samples.get("patchwatch_scan_records_read_total{}"))
        .isEqualTo((double) events.size() + PARTITIONS);
    // every event of the stream is valid; the LATE ones are accepted too
    assertThat(samples.get("patchwatch_events_accepted_total{}")).isEqualTo((double) events.size());
    assertThat(samples.keySet()).anyMatch(k -> k.startsWith("kafka_stream_"));
  }

  /** The node as parsed from text, so that numbers compare by value, not by Java type. */
  private static JsonNode sameTypes(JsonNode node) throws Exception {
    return RunningStack.JSON.readTree(node.toString());
  }

  private static Clock clock() {
    return Clock.systemUTC();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
