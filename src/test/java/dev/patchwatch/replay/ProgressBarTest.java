package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void shouldShowShareCountsAndRate() {
    assertThat(ProgressBar.line(1_234, 4_936, 2.0, "records read"))
        .isEqualTo("  [#####---------------]  25%  1,234 of 4,936 records read  617/s");
  }

  @Test
  void shouldLeaveTheBarOutWhenTheTotalIsUnknown() {
    assertThat(ProgressBar.line(10, 0, 1.0, "records")).isEqualTo("  10 records  10/s");
  }

  @Test
  void shouldNeverOverfillTheBar() {
    assertThat(ProgressBar.line(12, 10, 1.0, "x")).startsWith("  [####################] 100%");
  }
}
