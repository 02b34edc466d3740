package dev.patchwatch.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;

/** The two textual forms of {@code observedAt}: what the contract accepts, and what it writes. */
final class Instants {

  /**
   * {@code yyyy-MM-ddTHH:mm[:ss[.f{1,9}]]} then {@code Z} or {@code ±hh:mm}. Built rather than
   * {@code ISO_OFFSET_DATE_TIME} because that one is case-insensitive and accepts offset seconds.
   */
  private static final DateTimeFormatter INPUT =
      new DateTimeFormatterBuilder()
          .parseCaseSensitive()
          .parseStrict()
          .appendValue(ChronoField.YEAR, 4)
          .appendLiteral('-')
          .appendValue(ChronoField.MONTH_OF_YEAR, 2)
          .appendLiteral('-')
          .appendValue(ChronoField.DAY_OF_MONTH, 2)
          .appendLiteral('T')
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .optionalEnd()
          .appendOffset("+HH:MM", "Z")
          .toFormatter(Locale.ROOT)
          .withChronology(IsoChronology.INSTANCE)
          .withResolverStyle(ResolverStyle.STRICT);

  /** Always three fraction digits, so every canonical time has the same shape. */
  private static final DateTimeFormatter OUTPUT =
      new DateTimeFormatterBuilder().appendInstant(3).toFormatter(Locale.ROOT);

  private Instants() {}

  private static final int[] POWERS_OF_TEN = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000
  };

  /** The instant {@code text} denotes, or null if it is not in the accepted form. */
  static Instant parse(String text) {
    Instant instant = parseUtcSeconds(text);
    return instant != null ? instant : parseWithFormatter(text);
  }

  /** The definition of the accepted form. */
  static Instant parseWithFormatter(String text) {
    try {
      return INPUT.parse(text, Instant::from);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, the shape nearly every scanner sends, without the
   * formatter's cost (about half of parsing a whole event). Returns null, never a different answer,
   * for anything else, including dates the formatter would reject: it then decides.
   */
  static Instant parseUtcSeconds(String s) {
    int n = s.length();
    if (n < 20
        || n > 30
        || s.charAt(n - 1) != 'Z'
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    int nanos = 0;
    if (n > 20) {
      int fractionDigits = n - 21;
      if (s.charAt(19) != '.' || fractionDigits < 1) {
        return null;
      }
      int fraction = digits(s, 20, fractionDigits);
      if (fraction < 0) {
        return null;
      }
      nanos = fraction * POWERS_OF_TEN[9 - fractionDigits];
    }
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59
        || day > Month.of(month).length(Year.isLeap(year))) {
      return null;
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600 + minute * 60 + second, nanos);
  }

  /** The value of {@code count} ASCII digits at {@code s[from]}, or -1. */
  private static int digits(String s, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  static String format(Instant instant) {
    return OUTPUT.format(instant);
  }
}
