package dev.patchwatch.bench;

import dev.patchwatch.runtime.StreamsProperties;
import dev.patchwatch.topology.PatchWatchTopology;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code passthrough}: the ceiling of any topology that decodes and validates every event, the
 * {@link PatchWatchTopology#buildPassthrough} with exactly_once_v2 and one stream thread, timed
 * like {@code minimal}.
 */
final class PassthroughPhase {

  private static final String ID = Bench.Phase.PASSTHROUGH.id();

  private final BenchContext context;
  private final String name;

  /**
   * @param run which repetition, from 1: each has an application id of its own
   */
  PassthroughPhase(BenchContext context, int run) {
    this.context = context;
    this.name = Bench.PREFIX + "-" + ID + "-r" + run;
  }

  BenchReport.PhaseResult run(BrokerTopics broker, Input input) {
    Path stateDir = context.stateDir(name);
    TopologySettings settings = context.topology().withApplicationId(name);
    Map<PatchWatchTopology.Outcome, LongAdder> counts =
        new EnumMap<>(PatchWatchTopology.Outcome.class);
    for (PatchWatchTopology.Outcome outcome : PatchWatchTopology.Outcome.values()) {
      counts.put(outcome, new LongAdder());
    }
    System.gc();
    ResourceSampler sampler = ResourceSampler.start(Optional.empty());
    OwnStreamsRun.Measured measured;
    try (sampler;
        KafkaStreams streams =
            new KafkaStreams(
                PatchWatchTopology.buildPassthrough(
                    settings.withInputPartitions(context.partitions()),
                    input.scans(),
                    outcome -> counts.get(outcome).increment()),
                StreamsProperties.of(
                    settings,
                    context.bootstrapServers(),
                    stateDir,
                    Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1")))) {
      measured = new OwnStreamsRun(context, name, ID).measure(streams, sampler, broker, input);
    }
    BenchContext.deleteRecursively(stateDir);
    // every generated event is valid: a rejection means the job measured something else
    if (counts.get(PatchWatchTopology.Outcome.VALID).sum() != input.events()) {
      context
          .progress()
          .printf(
              "WARNING: passthrough found %,d of %,d events valid (%,d rejected)%n",
              counts.get(PatchWatchTopology.Outcome.VALID).sum(),
              input.events(),
              counts.get(PatchWatchTopology.Outcome.REJECTED).sum());
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("applicationId", name);
    details.put("processingGuarantee", StreamsConfig.EXACTLY_ONCE_V2);
    details.put("streamThreads", 1);
    details.put("validEvents", counts.get(PatchWatchTopology.Outcome.VALID).sum());
    details.put("rejectedRecords", counts.get(PatchWatchTopology.Outcome.REJECTED).sum());
    details.put("watermarks", counts.get(PatchWatchTopology.Outcome.WATERMARK).sum());
    StreamThreadCpu.put(details, measured.threadCpu(), input.events());
    details.put("processedRecordsAtEnd", measured.processedAtEnd());
    details.put(
        "completion",
        "the group's committed offsets of the scans topic reach its end (no outputs)");
    return new BenchReport.PhaseResult(
        ID,
        "decode (registry Avro) and validate every event, no state, exactly_once_v2, 1 thread",
        input.events(),
        input.records(),
        measured.seconds(),
        -1,
        sampler.peaks(),
        measured.steady(),
        details);
  }
}
