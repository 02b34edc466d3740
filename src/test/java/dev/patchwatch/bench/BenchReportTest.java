package dev.patchwatch.bench;

import static dev.patchwatch.bench.RepetitionsTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {

  private static final long S = 1_000_000_000L;

  /** A phase of three runs whose measured stretches took {@code seconds}, 900 events each. */
  private static BenchReport.PhaseResult repeated(String name, double... seconds) {
    return Repetitions.combine(
        Arrays.stream(seconds).mapToObj(s -> run(name, s, 1_800_000)).toList());
  }

  private static BenchReport report() {
    BenchReport report = new BenchReport();
    report.add(
        new BenchReport.PhaseResult(
            "raw",
            "raw consume",
            1_000,
            1_006,
            0.5,
            80_000,
            new ResourceSampler.Peaks(1, 1, 1, -1, 500_000),
            SteadyState.whole(1_000, 0, S / 2, 500_000),
            Map.of()));
    report.add(repeated("passthrough", 0.5, 0.6, 0.4));
    report.add(repeated("minimal", 1.0, 1.2, 0.9));
    Map<String, Object> internal = new LinkedHashMap<>();
    new InternalTopicBytes(300_000, 20_000, 50_000).putPerEvent(internal, 1_000);
    BenchReport.PhaseResult full = run("full", 3.0, 1_800_000);
    BenchReport.PhaseResult withBytes =
        new BenchReport.PhaseResult(
            full.name(),
            full.what(),
            full.events(),
            full.records(),
            full.seconds(),
            full.bytes(),
            full.peaks(),
            full.steady(),
            internal);
    report.add(Repetitions.combine(List.of(withBytes, run("full", 2.0, 1_800_000))));
    report.add(repeated("full-catchup", 1.8, 2.0, 2.2));
    return report;
  }

  @Test
  void shouldWriteEveryHeadlineWithItsRatiosFromTheMedians() {
    JsonNode json = report().toJson();

    // medians: passthrough 0.5 s, minimal 1.0 s, full-catchup 2.0 s for 900 events
    assertThat(json.get("passthroughEventsPerSecond").asDouble()).isEqualTo(1_800.0);
    assertThat(json.get("minimalEventsPerSecond").asDouble()).isEqualTo(900.0);
    assertThat(json.get("fullCatchUpEventsPerSecond").asDouble()).isEqualTo(450.0);
    // two runs of full: 300 and 450 events/s
    assertThat(json.get("fullEventsPerSecond").asDouble()).isEqualTo(375.0);
    assertThat(json.get("fullToPassthroughRatio").asDouble())
        .isCloseTo(375.0 / 1_800, within(1e-12));
    assertThat(json.get("fullToMinimalRatio").asDouble()).isCloseTo(375.0 / 900, within(1e-12));
    assertThat(json.get("fullCatchUpToMinimalRatio").asDouble()).isEqualTo(0.5);
    assertThat(json.get("fullCatchUpToPassthroughRatio").asDouble()).isEqualTo(0.25);
    assertThat(json.get("rawConsumeEventsPerSecond").asDouble()).isEqualTo(2_000.0);
    // phases not run are there, as null
    assertThat(json.get("fullAtLeastOnceEventsPerSecond").isNull()).isTrue();
    assertThat(json.get("p99LiveLatencyMs").isNull()).isTrue();
  }

  @Test
  void shouldKeepEveryRepetitionAndTheCpuPerEventOfEachPhase() {
    JsonNode phases = report().toJson().get("phases");

    JsonNode minimal = phases.get("minimal");
    assertThat(minimal.get("repetitions").asInt()).isEqualTo(3);
    assertThat(minimal.get("perRepetition")).hasSize(3);
    assertThat(minimal.get("perRepetition").findValuesAsText("eventsPerSecond"))
        .containsExactly("900.0", "750.0", "1000.0");
    assertThat(minimal.get("cpuMicrosPerEvent").asDouble()).isEqualTo(2.0);
    assertThat(minimal.get("perRepetition").get(0).get("cpuMicrosPerEvent").asDouble())
        .isEqualTo(2.0);
    assertThat(minimal.get("measuredEvents").asLong()).isEqualTo(900);
    assertThat(minimal.get("warmUpEvents").asLong()).isEqualTo(100);
    assertThat(minimal.get("warmUpExcluded").asBoolean()).isTrue();

    JsonNode raw = phases.get("raw");
    assertThat(raw.get("repetitions").asInt()).isEqualTo(1);
    assertThat(raw.has("perRepetition")).isFalse();
    assertThat(raw.get("cpuMicrosPerEvent").asDouble()).isEqualTo(0.5);
    assertThat(raw.get("warmUpExcluded").asBoolean()).isFalse();

    // the slower full run is the lower middle of two, so its bytes are the phase's
    JsonNode full = phases.get("full");
    assertThat(full.get("changelogBytesPerEvent").asDouble()).isEqualTo(300.0);
    assertThat(full.get("repartitionBytesPerEvent").asDouble()).isEqualTo(20.0);
    assertThat(full.get("perRepetition").get(0).has("changelogBytesPerEvent")).isTrue();
    assertThat(full.get("perRepetition").get(1).has("changelogBytesPerEvent")).isFalse();
  }

  @Test
  void shouldPrintTheNewColumnsRatiosAndRuns() {
    StringWriter text = new StringWriter();

    report().printTable(new PrintWriter(text));

    assertThat(text.toString())
        .contains("µs/ev", "reps")
        .contains("full / passthrough:", "full-catchup / minimal:", "full-catchup / passthrough:")
        .contains("minimal               3 runs: 900 / 750 / 1,000 events/s")
        .contains("full:                  300 bytes per event to changelogs, 20.0 to repartition");
  }
}
