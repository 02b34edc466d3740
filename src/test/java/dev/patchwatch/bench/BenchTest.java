package dev.patchwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchTest {

  @Test
  void shouldKnowEveryPhaseByIdAndTheTwoThreadPhaseByItsFormerId() {
    for (Bench.Phase phase : Bench.Phase.values()) {
      assertThat(Bench.Phase.of(phase.id())).isEqualTo(phase);
    }
    assertThat(Bench.Phase.of("passthrough")).isEqualTo(Bench.Phase.PASSTHROUGH);
    assertThat(Bench.Phase.of("full-catchup")).isEqualTo(Bench.Phase.FULL_CATCH_UP);
    assertThat(Bench.Phase.of("full-2threads")).isEqualTo(Bench.Phase.FULL_CATCH_UP_2_THREADS);
    assertThatThrownBy(() -> Bench.Phase.of("full-3threads"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("passthrough");
  }

  @Test
  void shouldRefuseRepetitionsOutsideOneToTwenty() {
    for (int repetitions : new int[] {0, 21}) {
      assertThatThrownBy(() -> options(repetitions))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("repetitions");
    }
    assertThat(options(1).repetitions()).isEqualTo(1);
  }

  private static Bench.Options options(int repetitions) {
    return new Bench.Options(
        new BenchEvents.Options(1_000, 100, 1, 1, BenchEvents.DEFAULT_START),
        2,
        1_000,
        Duration.ofSeconds(5),
        List.of(Duration.ofSeconds(1)),
        Set.of(),
        repetitions);
  }
}
