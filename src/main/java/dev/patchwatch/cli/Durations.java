package dev.patchwatch.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Durations as people write them: {@code 90s}, {@code 5m}, {@code 2h}, {@code 7d}, {@code 250ms},
 * {@code 0}, or ISO-8601 ({@code PT1H}).
 */
final class Durations {

  private Durations() {}

  static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("0")) {
      return Duration.ZERO; // "never" needs no unit
    }
    Duration d;
    try {
      d = s.startsWith("p") ? Duration.parse(s.toUpperCase(Locale.ROOT)) : withUnit(s);
    } catch (NumberFormatException | DateTimeParseException e) {
      d = null;
    }
    if (d == null) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration (e.g. 250ms, 90s, 5m, 2h, 7d or PT1H)");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("\"" + text + "\" is negative");
    }
    return d;
  }

  private static Duration withUnit(String s) {
    if (s.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    if (s.length() < 2) {
      return null;
    }
    long amount = Long.parseLong(s.substring(0, s.length() - 1));
    return switch (s.charAt(s.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      case 'h' -> Duration.ofHours(amount);
      case 'd' -> Duration.ofDays(amount);
      default -> null;
    };
  }
}
