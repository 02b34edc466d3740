package dev.patchwatch.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.query.AggregateView.CohortCurve;
import dev.patchwatch.query.AggregateView.CohortPoint;
import dev.patchwatch.query.AggregateView.CohortSeries;
import dev.patchwatch.query.AggregateView.Series;
import dev.patchwatch.replay.TimeRanges;
import dev.patchwatch.topology.AggregateJson;
import dev.patchwatch.topology.TopologySettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The JSON API of {@code /api/v1}: answers from an {@link AggregateView}. Each method takes the
 * query parameters and returns the response body, or throws {@link BadParameter} naming the
 * parameter at fault.
 */
public final class QueryApi {

  /** A query parameter that is missing or malformed: a 400 naming it. */
  public static final class BadParameter extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String parameter;

    BadParameter(String parameter, String message) {
      super(parameter + ": " + message);
      this.parameter = parameter;
    }

    public String parameter() {
      return parameter;
    }
  }

  /**
   * Figures to show beside a curve (the demo's published ProxyLogon figures): exposed hosts by date
   * for one (vulnerability, dimension, value).
   */
  public record Reference(
      String label,
      String vulnerability,
      Dimension dimension,
      String value,
      Map<LocalDate, Long> exposed) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_LIMIT = 10_000;

  private final AggregateView view;
  private final TopologySettings settings;
  private final Clock clock;
  private final List<Reference> references;

  public QueryApi(
      AggregateView view, TopologySettings settings, Clock clock, List<Reference> references) {
    this.view = view;
    this.settings = settings;
    this.clock = clock;
    this.references = List.copyOf(references);
  }

  /** {@code /curve}: the daily exposure curve, one point per window of the EXPOSURE series. */
  public ObjectNode curve(Map<String, String> params) {
    known(params, "vulnerability", "dimension", "value");
    return view.read(
        s -> {
          Optional<String> vulnerability = vulnerability(params, s);
          Dimension dimension = dimension(params, "dimension", Dimension.GLOBAL);
          String value = value(params, dimension);
          ObjectNode body = MAPPER.createObjectNode();
          putSlice(body, vulnerability, dimension, value);
          ArrayNode points = body.putArray("points");
          vulnerability.ifPresent(v -> curvePoints(s, v, dimension, value, points));
          ArrayNode reference = body.putArray("reference");
          for (Reference r : references) {
            if (vulnerability.isPresent()
                && r.vulnerability().equals(vulnerability.get())
                && r.dimension() == dimension
                && r.value().equals(value)) {
              body.put("referenceLabel", r.label());
              new TreeMap<>(r.exposed())
                  .forEach(
                      (date, exposed) -> {
                        ObjectNode p = reference.addObject();
                        p.put("date", date.toString());
                        p.put("exposed", exposed);
                      });
            }
          }
          return body;
        });
  }

  private void curvePoints(
      AggregateView.Snapshot s,
      String vulnerability,
      Dimension dimension,
      String value,
      ArrayNode out) {
    Series global = new Series(Granularity.EXPOSURE, vulnerability, Dimension.GLOBAL, "ALL");
    Series series = new Series(Granularity.EXPOSURE, vulnerability, dimension, value);
    TreeSet<Instant> starts = new TreeSet<>();
    starts.addAll(s.finals(global).keySet());
    starts.addAll(s.live(global).keySet());
    starts.addAll(s.finals(series).keySet());
    starts.addAll(s.live(series).keySet());
    Map<LocalDate, Long> exposedByDate = new HashMap<>();
    for (Instant start : starts) {
      Instant end = start.plus(Duration.ofDays(settings.lookBackDays()));
      RemediationCount count = s.finals(series).get(start);
      // closed: its GLOBAL final is out (every window with a host has one)
      boolean isFinal = count != null || s.finals(global).containsKey(start);
      if (count == null && !isFinal) {
        count = s.live(series).get(start);
      }
      LocalDate date = LocalDate.ofInstant(end, ZoneOffset.UTC);
      long exposed = count == null ? 0 : count.getVulnerable();
      exposedByDate.put(date, exposed);
      ObjectNode p = out.addObject();
      p.put("date", date.toString());
      p.put("windowStart", start.toString());
      p.put("windowEnd", end.toString());
      p.put("exposed", exposed);
      p.put("hosts", count == null ? 0 : count.getHosts());
      p.put("mitigated", count == null ? 0 : count.getMitigated());
      p.put("patched", count == null ? 0 : count.getPatched());
      p.put("unreachable", count == null ? 0 : count.getUnreachable());
      p.put("compromised", count == null ? 0 : count.getCompromised());
      putNullable(p, "remediatedRatio", count == null ? null : count.getRemediatedRatio());
      putNullable(
          p,
          "weekOverWeek",
          ExposureCurve.weekOverWeek(exposed, exposedByDate.get(date.minusDays(7))));
      p.put("final", isFinal);
    }
  }

  /** {@code to}, checked to come after {@code from} when both are given. */
  private static Optional<Instant> after(Optional<Instant> from, Optional<Instant> to) {
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new BadParameter("to", "must be after from");
    }
    return to;
  }

  /** {@code /counts/{granularity}}: the final records of one series, as stored. */
  public ObjectNode counts(String granularityName, Map<String, String> params) {
    known(params, "vulnerability", "dimension", "value", "from", "to");
    Granularity granularity = granularityOf("granularity", granularityName);
    Optional<Instant> from = instant(params, "from");
    Optional<Instant> to = after(from, instant(params, "to"));
    return view.read(
        s -> {
          Optional<String> vulnerability = vulnerability(params, s);
          Dimension dimension = dimension(params, "dimension", Dimension.GLOBAL);
          String value = value(params, dimension);
          ObjectNode body = MAPPER.createObjectNode();
          body.put("granularity", granularity.name());
          putSlice(body, vulnerability, dimension, value);
          ArrayNode records = body.putArray("records");
          if (vulnerability.isPresent()) {
            NavigableMap<Instant, RemediationCount> windows =
                s.finals(new Series(granularity, vulnerability.get(), dimension, value));
            if (from.isPresent()) {
              windows = windows.tailMap(from.get(), true);
            }
            if (to.isPresent()) {
              windows = windows.headMap(to.get(), false);
            }
            windows.values().forEach(c -> records.add(AggregateJson.toNode(c)));
          }
          return body;
        });
  }

  /**
   * {@code /transitions}: one slice's transitions, one point per day whose GLOBAL record is out (0
   * where the slice had no host that day), days starting in {@code [from, to)}.
   */
  public ObjectNode transitions(Map<String, String> params) {
    known(params, "vulnerability", "dimension", "value", "from", "to");
    Optional<Instant> from = instant(params, "from");
    Optional<Instant> to = after(from, instant(params, "to"));
    return view.read(
        s -> {
          Optional<String> vulnerability = vulnerability(params, s);
          Dimension dimension = dimension(params, "dimension", Dimension.GLOBAL);
          String value = value(params, dimension);
          ObjectNode body = MAPPER.createObjectNode();
          putSlice(body, vulnerability, dimension, value);
          ArrayNode points = body.putArray("points");
          if (vulnerability.isEmpty()) {
            return body;
          }
          NavigableMap<Instant, TransitionCount> slice =
              s.transitions(new Series(Granularity.DAILY, vulnerability.get(), dimension, value));
          TreeSet<Instant> days = new TreeSet<>(slice.keySet());
          days.addAll(
              s.transitions(
                      new Series(Granularity.DAILY, vulnerability.get(), Dimension.GLOBAL, "ALL"))
                  .keySet());
          for (Instant day : days) {
            if (from.isPresent() && day.isBefore(from.get())
                || to.isPresent() && !day.isBefore(to.get())) {
              continue;
            }
            TransitionCount t = slice.get(day);
            ObjectNode p = points.addObject();
            p.put("date", LocalDate.ofInstant(day, ZoneOffset.UTC).toString());
            p.put("windowStart", day.toString());
            p.put("windowEnd", day.plus(Duration.ofDays(1)).toString());
            p.put("hosts", t == null ? 0 : t.getHosts());
            p.put("remediated", t == null ? 0 : t.getRemediated());
            p.put("regressed", t == null ? 0 : t.getRegressed());
            p.put("newlyCompromised", t == null ? 0 : t.getNewlyCompromised());
            p.put("compromisedButRemediated", t == null ? 0 : t.getCompromisedButRemediated());
          }
          return body;
        });
  }

  /**
   * {@code /cohorts}: the cohort days of one slice, and the curve of one of them (the earliest
   * unless {@code cohortDay} is given): a point per age read so far, 0 to 28.
   */
  public ObjectNode cohorts(Map<String, String> params) {
    known(params, "vulnerability", "dimension", "value", "cohortDay");
    Optional<Instant> requested = day(params, "cohortDay");
    return view.read(
        s -> {
          Optional<String> vulnerability = vulnerability(params, s);
          Dimension dimension = dimension(params, "dimension", Dimension.GLOBAL);
          String value = value(params, dimension);
          ObjectNode body = MAPPER.createObjectNode();
          putSlice(body, vulnerability, dimension, value);
          NavigableMap<Instant, CohortCurve> cohorts =
              vulnerability.isEmpty()
                  ? new TreeMap<>()
                  : s.cohorts(new CohortSeries(vulnerability.get(), dimension, value));
          ArrayNode days = body.putArray("cohortDays");
          cohorts.forEach(
              (day, curve) -> {
                List<CohortPoint> points = curve.points();
                ObjectNode d = days.addObject();
                d.put("cohortDay", LocalDate.ofInstant(day, ZoneOffset.UTC).toString());
                d.put("cohortSize", points.get(0).cohortSize());
                d.put("ages", points.size());
                d.put("lastAge", points.get(points.size() - 1).ageDays());
              });
          Optional<Instant> chosen =
              requested.isPresent()
                  ? requested
                  : Optional.ofNullable(cohorts.isEmpty() ? null : cohorts.firstKey());
          body.put(
              "cohortDay",
              chosen.map(d -> LocalDate.ofInstant(d, ZoneOffset.UTC).toString()).orElse(null));
          CohortCurve curve = chosen.map(cohorts::get).orElse(null);
          List<CohortPoint> points = curve == null ? List.of() : curve.points();
          if (points.isEmpty()) {
            body.putNull("cohortSize");
          } else {
            body.put("cohortSize", points.get(0).cohortSize());
          }
          ArrayNode out = body.putArray("points");
          for (CohortPoint c : points) {
            ObjectNode p = out.addObject();
            p.put("ageDays", c.ageDays());
            p.put(
                "date",
                LocalDate.ofInstant(chosen.get(), ZoneOffset.UTC).plusDays(c.ageDays()).toString());
            p.put("cohortSize", c.cohortSize());
            p.put("observed", c.observed());
            p.put("vulnerable", c.vulnerable());
            p.put("mitigated", c.mitigated());
            p.put("patched", c.patched());
            p.put("unreachable", c.unreachable());
            putNullable(
                p,
                "survival",
                c.cohortSize() == 0 ? null : (double) c.vulnerable() / c.cohortSize());
            putNullable(
                p,
                "survivalObserved",
                c.observed() == 0 ? null : (double) c.vulnerable() / c.observed());
          }
          return body;
        });
  }

  /** {@code /breakdown}: one window's slices in a dimension, most exposed first. */
  public ObjectNode breakdown(Map<String, String> params) {
    known(params, "vulnerability", "granularity", "date", "dimension", "limit");
    Granularity granularity =
        params.containsKey("granularity")
            ? granularityOf("granularity", params.get("granularity"))
            : Granularity.EXPOSURE;
    Dimension dimension = dimension(params, "dimension", Dimension.COUNTRY);
    if (dimension == Dimension.GLOBAL) {
      throw new BadParameter("dimension", "must be COUNTRY, ASN or SCANNER");
    }
    int limit = limit(params);
    Optional<Instant> requested = windowStart(params, granularity);
    return view.read(
        s -> {
          Optional<String> vulnerability = vulnerability(params, s);
          ObjectNode body = MAPPER.createObjectNode();
          body.put("granularity", granularity.name());
          body.put("vulnerability", vulnerability.orElse(null));
          body.put("dimension", dimension.name());
          Optional<Instant> start =
              requested.isPresent()
                  ? requested
                  : vulnerability.flatMap(v -> latestWindow(s, granularity, v));
          ArrayNode rows = MAPPER.createArrayNode();
          boolean isFinal = false;
          int total = 0;
          if (vulnerability.isPresent() && start.isPresent()) {
            Series global = new Series(granularity, vulnerability.get(), Dimension.GLOBAL, "ALL");
            isFinal = s.finals(global).containsKey(start.get());
            List<RemediationCount> counts = new ArrayList<>();
            for (Series series : s.series(granularity, vulnerability.get(), dimension)) {
              RemediationCount c =
                  isFinal ? s.finals(series).get(start.get()) : s.live(series).get(start.get());
              if (c != null) {
                counts.add(c);
              }
            }
            counts.sort(
                Comparator.comparingLong(RemediationCount::getVulnerable)
                    .reversed()
                    .thenComparing(Comparator.comparingLong(RemediationCount::getHosts).reversed())
                    .thenComparing(RemediationCount::getValue, QueryApi::byCodePoints));
            total = counts.size();
            for (RemediationCount c : counts.subList(0, Math.min(limit, counts.size()))) {
              ObjectNode row = rows.addObject();
              row.put("value", c.getValue());
              row.put("exposed", c.getVulnerable());
              row.put("hosts", c.getHosts());
              row.put("mitigated", c.getMitigated());
              row.put("patched", c.getPatched());
              row.put("unreachable", c.getUnreachable());
              row.put("compromised", c.getCompromised());
              putNullable(row, "remediatedRatio", c.getRemediatedRatio());
            }
          }
          if (start.isPresent()) {
            Instant end = start.get().plus(length(granularity));
            body.put("date", dateOf(granularity, start.get(), end));
            body.put("windowStart", start.get().toString());
            body.put("windowEnd", end.toString());
          } else {
            body.putNull("date");
          }
          body.put("final", isFinal);
          body.put("total", total);
          body.set("rows", rows);
          return body;
        });
  }

  /** {@code /vulnerabilities}: what the view holds, for the page's selector. */
  public ObjectNode vulnerabilities(Map<String, String> params) {
    known(params);
    return view.read(
        s -> {
          ObjectNode body = MAPPER.createObjectNode();
          ArrayNode list = body.putArray("vulnerabilities");
          for (String v : s.vulnerabilities()) {
            ObjectNode item = list.addObject();
            item.put("vulnerability", v);
            latestWindow(s, Granularity.EXPOSURE, v)
                .ifPresent(
                    start ->
                        item.put(
                            "latestDate",
                            LocalDate.ofInstant(
                                    start.plus(length(Granularity.EXPOSURE)), ZoneOffset.UTC)
                                .toString()));
          }
          return body;
        });
  }

  /**
   * {@code /status}: each input partition's progress, up to where windows are final, the
   * application's lag on the scans topic and the rejections by reason.
   */
  public ObjectNode status(Map<String, String> params) {
    known(params);
    ObjectNode body = MAPPER.createObjectNode();
    body.put("now", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
    body.put("applicationId", settings.applicationId());
    body.put("scansTopic", view.topics().scans().name());
    view.read(
        s -> {
          ArrayNode partitions = body.putArray("partitions");
          long least = Long.MAX_VALUE;
          for (Map.Entry<Integer, PartitionProgress> e : s.progress().entrySet()) {
            ObjectNode p = partitions.addObject();
            p.put("partition", e.getKey());
            long progress = e.getValue().getProgress();
            putInstant(p, "progress", progress);
            p.put("idle", e.getValue().getIdle());
            least = Math.min(least, progress);
          }
          boolean allKnown = s.progress().size() >= settings.inputPartitions();
          ObjectNode finalUpTo = body.putObject("finalUpTo");
          for (Granularity g : Granularity.values()) {
            if (!allKnown || least == Long.MIN_VALUE) {
              finalUpTo.putNull(g.name());
            } else {
              putInstant(finalUpTo, g.name(), least - settings.grace(g).toMillis());
            }
          }
          ObjectNode rejected = body.putObject("rejected");
          for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason.name(), s.rejected().getOrDefault(reason, 0L));
          }
          ObjectNode late = body.putObject("late");
          s.late().forEach((g, n) -> late.put(g.name(), n));
          ObjectNode finals = body.putObject("finals");
          s.finalRecords().forEach((g, n) -> finals.put(g.name(), n));
          body.put("transitions", s.transitionRecords());
          body.put("cohortPoints", s.cohortRecords());
          return null;
        });
    ObjectNode lag = body.putObject("lag");
    try {
      long total = 0;
      ArrayNode partitions = lag.putArray("partitions");
      for (Map.Entry<Integer, long[]> e :
          view.scansLag(settings.applicationId(), Duration.ofSeconds(5)).entrySet()) {
        long committed = e.getValue()[0];
        long end = e.getValue()[1];
        long behind = committed < 0 ? end : Math.max(0, end - committed);
        total += behind;
        ObjectNode p = partitions.addObject();
        p.put("partition", e.getKey());
        if (committed < 0) {
          p.putNull("committed");
        } else {
          p.put("committed", committed);
        }
        p.put("end", end);
        p.put("lag", behind);
      }
      lag.put("total", total);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lag.put("error", "interrupted");
    } catch (Exception e) {
      lag.put("error", String.valueOf(e.getMessage()));
    }
    ObjectNode viewNode = body.putObject("view");
    viewNode.put("skipped", view.skipped());
    viewNode.put("failure", view.failure().map(Throwable::toString).orElse(null));
    return body;
  }

  private Optional<Instant> latestWindow(
      AggregateView.Snapshot s, Granularity granularity, String vulnerability) {
    Series global = new Series(granularity, vulnerability, Dimension.GLOBAL, "ALL");
    Instant latest = null;
    for (NavigableMap<Instant, RemediationCount> m : List.of(s.finals(global), s.live(global))) {
      if (!m.isEmpty() && (latest == null || m.lastKey().isAfter(latest))) {
        latest = m.lastKey();
      }
    }
    return Optional.ofNullable(latest);
  }

  private Duration length(Granularity granularity) {
    return switch (granularity) {
      case HOURLY -> Duration.ofHours(1);
      case DAILY -> Duration.ofDays(1);
      case EXPOSURE -> Duration.ofDays(settings.lookBackDays());
    };
  }

  /** The date a window is shown under: EXPOSURE its end (the population as of), else its start. */
  private static String dateOf(Granularity granularity, Instant start, Instant end) {
    return switch (granularity) {
      case HOURLY -> start.toString();
      case DAILY -> LocalDate.ofInstant(start, ZoneOffset.UTC).toString();
      case EXPOSURE -> LocalDate.ofInstant(end, ZoneOffset.UTC).toString();
    };
  }

  private Optional<Instant> windowStart(Map<String, String> params, Granularity granularity) {
    String raw = params.get("date");
    if (raw == null) {
      return Optional.empty();
    }
    if (granularity == Granularity.HOURLY) {
      Instant start = parseInstant("date", raw);
      if (!start.truncatedTo(ChronoUnit.HOURS).equals(start)) {
        throw new BadParameter("date", "an HOURLY window starts on the hour, got " + raw);
      }
      return Optional.of(start);
    }
    LocalDate date;
    try {
      date = LocalDate.parse(raw.trim());
    } catch (DateTimeParseException e) {
      throw new BadParameter("date", "\"" + raw + "\" is not a date such as 2021-03-14");
    }
    Instant midnight = date.atStartOfDay(ZoneOffset.UTC).toInstant();
    return Optional.of(
        granularity == Granularity.EXPOSURE ? midnight.minus(length(granularity)) : midnight);
  }

  /** A UTC day given as {@code 2021-03-01}: its midnight. */
  private static Optional<Instant> day(Map<String, String> params, String name) {
    String raw = params.get(name);
    if (raw == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(raw.trim()).atStartOfDay(ZoneOffset.UTC).toInstant());
    } catch (DateTimeParseException e) {
      throw new BadParameter(name, "\"" + raw + "\" is not a date such as 2021-03-01");
    }
  }

  /** The slice an answer is about, as every series answer names it. */
  private static void putSlice(
      ObjectNode body, Optional<String> vulnerability, Dimension dimension, String value) {
    body.put("vulnerability", vulnerability.orElse(null));
    body.put("dimension", dimension.name());
    body.put("value", value);
  }

  private static Optional<String> vulnerability(
      Map<String, String> params, AggregateView.Snapshot s) {
    String raw = params.get("vulnerability");
    if (raw != null) {
      if (raw.isBlank()) {
        throw new BadParameter("vulnerability", "must not be empty");
      }
      return Optional.of(raw.trim().toUpperCase(Locale.ROOT));
    }
    TreeSet<String> known = s.vulnerabilities();
    if (known.size() > 1) {
      throw new BadParameter("vulnerability", "required when several are counted: one of " + known);
    }
    return known.isEmpty() ? Optional.empty() : Optional.of(known.first());
  }

  private static Dimension dimension(Map<String, String> params, String name, Dimension absent) {
    String raw = params.get(name);
    if (raw == null) {
      return absent;
    }
    try {
      return Dimension.valueOf(raw.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadParameter(name, "must be GLOBAL, COUNTRY, ASN or SCANNER, got \"" + raw + "\"");
    }
  }

  private static String value(Map<String, String> params, Dimension dimension) {
    String raw = params.get("value");
    if (dimension == Dimension.GLOBAL) {
      if (raw != null && !raw.equals("ALL")) {
        throw new BadParameter("value", "the GLOBAL dimension has the one value ALL");
      }
      return "ALL";
    }
    if (raw == null || raw.isBlank()) {
      throw new BadParameter("value", "required with dimension " + dimension);
    }
    return dimension == Dimension.COUNTRY ? raw.trim().toUpperCase(Locale.ROOT) : raw.trim();
  }

  private static Granularity granularityOf(String name, String raw) {
    try {
      return Granularity.valueOf(raw.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadParameter(name, "must be hourly, daily or exposure, got \"" + raw + "\"");
    }
  }

  private static int limit(Map<String, String> params) {
    String raw = params.get("limit");
    if (raw == null) {
      return 50;
    }
    try {
      int limit = Integer.parseInt(raw.trim());
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new BadParameter("limit", "must be 1 to " + MAX_LIMIT + ", got " + limit);
      }
      return limit;
    } catch (NumberFormatException e) {
      throw new BadParameter("limit", "\"" + raw + "\" is not a whole number");
    }
  }

  private static Optional<Instant> instant(Map<String, String> params, String name) {
    String raw = params.get(name);
    return raw == null ? Optional.empty() : Optional.of(parseInstant(name, raw));
  }

  private static Instant parseInstant(String name, String raw) {
    try {
      return TimeRanges.parseInstant(raw);
    } catch (IllegalArgumentException e) {
      throw new BadParameter(name, e.getMessage());
    }
  }

  /** Refuses a parameter the endpoint does not know: a misspelt filter must not be ignored. */
  private static void known(Map<String, String> params, String... names) {
    for (String given : params.keySet()) {
      if (!List.of(names).contains(given)) {
        throw new BadParameter(
            given, "unknown parameter" + (names.length == 0 ? "" : "; known: " + List.of(names)));
      }
    }
  }

  private static int byCodePoints(String a, String b) {
    return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  private static void putInstant(ObjectNode node, String field, long epochMillis) {
    if (epochMillis == Long.MIN_VALUE) {
      node.putNull(field);
    } else {
      node.put(field, Instant.ofEpochMilli(epochMillis).toString());
    }
  }

  private static void putNullable(ObjectNode node, String field, Double value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value);
    }
  }
}
