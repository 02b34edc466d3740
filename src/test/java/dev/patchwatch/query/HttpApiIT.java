package dev.patchwatch.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
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
 * status and the metrics.
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
    stack.dashboard.view().awaitCurrent(Duration.ofSeconds(180));
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

    for (String path : List.of("/api/v1/nothing", "/api/v1/counts/weekly", "/api/v2/curve", "/x")) {
      HttpResponse<String> response = stack.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(RunningStack.JSON.readTree(response.body()).get("error").asText())
          .contains("no such resource");
    }
    for (String method : List.of("POST", "PUT", "DELETE")) {
      HttpResponse<String> response = stack.send(method, "/api/v1/curve");
      assertThat(response.statusCode()).as(method).isEqualTo(405);
      assertThat(response.headers().firstValue("Allow")).contains("GET");
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
