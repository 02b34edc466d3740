package dev.patchwatch.replay;

import dev.patchwatch.topology.EventTimeRange;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The {@code --from} and {@code --to} of the history commands: a date, meaning midnight UTC, or an
 * instant with its offset. A time without an offset is refused rather than read in the machine's
 * zone, which would make the same command select different events on different machines.
 */
public final class TimeRanges {

  private TimeRanges() {}

  /**
   * {@code 2021-03-01}, {@code 2021-03-01T10:00Z}, {@code 2021-03-01T10:00:00.5+01:00}.
   *
   * @throws IllegalArgumentException with a one-line message saying what is accepted
   */
  public static Instant parseInstant(String text) {
    String s = text.trim();
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE)
            .atStartOfDay(ZoneOffset.UTC)
            .toInstant();
      }
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      if (isLocalDateTime(s)) {
        throw new IllegalArgumentException(
            "\"" + text + "\" has no offset: add Z for UTC, or an offset such as +01:00");
      }
      throw new IllegalArgumentException(
          "\""
              + text
              + "\" is neither a date (2021-03-01, midnight UTC) nor an instant"
              + " (2021-03-01T10:00:00Z)");
    }
  }

  /** The range {@code [from, to)} from optional bounds in the forms of {@link #parseInstant}. */
  public static EventTimeRange parse(Optional<String> from, Optional<String> to) {
    return new EventTimeRange(from.map(TimeRanges::parseInstant), to.map(TimeRanges::parseInstant));
  }

  private static boolean isLocalDateTime(String s) {
    try {
      LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
