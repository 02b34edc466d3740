package dev.patchwatch.bench;

import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.topology.TopologySettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;

/**
 * The benchmark: publishes one generated input to a scans topic, then reads that same topic in
 * every throughput phase, each from the beginning with its own application id (or no group) and a
 * fresh state directory, and finally measures live latency at a fixed offered rate on a topic of
 * its own. Each phase is a class of its own; this one runs them in order and assembles the report.
 * See BENCHMARKS.md for what each phase measures and why.
 */
public final class Bench {

  /** The phases after publishing, in the order they run. */
  public enum Phase {
    RAW("raw"),
    PASSTHROUGH("passthrough"),
    MINIMAL("minimal"),
    FULL("full"),
    FULL_CATCH_UP("full-catchup"),
    FULL_ALOS("full-alos"),
    /** The best thread count, catching up as that is faster; it was {@code full-2threads}. */
    FULL_CATCH_UP_2_THREADS("full-catchup-2threads", "full-2threads"),
    FULL_IN_MEMORY("full-in-memory"),
    LATENCY("latency");

    private final String id;
    private final List<String> aliases;

    Phase(String id, String... aliases) {
      this.id = id;
      this.aliases = List.of(aliases);
    }

    public String id() {
      return id;
    }

    /** The phase of an id, or of a former id that {@code --skip} still accepts. */
    public static Phase of(String id) {
      return Arrays.stream(values())
          .filter(p -> p.id.equals(id) || p.aliases.contains(id))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "unknown phase \""
                          + id
                          + "\"; phases: "
                          + String.join(", ", Arrays.stream(values()).map(Phase::id).toList())));
    }
  }

  /**
   * @param input what to generate
   * @param partitions partitions of every scans topic
   * @param rate events per second offered in the latency phase
   * @param latencyDuration how long each latency run produces
   * @param liveIntervals one latency run per live interval; the first is the headline
   * @param skip phases not to run
   * @param repetitions runs of each throughput phase after raw, whose median is reported
   */
  public record Options(
      BenchEvents.Options input,
      int partitions,
      int rate,
      Duration latencyDuration,
      List<Duration> liveIntervals,
      Set<Phase> skip,
      int repetitions) {

    /** Runs of each throughput phase unless told otherwise: the fewest with a robust median. */
    public static final int DEFAULT_REPETITIONS = 3;

    public Options {
      Objects.requireNonNull(input, "input");
      if (repetitions < 1 || repetitions > 20) {
        throw new IllegalArgumentException("repetitions must be 1 to 20, got " + repetitions);
      }
      if (partitions < 1 || partitions > 64) {
        throw new IllegalArgumentException("partitions must be 1 to 64, got " + partitions);
      }
      if (rate < 1 || rate > 1_000_000) {
        throw new IllegalArgumentException("rate must be 1 to 1,000,000 events/s, got " + rate);
      }
      // every live event must fall in one HOURLY window, whose count the method reads
      if (latencyDuration.compareTo(Duration.ofSeconds(1)) < 0
          || latencyDuration.compareTo(Duration.ofMinutes(30)) > 0) {
        throw new IllegalArgumentException(
            "latency duration must be 1 to 1800 s, got " + latencyDuration.toSeconds() + " s");
      }
      if ((long) rate * latencyDuration.toSeconds() > 50_000_000) {
        throw new IllegalArgumentException(
            "rate × latency duration must stay under 50,000,000 events");
      }
      if (liveIntervals.isEmpty()) {
        throw new IllegalArgumentException("at least one live interval is needed");
      }
      liveIntervals = List.copyOf(liveIntervals);
      skip = skip.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(skip));
    }
  }

  static final String PREFIX = "bench";

  private static final List<Phase> FULL_PHASES =
      List.of(
          Phase.FULL,
          Phase.FULL_CATCH_UP,
          Phase.FULL_ALOS,
          Phase.FULL_CATCH_UP_2_THREADS,
          Phase.FULL_IN_MEMORY);

  private final BenchContext context;
  private final Options options;
  private final Progress progress;
  private final BenchReport report = new BenchReport();

  /**
   * @param workDir state directories go here, each deleted once its phase is measured
   * @param progress progress and each phase's line as it ends
   */
  public Bench(
      String bootstrapServers,
      SchemaRegistry registry,
      Path workDir,
      Options options,
      PrintWriter progress) {
    this(
        bootstrapServers,
        registry,
        workDir,
        options,
        TopologySettings.defaults(options.partitions()),
        progress);
  }

  /**
   * @param topology the settings every phase starts from, as the command resolved them; its
   *     partitions are {@code options.partitions()}
   */
  public Bench(
      String bootstrapServers,
      SchemaRegistry registry,
      Path workDir,
      Options options,
      TopologySettings topology,
      PrintWriter progress) {
    this.progress = new Progress(progress);
    this.context =
        new BenchContext(
            bootstrapServers,
            registry,
            workDir,
            topology.withInputPartitions(options.partitions()),
            this.progress);
    this.options = options;
  }

  /** Runs the phases not skipped, in order, each after the one before has been measured. */
  public BenchReport run() {
    long started = System.nanoTime();
    Machine.describe(report);
    describeOptions();
    Machine.noteLoad(progress);
    try (Admin admin = context.cluster().admin()) {
      BrokerTopics broker = new BrokerTopics(admin, options.partitions());
      PublishPhase.Published published = new PublishPhase(context, options.input()).run(broker);
      finished(published.result());
      Input input = published.input();
      if (runs(Phase.RAW)) {
        finished(new RawConsumePhase(context).run(input));
      }
      if (runs(Phase.PASSTHROUGH)) {
        finished(repeat(run -> new PassthroughPhase(context, run).run(broker, input)));
      }
      if (runs(Phase.MINIMAL)) {
        finished(repeat(run -> new MinimalPhase(context, run).run(broker, input)));
      }
      runFulls(broker, input);
      if (runs(Phase.LATENCY)) {
        for (Duration interval : options.liveIntervals()) {
          BenchReport.LatencyResult result = new LatencyPhase(context, options, interval).run();
          report.add(result);
          progress.println(BenchReport.line(result));
        }
      }
    }
    report.machine("loadAverageAfter", Machine.loadAverage());
    report.totalSeconds((System.nanoTime() - started) / 1e9);
    return report;
  }

  private void runFulls(BrokerTopics broker, Input input) {
    List<Finals> finals = new ArrayList<>();
    List<BenchReport.PhaseResult> runs = new ArrayList<>();
    for (Phase phase : FULL_PHASES) {
      if (runs(phase)) {
        finished(
            repeat(
                run -> {
                  FullPhase.Run full = new FullPhase(context, phase, run).run(broker, input);
                  runs.add(full.result());
                  finals.add(full.finals());
                  return full.result();
                }));
      }
    }
    // every run of the same input must publish the same finals, whatever the guarantee, threads
    // or store
    boolean identical = finals.stream().distinct().count() <= 1;
    runs.forEach(f -> f.details().put("finalsIdenticalAcrossFullRuns", identical));
    if (!identical) {
      progress.println(
          "WARNING: the full runs published different finals: the topology is not deterministic");
    }
  }

  /**
   * Runs a throughput phase {@link Options#repetitions} times (each run numbered from 1, with an
   * application id and state directory of its own) and combines them into their median.
   */
  private BenchReport.PhaseResult repeat(IntFunction<BenchReport.PhaseResult> phase) {
    List<BenchReport.PhaseResult> runs = new ArrayList<>();
    for (int run = 1; run <= options.repetitions(); run++) {
      BenchReport.PhaseResult result = phase.apply(run);
      runs.add(result);
      if (options.repetitions() > 1) {
        progress.printf(
            "  run %d of %d: %s%n", run, options.repetitions(), BenchReport.line(result));
      }
    }
    return Repetitions.combine(runs);
  }

  private boolean runs(Phase phase) {
    return !options.skip().contains(phase);
  }

  private void finished(BenchReport.PhaseResult result) {
    report.add(result);
    progress.println(BenchReport.line(result));
  }

  private void describeOptions() {
    report.option("events", options.input().events());
    report.option("hosts", options.input().hosts());
    report.option("days", options.input().days());
    report.option("seed", options.input().seed());
    report.option("partitions", options.partitions());
    report.option("rate", options.rate());
    report.option("latencySeconds", options.latencyDuration().toMillis() / 1000.0);
    report.option(
        "liveIntervalsMs", options.liveIntervals().stream().map(Duration::toMillis).toList());
    report.option("skipped", options.skip().stream().map(Phase::id).sorted().toList());
    report.option("repetitions", options.repetitions());
  }
}
