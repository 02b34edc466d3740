package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.topology.EventTimeRange;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TimeRangesTest {

  @Test
  void shouldReadADateAsMidnightUtc() {
    assertThat(TimeRanges.parseInstant("2021-03-01"))
        .isEqualTo(Instant.parse("2021-03-01T00:00:00Z"));
  }

  @Test
  void shouldReadAnInstantWithItsOffset() {
    assertThat(TimeRanges.parseInstant("2021-03-01T10:00Z"))
        .isEqualTo(Instant.parse("2021-03-01T10:00:00Z"));
    assertThat(TimeRanges.parseInstant("2021-03-01T10:00:00.250Z"))
        .isEqualTo(Instant.parse("2021-03-01T10:00:00.250Z"));
    assertThat(TimeRanges.parseInstant("2021-03-01T10:00:00+01:00"))
        .isEqualTo(Instant.parse("2021-03-01T09:00:00Z"));
  }

  @Test
  void shouldRefuseATimeWithoutOffsetRatherThanGuessAZone() {
    assertThatThrownBy(() -> TimeRanges.parseInstant("2021-03-01T10:00:00"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "\"2021-03-01T10:00:00\" has no offset: add Z for UTC, or an offset such as +01:00");
  }

  @Test
  void shouldSayWhatIsAcceptedForAnythingElse() {
    for (String bad : new String[] {"yesterday", "2021-02-30", "2021-3-1", "1614556800000", ""}) {
      assertThatThrownBy(() -> TimeRanges.parseInstant(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is neither a date (2021-03-01, midnight UTC) nor an instant");
    }
  }

  @Test
  void shouldMakeAHalfOpenRangeFromOptionalBounds() {
    EventTimeRange range = TimeRanges.parse(Optional.of("2021-03-01"), Optional.of("2021-03-08"));
    assertThat(range)
        .isEqualTo(
            EventTimeRange.of(
                Instant.parse("2021-03-01T00:00:00Z"), Instant.parse("2021-03-08T00:00:00Z")));
    assertThat(TimeRanges.parse(Optional.empty(), Optional.empty())).isEqualTo(EventTimeRange.ALL);
    assertThatThrownBy(() -> TimeRanges.parse(Optional.of("2021-03-08"), Optional.of("2021-03-01")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
