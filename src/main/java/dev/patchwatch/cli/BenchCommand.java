package dev.patchwatch.cli;

import dev.patchwatch.bench.Bench;
import dev.patchwatch.bench.BenchEvents;
import dev.patchwatch.bench.BenchReport;
import dev.patchwatch.local.LocalStack;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench}: how close the pipeline runs to Kafka's own limits on this machine. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures, in one run on a fresh embedded broker and local registry (free ports, a temporary"
          + " directory removed afterwards), over the same generated input: the raw consume rate of"
          + " the scans topic, an exactly-once job that only decodes and validates (passthrough), a"
          + " minimal exactly-once windowed count, the full PatchWatch topology (exactly_once_v2:"
          + " live output on, as run; catching up, finals only with 1-s commits, as replay; then"
          + " at_least_once; catching up with 2 stream threads; with --in-memory, in-memory"
          + " stores), and live latency at a fixed offered rate; then prints a table and the ratios"
          + " of full to minimal, passthrough and raw consume.",
      "Each phase after raw runs --repetitions times and reports the median rate after the first"
          + " 10%% of the input.",
      "Phases: raw, passthrough, minimal, full, full-catchup, full-alos, full-catchup-2threads"
          + " (formerly full-2threads), full-in-memory, latency (see BENCHMARKS.md)."
    })
final class BenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Option(
      names = "--events",
      defaultValue = "2000000",
      description = "Scan events to generate (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--hosts",
      defaultValue = "200000",
      description = "Distinct hosts they come from (default: ${DEFAULT-VALUE}).")
  int hosts;

  @Option(
      names = "--days",
      defaultValue = "10",
      description = "Days the scans span (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--partitions",
      defaultValue = "6",
      description = "Partitions of the scans topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--seed",
      defaultValue = "2021",
      description = "Seed of the generated input (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--rate",
      defaultValue = "20000",
      description = "Events per second offered in the latency phase (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--latency-seconds",
      defaultValue = "20",
      description = "How long each latency run offers events (default: ${DEFAULT-VALUE}).")
  int latencySeconds;

  @Option(
      names = "--live-interval",
      split = ",",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "One latency run per live interval; the first gives p99LiveLatencyMs (default: the topology's default, 250ms, then 1s).")
  List<Duration> liveIntervals;

  @Option(
      names = "--skip",
      split = ",",
      paramLabel = "PHASE",
      description = "Phases not to run, e.g. --skip full-alos,latency.")
  List<String> skip;

  @Option(
      names = "--repetitions",
      defaultValue = "" + Bench.Options.DEFAULT_REPETITIONS,
      description =
          "Runs of each phase after raw, with a fresh application each; the median is reported"
              + " (default: ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(
      names = "--in-memory",
      description = "Also run the full topology with in-memory stores (phase full-in-memory).")
  boolean inMemory;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write every figure to this JSON file.")
  Path json;

  @Option(
      names = "--registry-url",
      description = "Use this Confluent-compatible registry instead of starting a local one.")
  String registryUrl;

  @Mixin SettingsOptions settings;

  @Override
  public Integer call() throws IOException {
    TopologySettings topology = settings.load(Map.of()).topologySettings(partitions);
    Bench.Options options;
    try {
      options =
          new Bench.Options(
              new BenchEvents.Options(events, hosts, days, seed, BenchEvents.DEFAULT_START),
              partitions,
              rate,
              Duration.ofSeconds(latencySeconds),
              intervals(topology.liveInterval()),
              skipped(),
              repetitions);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (json != null
        && json.toAbsolutePath().getParent() != null
        && !Files.isDirectory(json.toAbsolutePath().getParent())) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "no directory for --json " + json);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long started = System.nanoTime();
    Path work = Files.createTempDirectory("patchwatch-bench-");
    try {
      err.println("starting the embedded broker and the local registry");
      err.flush();
      BenchReport report;
      try (LocalStack stack = LocalStack.start(work, 0, 0, Optional.ofNullable(registryUrl))) {
        err.printf(
            Locale.ROOT,
            "broker %s, registry %s, ready in %.1f s%n",
            stack.bootstrapServers(),
            stack.registryUrl(),
            (System.nanoTime() - started) / 1e9);
        err.flush();
        report =
            new Bench(
                    stack.bootstrapServers(),
                    ConfluentRegistryClient.builder(stack.registryUrl()).build(),
                    work.resolve("streams"),
                    options,
                    topology,
                    err)
                .run();
      }
      out.println();
      report.printTable(out);
      if (json != null) {
        report.writeJson(json);
        out.println("figures written to " + json);
      }
      out.printf(Locale.ROOT, "bench took %.0f s in all%n", (System.nanoTime() - started) / 1e9);
      out.flush();
      return 0;
    } finally {
      deleteRecursively(work);
    }
  }

  /** The given live intervals, or the topology's, then 1 s to compare with. */
  private List<Duration> intervals(Duration configured) {
    if (liveIntervals != null && !liveIntervals.isEmpty()) {
      for (Duration d : liveIntervals) {
        if (d.toMillis() < 1) {
          throw new IllegalArgumentException("--live-interval must be at least 1ms, got " + d);
        }
      }
      return liveIntervals;
    }
    List<Duration> defaults = new ArrayList<>();
    defaults.add(configured);
    if (!defaults.contains(Duration.ofSeconds(1))) {
      defaults.add(Duration.ofSeconds(1));
    }
    return defaults;
  }

  private Set<Bench.Phase> skipped() {
    Set<Bench.Phase> phases = EnumSet.noneOf(Bench.Phase.class);
    if (!inMemory) {
      phases.add(Bench.Phase.FULL_IN_MEMORY);
    }
    if (skip != null) {
      skip.forEach(id -> phases.add(Bench.Phase.of(id.trim().toLowerCase(Locale.ROOT))));
    }
    return phases;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
