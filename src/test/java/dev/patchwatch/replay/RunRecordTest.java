package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.topology.EventTimeRange;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunRecordTest {

  private static final Instant STARTED = Instant.parse("2021-04-01T08:00:00Z");

  @Test
  void shouldKeepEveryFieldThroughJson() {
    RunRecord record =
        RunRecord.started(
                new RunId("r1"),
                "patchwatch-run-r1",
                "patchwatch.scans",
                EventTimeRange.of(Instant.parse("2021-03-01T00:00:00Z"), null),
                STARTED)
            .withCaughtUp(STARTED.plusSeconds(90))
            .withPromotion(STARTED.plusSeconds(600), "3 records written");
    assertThat(RunRecord.fromJson(record.toJson())).isEqualTo(record);
    RunRecord bare =
        RunRecord.started(new RunId("r2"), "a-run-r2", "p.scans", EventTimeRange.ALL, STARTED);
    assertThat(RunRecord.fromJson(bare.toJson())).isEqualTo(bare);
    assertThat(bare.toJson()).doesNotContain("from").doesNotContain("caughtUpAt");
  }

  @Test
  void shouldRefuseSomethingElse() {
    assertThatThrownBy(() -> RunRecord.fromJson("{\"id\":\"r1\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("applicationId");
    assertThatThrownBy(() -> RunRecord.fromJson("not json"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
