package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTimeRangeTest {

  private static final Instant MARCH_1 = Instant.parse("2021-03-01T00:00:00Z");
  private static final Instant MARCH_8 = Instant.parse("2021-03-08T00:00:00Z");

  @Test
  void shouldIncludeFromAndExcludeTo() {
    EventTimeRange range = EventTimeRange.of(MARCH_1, MARCH_8);
    assertThat(range.contains(MARCH_1.toEpochMilli())).isTrue();
    assertThat(range.contains(MARCH_1.toEpochMilli() - 1)).isFalse();
    assertThat(range.contains(MARCH_8.toEpochMilli() - 1)).isTrue();
    assertThat(range.contains(MARCH_8.toEpochMilli())).isFalse();
  }

  @Test
  void shouldLeaveAnOpenEndUnbounded() {
    EventTimeRange from = EventTimeRange.of(MARCH_1, null);
    assertThat(from.contains(Long.MAX_VALUE - 1)).isTrue();
    assertThat(from.contains(MARCH_1.toEpochMilli() - 1)).isFalse();
    assertThat(EventTimeRange.ALL.contains(Long.MIN_VALUE)).isTrue();
    assertThat(EventTimeRange.ALL.isAll()).isTrue();
    assertThat(from.isAll()).isFalse();
    assertThat(from).hasToString("[2021-03-01T00:00:00Z, …)");
  }

  @Test
  void shouldRoundASubMillisecondBoundUpLikeEventTimes() {
    // events are whole milliseconds: none lies in [0.5 ms, 1 ms), so the first counted is 1 ms
    EventTimeRange range = EventTimeRange.of(MARCH_1.plusNanos(500_000), null);
    assertThat(range.contains(MARCH_1.toEpochMilli())).isFalse();
    assertThat(range.contains(MARCH_1.toEpochMilli() + 1)).isTrue();
  }

  @Test
  void shouldCoverOnlyWindowsEntirelyInside() {
    EventTimeRange range = EventTimeRange.of(MARCH_1, MARCH_8);
    long day = Windowing.DAY_MS;
    assertThat(range.covers(MARCH_1.toEpochMilli(), MARCH_1.toEpochMilli() + day)).isTrue();
    assertThat(range.covers(MARCH_8.toEpochMilli() - day, MARCH_8.toEpochMilli())).isTrue();
    assertThat(range.covers(MARCH_1.toEpochMilli() - day, MARCH_1.toEpochMilli() + 6 * day))
        .isFalse();
    assertThat(range.covers(MARCH_8.toEpochMilli() - day, MARCH_8.toEpochMilli() + 1)).isFalse();
  }

  @Test
  void shouldRefuseAnEmptyRange() {
    assertThatThrownBy(() -> EventTimeRange.of(MARCH_8, MARCH_1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not before");
    assertThatThrownBy(() -> EventTimeRange.of(MARCH_1, MARCH_1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
