package dev.patchwatch.bench;

import static dev.patchwatch.bench.Failures.checkTimeout;

import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.StreamsProperties;
import dev.patchwatch.runtime.Waits;
import dev.patchwatch.topology.PatchWatchTopology;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code full} and its variants {@code full-catchup}, {@code full-alos}, {@code
 * full-catchup-2threads} and {@code full-in-memory}: the PatchWatch topology through {@link
 * Pipeline} on the shared scans topic, with outputs of its own, timed from RUNNING until every
 * window of the input has closed.
 */
final class FullPhase {

  /** The phase's figures, and the finals it published to compare with the other full runs. */
  record Run(BenchReport.PhaseResult result, Finals finals) {}

  /**
   * Wall-clock instants (nanoTime) from RUNNING to completion, thread CPU, closing time, the
   * measured stretch and the scan records processed by the end, as the stretch's start counted
   * them.
   */
  private record Measured(
      long started,
      long ended,
      long threadCpu,
      long closeNanos,
      SteadyState steady,
      long processedAtEnd) {}

  private final BenchContext context;
  private final Bench.Phase phase;
  private final String name;
  private final String guarantee;
  private final int threads;
  private final TopologySettings.StoreType store;
  private final boolean catchingUp;

  /**
   * @param run which repetition, from 1: each has an application id, state directory and outputs of
   *     its own
   */
  FullPhase(BenchContext context, Bench.Phase phase, int run) {
    this.context = context;
    this.phase = phase;
    this.name = Bench.PREFIX + "-" + phase.id() + "-r" + run;
    this.guarantee =
        phase == Bench.Phase.FULL_ALOS
            ? StreamsConfig.AT_LEAST_ONCE
            : StreamsConfig.EXACTLY_ONCE_V2;
    this.threads = phase == Bench.Phase.FULL_CATCH_UP_2_THREADS ? 2 : 1;
    this.store =
        phase == Bench.Phase.FULL_IN_MEMORY
            ? TopologySettings.StoreType.IN_MEMORY
            : TopologySettings.StoreType.ROCKSDB;
    this.catchingUp =
        phase == Bench.Phase.FULL_CATCH_UP || phase == Bench.Phase.FULL_CATCH_UP_2_THREADS;
  }

  Run run(BrokerTopics broker, Input input) {
    Topics topics = topics(input);
    TopologySettings settings =
        context
            .topology()
            .withTopicPrefix(name)
            .withApplicationId(name)
            .withIdleTimeout(Duration.ZERO)
            .withStoreType(store);
    Path stateDir = context.stateDir(name);
    Map<String, String> overrides = Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    Pipeline.Builder builder =
        Pipeline.on(context.cluster(), context.registry(), settings)
            .topics(topics)
            .stateDir(stateDir)
            .overrides(overrides)
            .streamThreads(threads);
    if (catchingUp) {
      builder.catchingUp();
    }
    builder.provision();
    System.gc();
    ResourceSampler sampler = ResourceSampler.start(Optional.of(stateDir));
    Measured measured;
    try (sampler) {
      measured = measure(builder, sampler, broker, input);
    }
    long afterClose = ResourceSampler.sizeOf(stateDir);
    long partials = broker.endOffsetSum(name + "-" + PatchWatchTopology.PARTIALS + "-repartition");
    long live = broker.endOffsetSum(topics.countsLive().name());
    InternalTopicBytes internal = broker.internalTopicBytes(name);
    long peak = sampler.peaks().directory();
    Finals finals = Finals.read(context, topics);
    BenchContext.deleteRecursively(stateDir);
    broker.deleteTopicsOf(name);
    Map<String, Object> details = details(settings, overrides, measured, finals, input);
    // offsets, so with exactly_once_v2 they include a transaction marker per partition and commit
    details.put("partialsRepartitionOffsets", partials);
    details.put("liveTopicOffsets", live);
    if (internal != null) {
      internal.putPerEvent(details, input.events());
    }
    details.put("stateStorePeakMb", peak / BenchReport.MB);
    details.put("stateStoreAfterCloseMb", afterClose / BenchReport.MB);
    details.put("stateStoreMbPerMillionEvents", peak / BenchReport.MB / (input.events() / 1e6));
    return new Run(
        new BenchReport.PhaseResult(
            phase.id(),
            what(),
            input.events(),
            input.records(),
            (measured.ended() - measured.started()) / 1e9,
            -1,
            sampler.peaks(),
            measured.steady(),
            details),
        finals);
  }

  /** The shared scans topic, and outputs of its own so its finals can be read and compared. */
  private Topics topics(Input input) {
    return Topics.create(name, name, context.registry()).withScans(input.scans());
  }

  /** Runs until every aggregating task holds every partition's progress at the end watermark. */
  private Measured measure(
      Pipeline.Builder builder, ResourceSampler sampler, BrokerTopics broker, Input input) {
    Pipeline streams = builder.start();
    long started;
    long ended;
    long threadCpu;
    long closeNanos;
    SteadyState steady;
    long processed;
    try {
      started = streams.runningSinceNanos();
      SteadyState.Watch watch =
          new SteadyState.Watch(
              input.events(), input.records(), started, ResourceSampler.processCpuNanos());
      Progress.Ticker ticker = new Progress.Ticker();
      while (!streams.reached(input.endWatermark())) {
        checkRunning(streams);
        checkTimeout(started, phase.id());
        if (watch.waiting()) {
          watch.look(
              ProcessedRecords.of(streams.streams()),
              System.nanoTime(),
              ResourceSampler.processCpuNanos());
        }
        if (ticker.due()) {
          context
              .progress()
              .committed(
                  phase.id(),
                  broker.committed(name, input.scans().name()),
                  input.records(),
                  started);
        }
        // often enough for a 0.1% error on a 50-second phase, rarely enough to cost no CPU
        Waits.sleep(50, "the bench");
      }
      ended = System.nanoTime();
      steady = watch.end(ended, ResourceSampler.processCpuNanos());
      sampler.stopCpuClock();
      threadCpu = StreamThreadCpu.nanos(name);
      processed = ProcessedRecords.of(streams.streams());
    } finally {
      long closing = System.nanoTime();
      streams.close();
      closeNanos = System.nanoTime() - closing;
    }
    return new Measured(started, ended, threadCpu, closeNanos, steady, processed);
  }

  private void checkRunning(Pipeline streams) {
    if (streams.failure().isPresent()
        || streams.state() != KafkaStreams.State.RUNNING
            && streams.state() != KafkaStreams.State.REBALANCING) {
      throw new IllegalStateException(
          phase.id()
              + ": the topology stopped in state "
              + streams.state()
              + streams.failure().map(e -> ": " + e.getMessage()).orElse(""),
          streams.failure().orElse(null));
    }
  }

  private Map<String, Object> details(
      TopologySettings settings,
      Map<String, String> overrides,
      Measured measured,
      Finals finals,
      Input input) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("applicationId", name);
    details.put("processingGuarantee", guarantee);
    details.put("streamThreads", threads);
    details.put("storeType", store.name());
    details.put("catchingUp", catchingUp);
    details.put("liveOutput", !catchingUp && settings.liveOutput());
    details.put("liveIntervalMs", settings.liveInterval().toMillis());
    details.put("commitIntervalMs", commitIntervalMs(settings, overrides));
    details.put(
        "completion",
        "from RUNNING until every aggregating task has every input partition's progress at the closing watermark");
    StreamThreadCpu.put(details, measured.threadCpu(), input.events());
    details.put("processedRecordsAtEnd", measured.processedAtEnd());
    details.put("closeSeconds", measured.closeNanos() / 1e9);
    details.put("finals", finals.count());
    details.put("finalsDigest", Long.toHexString(finals.digest()));
    return details;
  }

  /** What Kafka Streams commits at: its default for the guarantee, or catching up's. */
  private long commitIntervalMs(TopologySettings settings, Map<String, String> overrides) {
    if (catchingUp) {
      return Pipeline.CATCH_UP_COMMIT_INTERVAL_MS;
    }
    return new StreamsConfig(
            StreamsProperties.of(
                settings, context.bootstrapServers(), context.stateDir(name), overrides))
        .getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
  }

  private String what() {
    return String.format(
        Locale.ROOT,
        "PatchWatch topology%s, %s, %s, %d thread%s",
        catchingUp
            ? " catching up (finals only, commits every "
                + Pipeline.CATCH_UP_COMMIT_INTERVAL_MS
                + " ms)"
            : "",
        store == TopologySettings.StoreType.ROCKSDB ? "RocksDB" : "in-memory",
        guarantee,
        threads,
        threads == 1 ? "" : "s");
  }
}
