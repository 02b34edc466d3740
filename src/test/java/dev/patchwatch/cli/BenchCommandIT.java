package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.topology.TopologySettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench} at a tiny size: every phase runs and every figure is there and plausible. */
class BenchCommandIT {

  @TempDir Path dir;

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void shouldMeasureEveryPhaseAndWriteTheFigures() throws Exception {
    Path json = dir.resolve("bench.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = PatchWatch.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));

    int exit =
        cli.execute(
            "bench",
            "--events",
            "20000",
            "--hosts",
            "2000",
            "--days",
            "2",
            "--partitions",
            "3",
            "--rate",
            "2000",
            "--latency-seconds",
            "3",
            "--in-memory",
            "--repetitions",
            "2",
            "--registry-url",
            SharedRegistry.url(),
            "--json",
            json.toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains(
            "full / minimal windowed count:", "full / raw consume:", "latency (live interval 1 s)");
    JsonNode figures = new ObjectMapper().readTree(json.toFile());
    for (String key :
        List.of(
            "fullEventsPerSecond",
            "minimalEventsPerSecond",
            "rawConsumeEventsPerSecond",
            "fullToMinimalRatio",
            "fullToRawConsumeRatio",
            "p99LiveLatencyMs",
            "p50LiveLatencyMs",
            "publishEventsPerSecond",
            "fullAtLeastOnceEventsPerSecond",
            "fullTwoThreadsEventsPerSecond",
            "fullInMemoryEventsPerSecond",
            "rawConsumeMegabytesPerSecond",
            "fullPeakHeapMb",
            "stateStoreMbPerMillionEvents",
            "passthroughEventsPerSecond",
            "fullToPassthroughRatio",
            "fullCatchUpEventsPerSecond",
            "fullCatchUpToMinimalRatio")) {
      assertThat(figures.path(key).isNumber()).as(key + " in " + figures).isTrue();
      assertThat(figures.path(key).asDouble()).as(key).isPositive().isFinite();
    }
    // each ratio is the quotient of the rates it names
    assertThat(figures.get("fullToMinimalRatio").asDouble())
        .isCloseTo(
            figures.get("fullEventsPerSecond").asDouble()
                / figures.get("minimalEventsPerSecond").asDouble(),
            org.assertj.core.api.Assertions.within(1e-9));
    // a raw read of the topic is faster than any processing of it
    assertThat(figures.get("fullToRawConsumeRatio").asDouble()).isLessThan(1);
    assertThat(figures.get("p99LiveLatencyMs").asDouble())
        .isGreaterThanOrEqualTo(figures.get("p50LiveLatencyMs").asDouble());

    for (String phase : List.of("passthrough", "minimal", "full", "full-catchup")) {
      JsonNode p = figures.path("phases").path(phase);
      assertThat(p.path("repetitions").asInt()).as(phase).isEqualTo(2);
      assertThat(p.path("perRepetition")).as(phase).hasSize(2);
      assertThat(p.path("cpuMicrosPerEvent").asDouble()).as(phase).isPositive().isFinite();
    }
    assertThat(figures.path("phases").path("full-catchup").path("finalsDigest").asText())
        .isEqualTo(figures.path("phases").path("full").path("finalsDigest").asText());
    JsonNode full = figures.path("phases").path("full");
    assertThat(full.path("events").asLong()).isEqualTo(20_000);
    assertThat(full.path("finals").asLong()).isPositive();
    assertThat(full.path("finalsIdenticalAcrossFullRuns").asBoolean()).isTrue();
    assertThat(full.path("streamThreadCpuSeconds").asDouble()).isPositive();
    assertThat(full.path("processCpuSeconds").asDouble())
        .isGreaterThanOrEqualTo(full.path("streamThreadCpuSeconds").asDouble());
    assertThat(figures.path("phases").path("raw").path("records").asLong()).isEqualTo(20_003);

    JsonNode latency = figures.path("latency");
    assertThat(latency).hasSize(2);
    // the topology's default first (it gives p99LiveLatencyMs), then 1 s to compare
    assertThat(latency.get(0).path("liveIntervalMs").asLong())
        .isEqualTo(TopologySettings.defaults(1).liveInterval().toMillis());
    assertThat(latency.get(1).path("liveIntervalMs").asLong()).isEqualTo(1000);
    for (JsonNode run : latency) {
      assertThat(run.path("produced").asLong()).isEqualTo(6_000);
      assertThat(run.path("unmatched").asLong()).as(run.toString()).isZero();
      assertThat(run.path("measured").asLong()).isPositive();
      // a live update can come no sooner than the event it counts, nor later than the run lasted
      assertThat(run.path("p50Ms").asDouble()).isPositive().isLessThan(30_000);
      assertThat(run.path("bySecond").size()).isBetween(2, 4);
      assertThat(run.path("streamThreadBusy").asDouble()).isPositive();
    }
  }
}
