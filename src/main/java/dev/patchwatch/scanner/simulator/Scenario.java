package dev.patchwatch.scanner.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

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

  /** Scanners are packed into 4 bits of an event's sort key by the simulator. */
  static final int MAX_SCANNERS = 15;

  /** Day indexes are kept in a {@code short} per host by the simulator. */
  static final int MAX_DAYS = 3660;

  /** Build indexes are kept in a byte per host by the simulator. */
  static final int MAX_BUILDS = 256;

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

  Scenario(Builder b) {
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
    return ScenarioValidator.validate(ScenarioReader.read(json));
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

  /** The parts of a scenario as {@link ScenarioValidator} checks them, in document order. */
  static final class Builder {
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
}
