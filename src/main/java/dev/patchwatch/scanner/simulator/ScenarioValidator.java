package dev.patchwatch.scanner.simulator;

import static dev.patchwatch.scanner.simulator.ScenarioChecks.date;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.fail;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.fraction;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.nonEmpty;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.positive;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.quote;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.required;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.text;

import dev.patchwatch.event.EventContract;
import dev.patchwatch.scanner.simulator.Scenario.Anchor;
import dev.patchwatch.scanner.simulator.Scenario.Asn;
import dev.patchwatch.scanner.simulator.Scenario.Build;
import dev.patchwatch.scanner.simulator.Scenario.Country;
import dev.patchwatch.scanner.simulator.Scenario.Exits;
import dev.patchwatch.scanner.simulator.Scenario.Product;
import dev.patchwatch.scanner.simulator.Scenario.SharePoint;
import dev.patchwatch.scanner.simulator.ScenarioJson.AnchorJson;
import dev.patchwatch.scanner.simulator.ScenarioJson.AsnJson;
import dev.patchwatch.scanner.simulator.ScenarioJson.BuildJson;
import dev.patchwatch.scanner.simulator.ScenarioJson.CountryJson;
import dev.patchwatch.scanner.simulator.ScenarioJson.ExitsJson;
import dev.patchwatch.scanner.simulator.ScenarioJson.ProductJson;
import dev.patchwatch.scanner.simulator.ScenarioJson.ShareJson;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a scenario file as written into a {@link Scenario}: checks fields in document order and
 * stops at the first problem, naming it by its path. Rules a scenario shares with scan events (the
 * vulnerability and scanner ids, country codes, ASN and port ranges, carried text) are the event
 * contract's own, so a valid scenario cannot produce events the pipeline rejects for them.
 */
final class ScenarioValidator {

  private static final double SHARE_SUM_TOLERANCE = 1e-6;

  /** Relative slack when checking curves day by day, for floating-point noise only. */
  private static final double CURVE_TOLERANCE = 1e-9;

  private ScenarioValidator() {}

  static Scenario validate(ScenarioJson raw) {
    Scenario.Builder b = new Scenario.Builder();
    header(raw, b);
    days(raw, b);
    exposed(raw, b);
    b.countries = countries(raw.countries());
    b.ipv6Share = fraction(raw.ipv6Share(), "ipv6Share");
    b.exits = exits(required(raw.exits(), "exits"));
    b.compromised = shares(raw.compromised(), "compromised");
    b.scanners = new FleetValidator(b).scanners(raw.scanners());
    countryExposed(raw, b);
    Scenario scenario = new Scenario(b);
    checkCurves(scenario);
    return scenario;
  }

  private static void header(ScenarioJson raw, Scenario.Builder b) {
    b.name = text(raw.name(), "name", 200);
    b.title = raw.title() == null ? b.name : text(raw.title(), "title", 500);
    String vulnerability = required(raw.vulnerability(), "vulnerability");
    if (!EventContract.isVulnerabilityId(vulnerability)) {
      throw fail(
          "vulnerability",
          quote(vulnerability) + " must match " + EventContract.VULNERABILITY_PATTERN);
    }
    b.vulnerability = vulnerability.toUpperCase(Locale.ROOT);
    b.product = product(required(raw.product(), "product"));
  }

  private static void days(ScenarioJson raw, Scenario.Builder b) {
    b.firstDay = date(raw.firstDay(), "firstDay");
    b.lastDay = date(raw.lastDay(), "lastDay");
    if (b.lastDay.isBefore(b.firstDay)) {
      throw fail("lastDay", b.lastDay + " is before firstDay " + b.firstDay);
    }
    long days = b.lastDay.toEpochDay() - b.firstDay.toEpochDay() + 1;
    if (days > Scenario.MAX_DAYS) {
      throw fail(
          "lastDay", days + " days from firstDay, at most " + Scenario.MAX_DAYS + " allowed");
    }
    b.lookBackDays = required(raw.lookBackDays(), "lookBackDays");
    if (b.lookBackDays < 1) {
      throw fail("lookBackDays", b.lookBackDays + " must be at least 1");
    }
    b.population = required(raw.population(), "population");
    if (b.population < 1) {
      throw fail("population", b.population + " must be at least 1");
    }
  }

  /** The global anchors: the first is the whole population, a full look-back after firstDay. */
  private static void exposed(ScenarioJson raw, Scenario.Builder b) {
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
  }

  private static void countryExposed(ScenarioJson raw, Scenario.Builder b) {
    if (raw.countryExposed() == null) {
      return;
    }
    Anchor first = b.exposed.get(0);
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

  /**
   * Hosts only ever leave the vulnerable state, so each country's curve and the curve of the rest
   * of the world (global minus the countries) must never rise, and no country can exceed the hosts
   * it has.
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
    String name = text(raw.name(), "product.name", EventContract.MAX_CARRIED);
    int port = required(raw.port(), "product.port");
    if (port < 0 || port > EventContract.MAX_PORT) {
      throw fail("product.port", port + " is outside 0.." + EventContract.MAX_PORT);
    }
    List<BuildJson> builds = nonEmpty(raw.builds(), "product.builds");
    if (builds.size() > Scenario.MAX_BUILDS) {
      throw fail(
          "product.builds", builds.size() + " builds, at most " + Scenario.MAX_BUILDS + " allowed");
    }
    List<Build> result = new ArrayList<>();
    for (int i = 0; i < builds.size(); i++) {
      String path = "product.builds[" + i + "]";
      BuildJson build = required(builds.get(i), path);
      result.add(
          new Build(
              text(build.name(), path + ".name", EventContract.MAX_CARRIED),
              text(build.vulnerable(), path + ".vulnerable", EventContract.MAX_CARRIED),
              text(build.fixed(), path + ".fixed", EventContract.MAX_CARRIED),
              positive(build.weight(), path + ".weight")));
    }
    return new Product(name, port, List.copyOf(result));
  }

  /** Dates strictly increasing within (firstDay, lastDay + 1], hosts positive and not rising. */
  private static List<Anchor> anchors(List<AnchorJson> raw, String path, Scenario.Builder b) {
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
      if (!EventContract.isCountryCode(code)) {
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
        if (number < 0 || number > EventContract.MAX_ASN) {
          throw fail(asnAt + ".asn", number + " is outside 0.." + EventContract.MAX_ASN);
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
}
