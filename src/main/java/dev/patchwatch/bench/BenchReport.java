package dev.patchwatch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Every figure of one benchmark run, as a table for people and as JSON for tools. */
public final class BenchReport {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Megabytes are 10^6 bytes throughout. */
  static final double MB = 1e6;

  /**
   * One throughput phase, or one run of it.
   *
   * @param name its id (see {@link Bench.Phase}), or {@code publish}
   * @param what one line on what it runs
   * @param events scan events it went through
   * @param records records of the scans topic it read (events and watermarks)
   * @param seconds from the first record to completion, as the phase defines them
   * @param bytes payload bytes read (key and value), or -1 when not measured
   * @param peaks what the process used at most meanwhile
   * @param steady the stretch its rate is measured over: after the warm-up, or the whole run
   * @param repetitions every run of a repeated phase, this one's figures being its median run's;
   *     empty for a single run
   * @param details anything else it measured, in JSON order
   */
  public record PhaseResult(
      String name,
      String what,
      long events,
      long records,
      double seconds,
      long bytes,
      ResourceSampler.Peaks peaks,
      SteadyState steady,
      List<PhaseResult> repetitions,
      Map<String, Object> details) {

    public PhaseResult {
      repetitions = List.copyOf(repetitions);
    }

    /** A single run. */
    PhaseResult(
        String name,
        String what,
        long events,
        long records,
        double seconds,
        long bytes,
        ResourceSampler.Peaks peaks,
        SteadyState steady,
        Map<String, Object> details) {
      this(name, what, events, records, seconds, bytes, peaks, steady, List.of(), details);
    }

    /** Events per second over the measured stretch; of a repeated phase, the median of its runs. */
    public double eventsPerSecond() {
      return repetitions.isEmpty()
          ? steady.eventsPerSecond()
          : Repetitions.median(repetitions, PhaseResult::eventsPerSecond);
    }

    /**
     * The whole process's CPU time per measured event in microseconds; of a repeated phase, the
     * median of its runs.
     */
    public double cpuMicrosPerEvent() {
      return repetitions.isEmpty()
          ? steady.cpuMicrosPerEvent()
          : Repetitions.median(repetitions, PhaseResult::cpuMicrosPerEvent);
    }

    /** Events over the whole run, warm-up included, as before steady states were measured. */
    public double wholeRunEventsPerSecond() {
      return events / seconds;
    }

    public int repetitionCount() {
      return Math.max(1, repetitions.size());
    }

    public Optional<Double> megabytesPerSecond() {
      return bytes < 0 ? Optional.empty() : Optional.of(bytes / MB / seconds);
    }
  }

  /**
   * One live-latency run.
   *
   * @param liveInterval the topology's live interval
   * @param commitInterval Kafka Streams' commit interval
   * @param offeredRate events per second asked for
   * @param achievedRate events per second actually produced
   * @param produced events produced
   * @param warmupSeconds events produced in this first stretch are not measured
   * @param unmatched measured events no live update included before the run ended
   * @param stats latency from produce to the first live update including the event; an unmatched
   *     event counts with the time it waited, so then these are lower bounds
   * @param bySecond the same for the events produced in each second after the warm-up
   * @param streamThreadBusy the stream thread's CPU time over the run's wall time: near 1 means it
   *     was saturated and the latency includes queueing
   */
  public record LatencyResult(
      Duration liveInterval,
      Duration commitInterval,
      int offeredRate,
      double achievedRate,
      long produced,
      double warmupSeconds,
      long unmatched,
      LatencyStats stats,
      List<LatencyStats> bySecond,
      double streamThreadBusy,
      ResourceSampler.Peaks peaks) {}

  private final Map<String, Object> machine = new LinkedHashMap<>();
  private final Map<String, Object> options = new LinkedHashMap<>();
  private final List<PhaseResult> phases = new ArrayList<>();
  private final List<LatencyResult> latencies = new ArrayList<>();
  private double totalSeconds;

  void machine(String key, Object value) {
    machine.put(key, value);
  }

  void option(String key, Object value) {
    options.put(key, value);
  }

  void add(PhaseResult phase) {
    phases.add(phase);
  }

  void add(LatencyResult latency) {
    latencies.add(latency);
  }

  void totalSeconds(double seconds) {
    this.totalSeconds = seconds;
  }

  public Optional<PhaseResult> phase(String name) {
    return phases.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  public List<LatencyResult> latencies() {
    return List.copyOf(latencies);
  }

  public double totalSeconds() {
    return totalSeconds;
  }

  /** The headline ratio: the full topology's throughput over the minimal windowed count's. */
  public Optional<Double> fullToMinimal() {
    return ratio(Bench.Phase.FULL.id(), Bench.Phase.MINIMAL.id());
  }

  public Optional<Double> fullToRawConsume() {
    return ratio(Bench.Phase.FULL.id(), Bench.Phase.RAW.id());
  }

  /** The full topology against the ceiling of any topology that decodes and validates events. */
  public Optional<Double> fullToPassthrough() {
    return ratio(Bench.Phase.FULL.id(), Bench.Phase.PASSTHROUGH.id());
  }

  public Optional<Double> fullCatchUpToMinimal() {
    return ratio(Bench.Phase.FULL_CATCH_UP.id(), Bench.Phase.MINIMAL.id());
  }

  public Optional<Double> fullCatchUpToPassthrough() {
    return ratio(Bench.Phase.FULL_CATCH_UP.id(), Bench.Phase.PASSTHROUGH.id());
  }

  /**
   * The same ratio per second of stream-thread CPU rather than of wall time: what the topology's
   * own work costs per event over the minimal count's, whatever else the machine was doing.
   */
  public Optional<Double> fullToMinimalCpu() {
    Optional<Double> full =
        phase(Bench.Phase.FULL.id())
            .flatMap(p -> medianDetail(p, "eventsPerStreamThreadCpuSecond"));
    Optional<Double> minimal =
        phase(Bench.Phase.MINIMAL.id())
            .flatMap(p -> medianDetail(p, "eventsPerStreamThreadCpuSecond"));
    return full.isPresent() && minimal.isPresent()
        ? Optional.of(full.get() / minimal.get())
        : Optional.empty();
  }

  /** A numeric detail of a phase, the median over its runs if repeated; empty if unmeasured. */
  static Optional<Double> medianDetail(PhaseResult phase, String key) {
    List<PhaseResult> runs = phase.repetitions().isEmpty() ? List.of(phase) : phase.repetitions();
    List<Double> values = new ArrayList<>();
    for (PhaseResult run : runs) {
      if (run.details().get(key) instanceof Number n) {
        values.add(n.doubleValue());
      }
    }
    return values.isEmpty() ? Optional.empty() : Optional.of(Repetitions.median(values));
  }

  private Optional<Double> ratio(String a, String b) {
    Optional<PhaseResult> x = phase(a);
    Optional<PhaseResult> y = phase(b);
    return x.isPresent() && y.isPresent()
        ? Optional.of(x.get().eventsPerSecond() / y.get().eventsPerSecond())
        : Optional.empty();
  }

  /** One line for a phase, or a run of it, that just finished. */
  static String line(PhaseResult p) {
    return String.format(
            Locale.ROOT,
            "%-21s %,12d events in %7.1f s  %,10.0f events/s%s%s  CPU %s µs/event  heap peak %s MB (after GC %s MB)  RSS %s MB",
            p.name(),
            p.events(),
            p.seconds(),
            p.eventsPerSecond(),
            p.steady().warmUpExcluded() ? " (after the first 10%)" : "",
            p.megabytesPerSecond()
                .map(m -> String.format(Locale.ROOT, " %7.1f MB/s", m))
                .orElse(""),
            micros(p.cpuMicrosPerEvent()),
            mb(p.peaks().heapUsed()),
            mb(p.peaks().heapAfterGc()),
            mb(p.peaks().rss()))
        + (p.repetitions().isEmpty() ? "" : "\n  median of " + rates(p));
  }

  static String line(LatencyResult l) {
    LatencyStats s = l.stats();
    String trend =
        String.join(
            " ",
            l.bySecond().stream()
                .map(b -> b.count() == 0 ? "-" : String.format(Locale.ROOT, "%.0f", b.p99Ms()))
                .toList());
    return String.format(
        Locale.ROOT,
        "latency (live interval %s): %,d events at %,.0f/s: p50 %,.0f ms, p90 %,.0f ms, p99 %,.0f ms, max %,.0f ms%s%n"
            + "  stream thread busy %.0f%% of the run; p99 of each second's events, in ms: %s",
        human(l.liveInterval()),
        l.produced(),
        l.achievedRate(),
        s.p50Ms(),
        s.p90Ms(),
        s.p99Ms(),
        s.maxMs(),
        l.unmatched() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                " (%,d never seen live, counted with the time they waited: lower bounds)",
                l.unmatched()),
        100 * l.streamThreadBusy(),
        trend);
  }

  /** The table, the ratios and the latencies. */
  public void printTable(PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "%-21s %10s %8s %10s %4s %6s %7s %7s %7s %8s %8s %8s  %s%n",
        "phase",
        "events",
        "seconds",
        "events/s",
        "reps",
        "MB/s",
        "CPU s",
        "µs/ev",
        "thr CPU",
        "heap MB",
        "afterGC",
        "RSS MB",
        "what");
    for (PhaseResult p : phases) {
      printRow(out, p);
    }
    out.println(
        "events/s: after the first 10% of the input (raw and publish: whole run), the median of"
            + " the repetitions; µs/ev: the whole process's CPU time per event over the same"
            + " stretch, median; the other columns are the median run's: seconds from the first"
            + " record to completion, CPU s the whole process meanwhile (broker included), thr CPU"
            + " the stream threads alone");
    for (PhaseResult p : phases) {
      if (!p.repetitions().isEmpty()) {
        out.printf(Locale.ROOT, "%-21s %s%n", p.name(), rates(p));
      }
    }
    out.println();
    printRatios(out);
    for (LatencyResult l : latencies) {
      out.println(line(l));
    }
    out.printf(Locale.ROOT, "total %.0f s%n", totalSeconds);
    out.flush();
  }

  private static void printRow(PrintWriter out, PhaseResult p) {
    Object threadCpu = p.details().get("streamThreadCpuSeconds");
    out.printf(
        Locale.ROOT,
        "%-21s %,10d %8.1f %,10.0f %4d %6s %7s %7s %7s %8s %8s %8s  %s%n",
        p.name(),
        p.events(),
        p.seconds(),
        p.eventsPerSecond(),
        p.repetitionCount(),
        p.megabytesPerSecond().map(m -> String.format(Locale.ROOT, "%.1f", m)).orElse("-"),
        p.peaks().cpuNanos() < 0
            ? "-"
            : String.format(Locale.ROOT, "%.1f", p.peaks().cpuNanos() / 1e9),
        micros(p.cpuMicrosPerEvent()),
        threadCpu == null ? "-" : String.format(Locale.ROOT, "%.1f", threadCpu),
        mb(p.peaks().heapUsed()),
        mb(p.peaks().heapAfterGc()),
        mb(p.peaks().rss()),
        p.what());
  }

  /** A repeated phase's runs: "3 runs: 70,100 / 71,950 / 72,300 events/s". */
  private static String rates(PhaseResult p) {
    return p.repetitions().size()
        + " runs: "
        + String.join(
            " / ",
            p.repetitions().stream()
                .map(r -> String.format(Locale.ROOT, "%,.0f", r.eventsPerSecond()))
                .toList())
        + " events/s";
  }

  /** How full compares with the other phases, and what its state takes on disk. */
  private void printRatios(PrintWriter out) {
    printRatio(out, "full / minimal windowed count:", fullToMinimal());
    printRatio(out, "full / passthrough:", fullToPassthrough());
    printRatio(out, "full / raw consume:", fullToRawConsume());
    printRatio(out, "full-catchup / minimal:", fullCatchUpToMinimal());
    printRatio(out, "full-catchup / passthrough:", fullCatchUpToPassthrough());
    printRatio(out, "full / minimal per stream-thread CPU second:", fullToMinimalCpu());
    phase(Bench.Phase.FULL.id())
        .ifPresent(
            full -> {
              Object perMillion = full.details().get("stateStoreMbPerMillionEvents");
              if (perMillion != null) {
                out.printf(
                    Locale.ROOT,
                    "state store disk (RocksDB):    %.1f MB per million events (peak %.1f MB, %.1f MB after close)%n",
                    perMillion,
                    full.details().get("stateStorePeakMb"),
                    full.details().get("stateStoreAfterCloseMb"));
              }
            });
    for (PhaseResult p : phases) {
      Optional<Double> changelog = medianDetail(p, "changelogBytesPerEvent");
      Optional<Double> repartition = medianDetail(p, "repartitionBytesPerEvent");
      if (changelog.isPresent() && repartition.isPresent()) {
        out.printf(
            Locale.ROOT,
            "%-22s %,.0f bytes per event to changelogs, %,.1f to repartition topics%n",
            p.name() + ":",
            changelog.get(),
            repartition.get());
      }
    }
  }

  private static void printRatio(PrintWriter out, String label, Optional<Double> ratio) {
    ratio.ifPresent(r -> out.printf(Locale.ROOT, "%-30s %.2f%n", label, r));
  }

  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    putHeadlines(root);
    putPhases(root.putObject("phases"));
    putLatencies(root.putArray("latency"));
    return root;
  }

  /** The figures tools compare between runs, then the run's options and machine. */
  private void putHeadlines(ObjectNode root) {
    putRate(root, "fullEventsPerSecond", Bench.Phase.FULL.id());
    putRate(root, "minimalEventsPerSecond", Bench.Phase.MINIMAL.id());
    putRate(root, "rawConsumeEventsPerSecond", Bench.Phase.RAW.id());
    putNullable(root, "fullToMinimalRatio", fullToMinimal().orElse(null));
    putNullable(root, "fullToRawConsumeRatio", fullToRawConsume().orElse(null));
    putNullable(root, "fullToMinimalCpuRatio", fullToMinimalCpu().orElse(null));
    putRate(root, "passthroughEventsPerSecond", Bench.Phase.PASSTHROUGH.id());
    putNullable(root, "fullToPassthroughRatio", fullToPassthrough().orElse(null));
    putRate(root, "fullCatchUpEventsPerSecond", Bench.Phase.FULL_CATCH_UP.id());
    putNullable(root, "fullCatchUpToMinimalRatio", fullCatchUpToMinimal().orElse(null));
    putNullable(root, "fullCatchUpToPassthroughRatio", fullCatchUpToPassthrough().orElse(null));
    LatencyResult headline = latencies.isEmpty() ? null : latencies.get(0);
    putNullable(
        root, "p99LiveLatencyMs", headline == null ? null : finite(headline.stats().p99Ms()));
    putNullable(
        root, "p50LiveLatencyMs", headline == null ? null : finite(headline.stats().p50Ms()));
    putNullable(
        root,
        "liveIntervalMs",
        headline == null ? null : (double) headline.liveInterval().toMillis());
    putNullable(
        root,
        "rawConsumeMegabytesPerSecond",
        phase(Bench.Phase.RAW.id()).flatMap(PhaseResult::megabytesPerSecond).orElse(null));
    putRate(root, "publishEventsPerSecond", "publish");
    putRate(root, "fullAtLeastOnceEventsPerSecond", Bench.Phase.FULL_ALOS.id());
    putRate(root, "fullTwoThreadsEventsPerSecond", Bench.Phase.FULL_CATCH_UP_2_THREADS.id());
    putRate(root, "fullInMemoryEventsPerSecond", Bench.Phase.FULL_IN_MEMORY.id());
    Optional<PhaseResult> full = phase(Bench.Phase.FULL.id());
    putNullable(root, "fullPeakHeapMb", full.map(p -> p.peaks().heapUsed() / MB).orElse(null));
    putNullable(
        root, "fullPeakHeapAfterGcMb", full.map(p -> p.peaks().heapAfterGc() / MB).orElse(null));
    putNullable(root, "fullPeakRssMb", full.map(p -> p.peaks().rss() / MB).orElse(null));
    putNullable(
        root,
        "stateStoreMbPerMillionEvents",
        full.map(p -> (Double) p.details().get("stateStoreMbPerMillionEvents")).orElse(null));
    root.put("totalSeconds", totalSeconds);
    root.set("options", JSON.valueToTree(options));
    root.set("machine", JSON.valueToTree(machine));
  }

  private void putPhases(ObjectNode byName) {
    for (PhaseResult p : phases) {
      ObjectNode node = byName.putObject(p.name());
      node.put("what", p.what());
      putRun(node, p);
      node.put("repetitions", p.repetitionCount());
      if (!p.repetitions().isEmpty()) {
        ArrayNode runs = node.putArray("perRepetition");
        p.repetitions().forEach(r -> putRun(runs.addObject(), r));
      }
    }
  }

  /**
   * A phase's figures: its rate and CPU per event (medians if repeated), the stretch they were
   * measured over, then its median run's, or its own, other figures.
   */
  private static void putRun(ObjectNode node, PhaseResult p) {
    node.put("events", p.events());
    node.put("records", p.records());
    node.put("seconds", p.seconds());
    putNullable(node, "eventsPerSecond", finite(p.eventsPerSecond()));
    putNullable(node, "cpuMicrosPerEvent", finite(p.cpuMicrosPerEvent()));
    putNullable(node, "wholeRunEventsPerSecond", finite(p.wholeRunEventsPerSecond()));
    node.put("warmUpExcluded", p.steady().warmUpExcluded());
    node.put("warmUpEvents", p.steady().warmUpEvents());
    node.put("measuredEvents", p.steady().measuredEvents());
    node.put("measuredSeconds", p.steady().seconds());
    putNullable(node, "megabytesPerSecond", p.megabytesPerSecond().orElse(null));
    putPeaks(node, p.peaks());
    node.setAll((ObjectNode) JSON.valueToTree(p.details()));
  }

  private void putLatencies(ArrayNode live) {
    for (LatencyResult l : latencies) {
      ObjectNode node = live.addObject();
      node.put("liveIntervalMs", l.liveInterval().toMillis());
      node.put("commitIntervalMs", l.commitInterval().toMillis());
      node.put("offeredEventsPerSecond", l.offeredRate());
      node.put("achievedEventsPerSecond", l.achievedRate());
      node.put("produced", l.produced());
      node.put("warmupSeconds", l.warmupSeconds());
      node.put("measured", l.stats().count());
      node.put("unmatched", l.unmatched());
      node.put("percentilesAreLowerBounds", l.unmatched() > 0);
      node.put("streamThreadBusy", l.streamThreadBusy());
      putNullable(node, "p50Ms", finite(l.stats().p50Ms()));
      putNullable(node, "p90Ms", finite(l.stats().p90Ms()));
      putNullable(node, "p99Ms", finite(l.stats().p99Ms()));
      putNullable(node, "p999Ms", finite(l.stats().p999Ms()));
      putNullable(node, "maxMs", finite(l.stats().maxMs()));
      putNullable(node, "meanMs", finite(l.stats().meanMs()));
      putPeaks(node, l.peaks());
      ArrayNode seconds = node.putArray("bySecond");
      for (LatencyStats b : l.bySecond()) {
        ObjectNode second = seconds.addObject();
        second.put("events", b.count());
        putNullable(second, "p50Ms", finite(b.p50Ms()));
        putNullable(second, "p99Ms", finite(b.p99Ms()));
      }
    }
  }

  public void writeJson(Path file) throws IOException {
    JSON.writeValue(file.toFile(), toJson());
  }

  private void putRate(ObjectNode node, String key, String phase) {
    putNullable(node, key, phase(phase).map(p -> finite(p.eventsPerSecond())).orElse(null));
  }

  private static void putPeaks(ObjectNode node, ResourceSampler.Peaks peaks) {
    putNullable(node, "peakHeapMb", peaks.heapUsed() < 0 ? null : peaks.heapUsed() / MB);
    putNullable(
        node, "peakHeapAfterGcMb", peaks.heapAfterGc() < 0 ? null : peaks.heapAfterGc() / MB);
    putNullable(node, "peakRssMb", peaks.rss() < 0 ? null : peaks.rss() / MB);
    putNullable(node, "processCpuSeconds", peaks.cpuNanos() < 0 ? null : peaks.cpuNanos() / 1e9);
  }

  private static void putNullable(ObjectNode node, String key, Double value) {
    if (value == null) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }

  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** Microseconds for the table, or "-" for what was not measured. */
  private static String micros(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f", value) : "-";
  }

  /** Megabytes for the table, or "-" for what was not measured. */
  private static String mb(long bytes) {
    return bytes < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", bytes / MB);
  }

  static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
