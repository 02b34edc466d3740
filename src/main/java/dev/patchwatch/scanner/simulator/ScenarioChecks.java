package dev.patchwatch.scanner.simulator;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/** The checks every part of a scenario uses; each failure names the field at fault by its path. */
final class ScenarioChecks {

  private ScenarioChecks() {}

  /** "HH:mm" or "HH:mm:ss", plus "24:00" for the end of the day. */
  static Duration timeOfDay(String raw, String path) {
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

  static LocalDate date(String raw, String path) {
    String text = required(raw, path);
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw fail(path, quote(text) + " is not an ISO date such as 2021-03-01");
    }
  }

  static String text(String raw, String path, int max) {
    String text = required(raw, path);
    if (text.isBlank() || text.length() > max) {
      throw fail(path, "must be 1 to " + max + " characters, not blank");
    }
    return text;
  }

  static double fraction(Double raw, String path) {
    double value = required(raw, path);
    if (!(value >= 0 && value <= 1)) {
      throw fail(path, value + " is outside 0..1");
    }
    return value;
  }

  static double positive(Double raw, String path) {
    double value = required(raw, path);
    if (!(value > 0) || Double.isInfinite(value)) {
      throw fail(path, value + " must be a positive number");
    }
    return value;
  }

  static <T> List<T> nonEmpty(List<T> raw, String path) {
    List<T> list = required(raw, path);
    if (list.isEmpty()) {
      throw fail(path, "must not be empty");
    }
    return list;
  }

  static <T> T required(T value, String path) {
    if (value == null) {
      throw fail(path, "required, but missing or null");
    }
    return value;
  }

  static String quote(String text) {
    return '"' + text + '"';
  }

  static InvalidScenarioException fail(String path, String message) {
    return new InvalidScenarioException("scenario: " + path + ": " + message);
  }
}
