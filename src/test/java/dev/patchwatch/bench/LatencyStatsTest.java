package dev.patchwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {

  private static final long MS = 1_000_000;

  @Test
  void shouldTakeNearestRankPercentiles() {
    // 1 ms .. 100 ms, shuffled
    long[] samples = LongStream.rangeClosed(1, 100).map(i -> ((i * 37) % 100 + 1) * MS).toArray();

    LatencyStats stats = LatencyStats.of(samples);

    assertThat(stats.count()).isEqualTo(100);
    assertThat(stats.p50Ms()).isEqualTo(50.0);
    assertThat(stats.p90Ms()).isEqualTo(90.0);
    assertThat(stats.p99Ms()).isEqualTo(99.0);
    assertThat(stats.p999Ms()).isEqualTo(100.0);
    assertThat(stats.maxMs()).isEqualTo(100.0);
    assertThat(stats.meanMs()).isCloseTo(50.5, within(1e-9));
  }

  @Test
  void shouldRoundRanksUpAndNeverChangeTheSamples() {
    long[] samples = {40 * MS, 10 * MS, 30 * MS, 20 * MS};

    LatencyStats stats = LatencyStats.of(samples);

    // rank ceil(0.5 × 4) = 2, ceil(0.9 × 4) = 4
    assertThat(stats.p50Ms()).isEqualTo(20.0);
    assertThat(stats.p90Ms()).isEqualTo(40.0);
    assertThat(samples).containsExactly(40 * MS, 10 * MS, 30 * MS, 20 * MS);
    assertThat(LatencyStats.percentile(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9))
        .isEqualTo(9);
  }

  @Test
  void shouldSayNothingWithoutSamples() {
    LatencyStats stats = LatencyStats.of(new long[0]);

    assertThat(stats.count()).isZero();
    assertThat(stats.p99Ms()).isNaN();
  }
}
