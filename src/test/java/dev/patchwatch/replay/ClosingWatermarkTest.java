package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.topology.TopologySettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ClosingWatermarkTest {

  private static final Instant NOW = Instant.parse("2026-11-30T09:30:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final TopologySettings SETTINGS = TopologySettings.defaults(3);

  @Test
  void shouldCloseEveryWindowOfTheInputInAReplay() {
    long max = Instant.parse("2026-11-30T11:00:00Z").toEpochMilli();
    // look-back 7 d + largest grace 2 h + 1 d, however far ahead of the clock that lies
    assertThat(Instant.ofEpochMilli(Replay.closingWatermark(SETTINGS, max)))
        .isEqualTo(Instant.parse("2026-12-08T13:00:00Z"));
  }

  @Test
  void shouldCloseAnOldImportCompletely() {
    assertThat(
            ScanArchive.closingWatermark(SETTINGS, CLOCK)
                .apply(Instant.parse("2021-03-20T10:00:00Z")))
        .isEqualTo(Instant.parse("2021-03-28T12:00:00Z"));
  }

  @Test
  void shouldNeverSendAnImportsClosingWatermarkPastTheClock() {
    assertThat(ScanArchive.closingWatermark(SETTINGS, CLOCK).apply(NOW.minus(Duration.ofDays(2))))
        .isEqualTo(NOW);
    assertThat(ScanArchive.closingWatermark(SETTINGS, CLOCK).apply(NOW.plus(Duration.ofHours(2))))
        .isEqualTo(NOW);
  }
}
