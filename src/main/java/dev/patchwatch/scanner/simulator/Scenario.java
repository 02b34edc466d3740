package dev.patchwatch.scanner.simulator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A remediation wave to simulate: the published exposure figures it must reproduce, the population
 * behind them, and the scanner fleet that observes it. Loaded from JSON (see {@code
 * scenarios/proxylogon-2021-03.json}, whose notes explain each part) and validated as a whole, so a
 * simulator never has to second-guess it. Immutable.
 *
 * <p>Timeline: scans happen on the days {@link #firstDay()} to {@link #lastDay()} (UTC). An anchor
 * dated D counts the hosts VULNERABLE as of midnight at the start of D, which is what the EXPOSURE
 * window ending at that midnight reports; so the first anchor must be at least a look-back after
 * {@code firstDay} (a full window of scans behind it) and the last at most {@code lastDay + 1}.
 *
 * <p>The simulated population never grows: every host is vulnerable until it leaves the vulnerable
 * state for good. Hence {@code population} equals the first anchor, anchors never rise, and the
 * hosts of a country with its own curve plus those of the rest of the world must each shrink day by
 * day.
 */
public final class Scenario {

  /** The bundled ProxyLogon month. */
  public static final String PROXYLOGON_RESOURCE = "/scenarios/proxylogon-2021-03.json";

  private static final Pattern VULNERABILITY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern SCANNER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Set<String> COUNTRY_CODES = countryCodes();
  private static final long MAX_ASN = 0xFFFF_FFFFL;
  private static final int MAX_CARRIED = 255;

  /** Scanners are packed into 4 bits of an event's sort key by the simulator. */
  static final int MAX_SCANNERS = 15;

  /** Day indexes are kept in a {@code short} per host by the simulator. */
  static final int MAX_DAYS = 3660;

  /** Build indexes are kept in a byte per host by the simulator. */
  static final int MAX_BUILDS = 256;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          // "400000" for a number is a typo here, not a format to be lenient with
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  /** A published or assumed count: hosts VULNERABLE as of midnight at the start of {@code date}. */
  public record Anchor(LocalDate date, long hosts, boolean published, String source) {}

  /** An autonomous system and its weight among a country's hosts. */
  public record Asn(long number, double weight) {}

  /** A country's share of the population and the networks its hosts sit in. */
  public record Country(String code, double share, List<Asn> asns) {}

  /** A product build: the version scanners see before and after the security update. */
  public record Build(String name, String vulnerable, String fixed, double weight) {}

  /** What the scanners fingerprint. */
  public record Product(String name, int port, List<Build> builds) {}

  /**
   * How hosts leave the vulnerable state.
   *
   * @param offlineShare share of the leavers that go offline instead of being fixed
   * @param mitigatedShare share of the fixed hosts that are mitigated rather than patched
   * @param unreachableDays how many days scanners keep reporting an offline host as UNREACHABLE
   *     before dropping it from their lists
   */
  public record Exits(double offlineShare, double mitigatedShare, int unreachableDays) {}

  /** A share of the population at a date, e.g. the share reached by attackers by then. */
  public record SharePoint(LocalDate date, double share) {}

  /**
   * One scanner of the fleet.
   *
   * @param primary the scanner that sweeps every host every day; exactly one per scenario
   * @param coverage share of the hosts (of {@code countries}, if given) on its target list
   * @param reliability chance that a planned scan of a host yields a result
   * @param everyDays scans each target every that many days (each host on its own phase)
   * @param from start of its daily scan slot, UTC, as a time of day
   * @param to end (exclusive) of its daily scan slot, at most 24 hours
   * @param countries the countries it scans; empty for all
   * @param since first day it scans
   * @param reportsCompromise whether it looks for indicators of compromise (web shells)
   */
  public record Scanner(
      String id,
      String description,
      boolean primary,
      double coverage,
      double reliability,
      int everyDays,
      Duration from,
      Duration to,
      List<String> countries,
      LocalDate since,
      boolean reportsCompromise) {}

  private final String name;
  private final String title;
  private final String vulnerability;
  private final Product product;
  private final LocalDate firstDay;
  private final LocalDate lastDay;
  private final int lookBackDays;
  private final long population;
  private final List<Anchor> exposed;
  private final Map<String, List<Anchor>> countryExposed;
  private final List<Country> countries;
  private final double ipv6Share;
  private final Exits exits;
  private final List<SharePoint> compromised;
  private final List<Scanner> scanners;

  private Scenario(Builder b) {
    this.name = b.name;
    this.title = b.title;
    this.vulnerability = b.vulnerability;
    this.product = b.product;
    this.firstDay = b.firstDay;
    this.lastDay = b.lastDay;
    this.lookBackDays = b.lookBackDays;
    this.population = b.population;
    this.exposed = List.copyOf(b.exposed);
    Map<String, List<Anchor>> byCountry = new LinkedHashMap<>();
    b.countryExposed.forEach((code, anchors) -> byCountry.put(code, List.copyOf(anchors)));
    this.countryExposed = Collections.unmodifiableMap(byCountry);
    this.countries = List.copyOf(b.countries);
    this.ipv6Share = b.ipv6Share;
    this.exits = b.exits;
    this.compromised = List.copyOf(b.compromised);
    this.scanners = List.copyOf(b.scanners);
  }

  /** The bundled ProxyLogon month ({@value #PROXYLOGON_RESOURCE}). */
  public static Scenario proxyLogon() {
    try (InputStream in = Scenario.class.getResourceAsStream(PROXYLOGON_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(PROXYLOGON_RESOURCE + " is missing from the classpath");
      }
      return load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + PROXYLOGON_RESOURCE, e);
    }
  }

  /**
   * Reads and validates a scenario. Does not close {@code json}.
   *
   * @throws InvalidScenarioException naming the first field at fault
   * @throws UncheckedIOException if reading fails
   */
  public static Scenario load(InputStream json) {
    Objects.requireNonNull(json, "json");
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidScenarioException("scenario: " + describe(e, null), e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading a scenario", e);
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidScenarioException(
          "scenario: expected a JSON object, got " + (tree == null ? "nothing" : found(tree)));
    }
    ScenarioJson raw;
    try {
      // from the tree, so that a mismatch can be shown with the value that caused it
      raw = MAPPER.treeToValue(tree, ScenarioJson.class);
    } catch (JsonProcessingException e) {
      throw new InvalidScenarioException("scenario: " + describe(e, tree), e);
    }
    return new Validator().validate(raw);
  }

  public String name() {
    return name;
  }

  public String title() {
    return title;
  }

  /** Upper case, as in scan events. */
  public String vulnerability() {
    return vulnerability;
  }

  public Product product() {
    return product;
  }

  /** First day (UTC) with scans. */
  public LocalDate firstDay() {
    return firstDay;
  }

  /** Last day (UTC) with scans; the population as of midnight {@code lastDay + 1} is the last. */
  public LocalDate lastDay() {
    return lastDay;
  }

  /** The EXPOSURE look-back the anchors are meant for. */
  public int lookBackDays() {
    return lookBackDays;
  }

  /** Hosts at scale 1; all vulnerable until the first anchor. */
  public long population() {
    return population;
  }

  /** Global anchors, by date. */
  public List<Anchor> exposed() {
    return exposed;
  }

  /** Countries with a curve of their own, each with its anchors by date. */
  public Map<String, List<Anchor>> countryExposed() {
    return countryExposed;
  }

  /** The country mix; shares sum to 1. */
  public List<Country> countries() {
    return countries;
  }

  public double ipv6Share() {
    return ipv6Share;
  }

  public Exits exits() {
    return exits;
  }

  /** Cumulative share of the population reached by attackers, by date (interpolated linearly). */
  public List<SharePoint> compromised() {
    return compromised;
  }

  /** The fleet; the primary scanner is the one with {@link Scanner#primary()}. */
  public List<Scanner> scanners() {
    return scanners;
  }

  /** The country's share of the population, or 0 if it is not in the mix. */
  public double share(String country) {
    for (Country c : countries) {
      if (c.code().equals(country)) {
        return c.share();
      }
    }
    return 0;
  }

  /**
   * The published figure for the population as of midnight {@code date}, at scale 1: log-linear
   * between published anchors; empty before the first and after the last.
   */
  OptionalDouble published(List<Anchor> anchors, LocalDate date) {
    List<Anchor> published = anchors.stream().filter(Anchor::published).toList();
    if (published.isEmpty()
        || date.isBefore(published.get(0).date())
        || date.isAfter(published.get(published.size() - 1).date())) {
      return OptionalDouble.empty();
    }
    long[] days = published.stream().mapToLong(a -> a.date().toEpochDay()).toArray();
    double[] hosts = published.stream().mapToDouble(Anchor::hosts).toArray();
    return OptionalDouble.of(Curves.logLinear(days, hosts, date.toEpochDay()));
  }

  /**
   * The curve the simulation follows for a set of anchors, at scale 1: {@code start} hosts until
   * the first global anchor, then log-linear through {@code anchors} (published or not), flat after
   * the last.
   */
  double target(double start, List<Anchor> anchors, LocalDate date) {
    long origin = exposed.get(0).date().toEpochDay();
    // the global anchors start at the origin themselves (validated: with the population)
    int offset = anchors.get(0).date().toEpochDay() == origin ? 0 : 1;
    long[] days = new long[anchors.size() + offset];
    double[] hosts = new double[days.length];
    days[0] = origin;
    hosts[0] = start;
    for (int i = 0; i < anchors.size(); i++) {
      days[i + offset] = anchors.get(i).date().toEpochDay();
      hosts[i + offset] = anchors.get(i).hosts();
    }
    return Curves.logLinear(days, hosts, date.toEpochDay());
  }

  /** The global curve the simulation follows, at scale 1. */
  double globalTarget(LocalDate date) {
    return target(population, exposed, date);
  }

  /** A country's curve, at scale 1, starting from its share of the population. */
  double countryTarget(String country, LocalDate date) {
    return target(population * share(country), countryExposed.get(country), date);
  }

  /** "exposed[1].hosts: message", in our words rather than Jackson's, which name our classes. */
  private static String describe(JsonProcessingException e, JsonNode tree) {
    List<JsonMappingException.Reference> references =
        e instanceof JsonMappingException mapping ? mapping.getPath() : List.of();
    String path = path(references);
    String message;
    if (e instanceof UnrecognizedPropertyException unknown) {
      List<String> known = new ArrayList<>();
      if (unknown.getKnownPropertyIds() != null) {
        unknown.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
      }
      Collections.sort(known);
      message = "unknown field (known fields here: " + String.join(", ", known) + ")";
    } else if (e instanceof MismatchedInputException mismatch
        && mismatch.getTargetType() != null
        && tree != null) {
      JsonNode node = tree;
      for (JsonMappingException.Reference ref : references) {
        node =
            ref.getFieldName() != null ? node.path(ref.getFieldName()) : node.path(ref.getIndex());
      }
      message = "expected " + kind(mismatch.getTargetType()) + ", got " + found(node);
    } else {
      message = e.getOriginalMessage();
      int newline = message.indexOf('\n');
      if (newline >= 0) {
        message = message.substring(0, newline);
      }
      if (e.getLocation() != null && tree == null) {
        message +=
            " (line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr()
                + ")";
      }
    }
    return path.isEmpty() ? message : path + ": " + message;
  }

  private static String kind(Class<?> type) {
    if (type == Long.class || type == Integer.class || type == long.class || type == int.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    return List.class.isAssignableFrom(type) ? "an array" : "an object";
  }

  private static String found(JsonNode node) {
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    // a value node: its JSON text, quotes included for a string
    String text = node.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  private static String path(List<JsonMappingException.Reference> references) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : references) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static Set<String> countryCodes() {
    Set<String> codes = new HashSet<>(Locale.getISOCountries(Locale.IsoCountryCode.PART1_ALPHA2));
    // as in the event contract: ZZ unknown, XK Kosovo
    codes.add("ZZ");
    codes.add("XK");
    return Collections.unmodifiableSet(codes);
  }

  // The JSON as written; boxed fields so that a missing one is told apart from a zero.

  private record ScenarioJson(
      String name,
      String title,
      List<String> notes,
      String vulnerability,
      ProductJson product,
      String firstDay,
      String lastDay,
      Integer lookBackDays,
      Long population,
      List<AnchorJson> exposed,
      LinkedHashMap<String, List<AnchorJson>> countryExposed,
      List<CountryJson> countries,
      Double ipv6Share,
      ExitsJson exits,
      List<ShareJson> compromised,
      List<ScannerJson> scanners) {}

  private record AnchorJson(String date, Long hosts, Boolean published, String source) {}

  private record AsnJson(Long asn, Double weight) {}

  private record CountryJson(String code, Double share, List<AsnJson> asns) {}

  private record BuildJson(String name, String vulnerable, String fixed, Double weight) {}

  private record ProductJson(String name, Integer port, List<BuildJson> builds) {}

  private record ExitsJson(Double offlineShare, Double mitigatedShare, Integer unreachableDays) {}

  private record ShareJson(String date, Double share) {}

  private record ScannerJson(
      String id,
      String description,
      Boolean primary,
      Double coverage,
      Double reliability,
      Integer everyDays,
      String from,
      String to,
      List<String> countries,
      String since,
      Boolean reportsCompromise) {}

  private static final class Builder {
    String name;
    String title;
    String vulnerability;
    Product product;
    LocalDate firstDay;
    LocalDate lastDay;
    int lookBackDays;
    long population;
    List<Anchor> exposed;
    Map<String, List<Anchor>> countryExposed = new LinkedHashMap<>();
    List<Country> countries;
    double ipv6Share;
    Exits exits;
    List<SharePoint> compromised;
    List<Scanner> scanners;
  }

  /** Checks fields in document order and stops at the first problem, naming it by its path. */
  private static final class Validator {

    private static final double SHARE_SUM_TOLERANCE = 1e-6;

    /** Relative slack when checking curves day by day, for floating-point noise only. */
    private static final double CURVE_TOLERANCE = 1e-9;

    Scenario validate(ScenarioJson raw) {
      Builder b = new Builder();
      b.name = text(raw.name(), "name", 200);
      b.title = raw.title() == null ? b.name : text(raw.title(), "title", 500);
      String vulnerability = required(raw.vulnerability(), "vulnerability");
      if (!VULNERABILITY.matcher(vulnerability).matches()) {
        throw fail("vulnerability", quote(vulnerability) + " must match [A-Za-z0-9._:-]{1,64}");
      }
      b.vulnerability = vulnerability.toUpperCase(Locale.ROOT);
      b.product = product(required(raw.product(), "product"));

      b.firstDay = date(raw.firstDay(), "firstDay");
      b.lastDay = date(raw.lastDay(), "lastDay");
      if (b.lastDay.isBefore(b.firstDay)) {
        throw fail("lastDay", b.lastDay + " is before firstDay " + b.firstDay);
      }
      long days = b.lastDay.toEpochDay() - b.firstDay.toEpochDay() + 1;
      if (days > MAX_DAYS) {
        throw fail("lastDay", days + " days from firstDay, at most " + MAX_DAYS + " allowed");
      }
      b.lookBackDays = required(raw.lookBackDays(), "lookBackDays");
      if (b.lookBackDays < 1) {
        throw fail("lookBackDays", b.lookBackDays + " must be at least 1");
      }
      b.population = required(raw.population(), "population");
      if (b.population < 1) {
        throw fail("population", b.population + " must be at least 1");
      }

      b.exposed = anchors(raw.exposed(), "exposed", b);
      Anchor first = b.exposed.get(0);
      if (first.hosts() != b.population) {
        throw fail(
            "exposed[0].hosts",
            first.hosts()
                + " differs from population "
                + b.population
                + ": every host is vulnerable until the first anchor, so the two must be equal");
      }
      LocalDate windowStart = first.date().minusDays(b.lookBackDays);
      if (windowStart.isBefore(b.firstDay)) {
        throw fail(
            "exposed[0].date",
            first.date()
                + " is less than lookBackDays ("
                + b.lookBackDays
                + ") after firstDay "
                + b.firstDay
                + ": its window would not hold a full look-back of scans");
      }

      b.countries = countries(raw.countries());
      b.ipv6Share = fraction(raw.ipv6Share(), "ipv6Share");
      b.exits = exits(required(raw.exits(), "exits"));
      b.compromised = shares(raw.compromised(), "compromised");
      b.scanners = scanners(raw.scanners(), b);

      if (raw.countryExposed() != null) {
        for (Map.Entry<String, List<AnchorJson>> entry : raw.countryExposed().entrySet()) {
          String path = "countryExposed." + entry.getKey();
          String code = entry.getKey();
          if (b.countries.stream().noneMatch(c -> c.code().equals(code))) {
            throw fail(path, "country " + quote(code) + " is not in countries");
          }
          List<Anchor> anchors = anchors(entry.getValue(), path, b);
          if (!anchors.get(0).date().isAfter(first.date())) {
            throw fail(
                path + "[0].date",
                anchors.get(0).date()
                    + " must be after the first global anchor "
                    + first.date()
                    + " (until then the country has its share of the population)");
          }
          b.countryExposed.put(code, anchors);
        }
      }
      Scenario scenario = new Scenario(b);
      checkCurves(scenario);
      return scenario;
    }

    /**
     * Hosts only ever leave the vulnerable state, so each country's curve and the curve of the rest
     * of the world (global minus the countries) must never rise, and no country can exceed the
     * hosts it has.
     */
    private static void checkCurves(Scenario s) {
      LocalDate from = s.exposed().get(0).date();
      LocalDate to = s.lastDay().plusDays(1);
      double previousRest = Double.POSITIVE_INFINITY;
      for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
        double global = s.globalTarget(d);
        double countries = 0;
        for (String code : s.countryExposed().keySet()) {
          double hosts = s.population() * s.share(code);
          double target = s.countryTarget(code, d);
          if (target > hosts * (1 + CURVE_TOLERANCE)) {
            throw fail(
                "countryExposed." + code,
                String.format(
                    Locale.ROOT,
                    "%.0f hosts on %s, but the country has only %.0f (share %.4f of population %d)",
                    target,
                    d,
                    hosts,
                    s.share(code),
                    s.population()));
          }
          countries += target;
        }
        double rest = global - countries;
        if (rest < -CURVE_TOLERANCE * global) {
          throw fail(
              "countryExposed",
              String.format(
                  Locale.ROOT,
                  "countries with their own curve add up to %.0f hosts on %s, more than the %.0f"
                      + " of the global curve",
                  countries,
                  d,
                  global));
        }
        if (rest > previousRest * (1 + CURVE_TOLERANCE)) {
          throw fail(
              "countryExposed",
              String.format(
                  Locale.ROOT,
                  "the rest of the world (global minus countries with a curve) rises from %.0f to"
                      + " %.0f on %s; a country curve falls faster than the global one allows",
                  previousRest,
                  rest,
                  d));
        }
        previousRest = rest;
      }
    }

    private static Product product(ProductJson raw) {
      String name = text(raw.name(), "product.name", MAX_CARRIED);
      int port = required(raw.port(), "product.port");
      if (port < 0 || port > 0xFFFF) {
        throw fail("product.port", port + " is outside 0..65535");
      }
      List<BuildJson> builds = nonEmpty(raw.builds(), "product.builds");
      if (builds.size() > MAX_BUILDS) {
        throw fail("product.builds", builds.size() + " builds, at most " + MAX_BUILDS + " allowed");
      }
      List<Build> result = new ArrayList<>();
      for (int i = 0; i < builds.size(); i++) {
        String path = "product.builds[" + i + "]";
        BuildJson build = required(builds.get(i), path);
        result.add(
            new Build(
                text(build.name(), path + ".name", MAX_CARRIED),
                text(build.vulnerable(), path + ".vulnerable", MAX_CARRIED),
                text(build.fixed(), path + ".fixed", MAX_CARRIED),
                positive(build.weight(), path + ".weight")));
      }
      return new Product(name, port, List.copyOf(result));
    }

    /** Dates strictly increasing within (firstDay, lastDay + 1], hosts positive and not rising. */
    private static List<Anchor> anchors(List<AnchorJson> raw, String path, Builder b) {
      List<AnchorJson> list = nonEmpty(raw, path);
      List<Anchor> anchors = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        String at = path + "[" + i + "]";
        AnchorJson a = required(list.get(i), at);
        LocalDate date = date(a.date(), at + ".date");
        long hosts = required(a.hosts(), at + ".hosts");
        boolean published = required(a.published(), at + ".published");
        String source = a.source() == null ? "" : a.source();
        if (!date.isAfter(b.firstDay) || date.isAfter(b.lastDay.plusDays(1))) {
          throw fail(
              at + ".date",
              date
                  + " is outside "
                  + b.firstDay.plusDays(1)
                  + ".."
                  + b.lastDay.plusDays(1)
                  + " (the midnights that close a day of scans)");
        }
        if (hosts < 1) {
          // log-linear interpolation needs a positive count
          throw fail(at + ".hosts", hosts + " must be at least 1");
        }
        if (i > 0) {
          Anchor previous = anchors.get(i - 1);
          if (!date.isAfter(previous.date())) {
            throw fail(at + ".date", date + " is not after the previous anchor " + previous.date());
          }
          if (hosts > previous.hosts()) {
            throw fail(
                at + ".hosts",
                hosts
                    + " is more than the previous anchor's "
                    + previous.hosts()
                    + ": hosts never become vulnerable again in this model");
          }
        }
        anchors.add(new Anchor(date, hosts, published, source));
      }
      return anchors;
    }

    private static List<Country> countries(List<CountryJson> raw) {
      List<CountryJson> list = nonEmpty(raw, "countries");
      List<Country> countries = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      double sum = 0;
      for (int i = 0; i < list.size(); i++) {
        String at = "countries[" + i + "]";
        CountryJson c = required(list.get(i), at);
        String code = required(c.code(), at + ".code");
        if (!COUNTRY_CODES.contains(code)) {
          throw fail(
              at + ".code",
              quote(code) + " is not an upper-case ISO 3166-1 alpha-2 code (nor ZZ or XK)");
        }
        if (!seen.add(code)) {
          throw fail(at + ".code", quote(code) + " appears twice");
        }
        double share = positive(c.share(), at + ".share");
        sum += share;
        List<AsnJson> asns = nonEmpty(c.asns(), at + ".asns");
        List<Asn> result = new ArrayList<>();
        for (int j = 0; j < asns.size(); j++) {
          String asnAt = at + ".asns[" + j + "]";
          AsnJson a = required(asns.get(j), asnAt);
          long number = required(a.asn(), asnAt + ".asn");
          if (number < 0 || number > MAX_ASN) {
            throw fail(asnAt + ".asn", number + " is outside 0.." + MAX_ASN);
          }
          result.add(new Asn(number, positive(a.weight(), asnAt + ".weight")));
        }
        countries.add(new Country(code, share, List.copyOf(result)));
      }
      if (Math.abs(sum - 1) > SHARE_SUM_TOLERANCE) {
        throw fail("countries", String.format(Locale.ROOT, "shares add up to %.6f, not 1", sum));
      }
      return countries;
    }

    private static Exits exits(ExitsJson raw) {
      double offline = fraction(raw.offlineShare(), "exits.offlineShare");
      double mitigated = fraction(raw.mitigatedShare(), "exits.mitigatedShare");
      int days = required(raw.unreachableDays(), "exits.unreachableDays");
      if (days < 1) {
        throw fail("exits.unreachableDays", days + " must be at least 1");
      }
      return new Exits(offline, mitigated, days);
    }

    private static List<SharePoint> shares(List<ShareJson> raw, String path) {
      List<ShareJson> list = nonEmpty(raw, path);
      List<SharePoint> points = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        String at = path + "[" + i + "]";
        ShareJson s = required(list.get(i), at);
        LocalDate date = date(s.date(), at + ".date");
        double share = fraction(s.share(), at + ".share");
        if (i > 0) {
          SharePoint previous = points.get(i - 1);
          if (!date.isAfter(previous.date())) {
            throw fail(at + ".date", date + " is not after the previous point " + previous.date());
          }
          if (share < previous.share()) {
            throw fail(
                at + ".share",
                share
                    + " is less than the previous "
                    + previous.share()
                    + ": the share is cumulative");
          }
        }
        points.add(new SharePoint(date, share));
      }
      return points;
    }

    private static List<Scanner> scanners(List<ScannerJson> raw, Builder b) {
      List<ScannerJson> list = nonEmpty(raw, "scanners");
      if (list.size() > MAX_SCANNERS) {
        throw fail("scanners", list.size() + " scanners, at most " + MAX_SCANNERS + " allowed");
      }
      List<Scanner> scanners = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      Set<String> codes = new HashSet<>();
      b.countries.forEach(c -> codes.add(c.code()));
      for (int i = 0; i < list.size(); i++) {
        String at = "scanners[" + i + "]";
        ScannerJson s = required(list.get(i), at);
        String id = required(s.id(), at + ".id");
        if (!SCANNER_ID.matcher(id).matches()) {
          throw fail(at + ".id", quote(id) + " must match [A-Za-z0-9._-]{1,64}");
        }
        if (!ids.add(id)) {
          throw fail(at + ".id", quote(id) + " appears twice");
        }
        String description = s.description() == null ? "" : s.description();
        boolean primary = s.primary() != null && s.primary();
        double coverage = fraction(s.coverage(), at + ".coverage");
        if (coverage == 0) {
          throw fail(at + ".coverage", "0 would scan nothing");
        }
        double reliability = fraction(s.reliability(), at + ".reliability");
        if (reliability == 0) {
          throw fail(at + ".reliability", "0 would scan nothing");
        }
        int everyDays = required(s.everyDays(), at + ".everyDays");
        if (everyDays < 1) {
          throw fail(at + ".everyDays", everyDays + " must be at least 1");
        }
        Duration from = timeOfDay(s.from(), at + ".from");
        Duration to = timeOfDay(s.to(), at + ".to");
        if (from.compareTo(to) >= 0) {
          throw fail(at + ".to", s.to() + " is not after from " + s.from());
        }
        List<String> countries = s.countries() == null ? List.of() : List.copyOf(s.countries());
        if (s.countries() != null && countries.isEmpty()) {
          throw fail(at + ".countries", "empty; leave it out to scan every country");
        }
        for (String code : countries) {
          if (!codes.contains(code)) {
            throw fail(at + ".countries", quote(code) + " is not in countries");
          }
        }
        LocalDate since = s.since() == null ? b.firstDay : date(s.since(), at + ".since");
        if (since.isBefore(b.firstDay) || since.isAfter(b.lastDay)) {
          throw fail(at + ".since", since + " is outside " + b.firstDay + ".." + b.lastDay);
        }
        boolean compromise = required(s.reportsCompromise(), at + ".reportsCompromise");
        if (primary) {
          // The primary scanner is what keeps every live host in every EXPOSURE window and dates
          // each change of state; it must see every host every day, give or take a few misses.
          if (coverage != 1
              || everyDays != 1
              || !countries.isEmpty()
              || !since.equals(b.firstDay)
              || reliability < 0.9) {
            throw fail(
                at,
                "the primary scanner needs coverage 1, everyDays 1, no countries, no since"
                    + " after firstDay and reliability of at least 0.9");
          }
        }
        scanners.add(
            new Scanner(
                id,
                description,
                primary,
                coverage,
                reliability,
                everyDays,
                from,
                to,
                countries,
                since,
                compromise));
      }
      long primaries = scanners.stream().filter(Scanner::primary).count();
      if (primaries != 1) {
        throw fail("scanners", primaries + " primary scanners, exactly 1 needed");
      }
      return scanners;
    }

    /** "HH:mm" or "HH:mm:ss", plus "24:00" for the end of the day. */
    private static Duration timeOfDay(String raw, String path) {
      String text = required(raw, path);
      if (text.equals("24:00")) {
        return Duration.ofDays(1);
      }
      try {
        return Duration.ofNanos(LocalTime.parse(text).toNanoOfDay());
      } catch (DateTimeParseException e) {
        throw fail(path, quote(text) + " is not a time of day such as 06:30 (or 24:00)");
      }
    }

    private static LocalDate date(String raw, String path) {
      String text = required(raw, path);
      try {
        return LocalDate.parse(text);
      } catch (DateTimeParseException e) {
        throw fail(path, quote(text) + " is not an ISO date such as 2021-03-01");
      }
    }

    private static String text(String raw, String path, int max) {
      String text = required(raw, path);
      if (text.isBlank() || text.length() > max) {
        throw fail(path, "must be 1 to " + max + " characters, not blank");
      }
      return text;
    }

    private static double fraction(Double raw, String path) {
      double value = required(raw, path);
      if (!(value >= 0 && value <= 1)) {
        throw fail(path, value + " is outside 0..1");
      }
      return value;
    }

    private static double positive(Double raw, String path) {
      double value = required(raw, path);
      if (!(value > 0) || Double.isInfinite(value)) {
        throw fail(path, value + " must be a positive number");
      }
      return value;
    }

    private static <T> List<T> nonEmpty(List<T> raw, String path) {
      List<T> list = required(raw, path);
      if (list.isEmpty()) {
        throw fail(path, "must not be empty");
      }
      return list;
    }

    private static <T> T required(T value, String path) {
      if (value == null) {
        throw fail(path, "required, but missing or null");
      }
      return value;
    }

    private static String quote(String text) {
      return '"' + text + '"';
    }

    private static InvalidScenarioException fail(String path, String message) {
      return new InvalidScenarioException("scenario: " + path + ": " + message);
    }
  }
}
