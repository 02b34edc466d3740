package dev.patchwatch.scanner.simulator;

import static dev.patchwatch.scanner.simulator.ScenarioChecks.date;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.fail;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.fraction;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.nonEmpty;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.quote;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.required;
import static dev.patchwatch.scanner.simulator.ScenarioChecks.timeOfDay;

import dev.patchwatch.event.EventContract;
import dev.patchwatch.scanner.simulator.Scenario.Scanner;
import dev.patchwatch.scanner.simulator.ScenarioJson.ScannerJson;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks a scenario's scanner fleet, in document order, against its days and countries. */
final class FleetValidator {

  private final LocalDate firstDay;
  private final LocalDate lastDay;
  private final Set<String> codes = new HashSet<>();
  private final Set<String> ids = new HashSet<>();

  FleetValidator(Scenario.Builder b) {
    this.firstDay = b.firstDay;
    this.lastDay = b.lastDay;
    b.countries.forEach(c -> codes.add(c.code()));
  }

  List<Scanner> scanners(List<ScannerJson> raw) {
    List<ScannerJson> list = nonEmpty(raw, "scanners");
    if (list.size() > Scenario.MAX_SCANNERS) {
      throw fail(
          "scanners", list.size() + " scanners, at most " + Scenario.MAX_SCANNERS + " allowed");
    }
    List<Scanner> scanners = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "scanners[" + i + "]";
      scanners.add(scanner(required(list.get(i), at), at));
    }
    long primaries = scanners.stream().filter(Scanner::primary).count();
    if (primaries != 1) {
      throw fail("scanners", primaries + " primary scanners, exactly 1 needed");
    }
    return scanners;
  }

  private Scanner scanner(ScannerJson s, String at) {
    String id = required(s.id(), at + ".id");
    if (!EventContract.isScannerId(id)) {
      throw fail(at + ".id", quote(id) + " must match " + EventContract.SCANNER_PATTERN);
    }
    if (!ids.add(id)) {
      throw fail(at + ".id", quote(id) + " appears twice");
    }
    String description = s.description() == null ? "" : s.description();
    boolean primary = s.primary() != null && s.primary();
    double coverage = someOf(s.coverage(), at + ".coverage");
    double reliability = someOf(s.reliability(), at + ".reliability");
    int everyDays = required(s.everyDays(), at + ".everyDays");
    if (everyDays < 1) {
      throw fail(at + ".everyDays", everyDays + " must be at least 1");
    }
    Duration from = timeOfDay(s.from(), at + ".from");
    Duration to = timeOfDay(s.to(), at + ".to");
    if (from.compareTo(to) >= 0) {
      throw fail(at + ".to", s.to() + " is not after from " + s.from());
    }
    List<String> countries = countries(s.countries(), at + ".countries");
    LocalDate since = s.since() == null ? firstDay : date(s.since(), at + ".since");
    if (since.isBefore(firstDay) || since.isAfter(lastDay)) {
      throw fail(at + ".since", since + " is outside " + firstDay + ".." + lastDay);
    }
    boolean compromise = required(s.reportsCompromise(), at + ".reportsCompromise");
    Scanner scanner =
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
            compromise);
    if (primary) {
      checkPrimary(scanner, at);
    }
    return scanner;
  }

  /** A share of 0 would scan nothing. */
  private static double someOf(Double raw, String path) {
    double share = fraction(raw, path);
    if (share == 0) {
      throw fail(path, "0 would scan nothing");
    }
    return share;
  }

  /** Empty when absent: the scanner scans every country. */
  private List<String> countries(List<String> raw, String path) {
    if (raw == null) {
      return List.of();
    }
    List<String> countries = List.copyOf(raw);
    if (countries.isEmpty()) {
      throw fail(path, "empty; leave it out to scan every country");
    }
    for (String code : countries) {
      if (!codes.contains(code)) {
        throw fail(path, quote(code) + " is not in countries");
      }
    }
    return countries;
  }

  /**
   * The primary scanner is what keeps every live host in every EXPOSURE window and dates each
   * change of state; it must see every host every day, give or take a few misses.
   */
  private void checkPrimary(Scanner s, String at) {
    if (s.coverage() != 1
        || s.everyDays() != 1
        || !s.countries().isEmpty()
        || !s.since().equals(firstDay)
        || s.reliability() < 0.9) {
      throw fail(
          at,
          "the primary scanner needs coverage 1, everyDays 1, no countries, no since"
              + " after firstDay and reliability of at least 0.9");
    }
  }
}
