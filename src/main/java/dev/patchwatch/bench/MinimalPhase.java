package dev.patchwatch.bench;

import dev.patchwatch.runtime.StreamsProperties;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code minimal}: the ceiling of Kafka Streams on this job, the {@link MinimalTopology} windowed
 * count with exactly_once_v2 and one stream thread. It runs its own {@link KafkaStreams}, not a
 * {@code Pipeline}, which runs only the PatchWatch topology.
 */
final class MinimalPhase {

  private static final String ID = Bench.Phase.MINIMAL.id();

  private final BenchContext context;
  private final String name;

  /**
   * @param run which repetition, from 1: each has an application id and output of its own
   */
  MinimalPhase(BenchContext context, int run) {
    this.context = context;
    this.name = Bench.PREFIX + "-" + ID + "-r" + run;
  }

  BenchReport.PhaseResult run(BrokerTopics broker, Input input) {
    String output = name + ".counts";
    broker.create(output);
    Path stateDir = context.stateDir(name);
    TopologySettings settings = context.topology().withApplicationId(name);
    System.gc();
    ResourceSampler sampler = ResourceSampler.start(Optional.of(stateDir));
    Properties props =
        StreamsProperties.of(
            settings,
            context.bootstrapServers(),
            stateDir,
            Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1"));
    // Kafka Streams' own RocksDB settings: the ceiling of the engine as it comes.
    props.remove(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG);
    OwnStreamsRun.Measured measured;
    try (sampler;
        KafkaStreams streams =
            new KafkaStreams(MinimalTopology.build(input.scans().name(), output), props)) {
      measured = new OwnStreamsRun(context, name, ID).measure(streams, sampler, broker, input);
    }
    long stateBytes = sampler.peaks().directory();
    BenchContext.deleteRecursively(stateDir);
    InternalTopicBytes internal = broker.internalTopicBytes(name);
    broker.deleteTopicsOf(name);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("applicationId", name);
    details.put("processingGuarantee", StreamsConfig.EXACTLY_ONCE_V2);
    details.put("streamThreads", 1);
    details.put("stateStorePeakMb", stateBytes / BenchReport.MB);
    StreamThreadCpu.put(details, measured.threadCpu(), input.events());
    details.put("processedRecordsAtEnd", measured.processedAtEnd());
    if (internal != null) {
      internal.putPerEvent(details, input.events());
    }
    details.put(
        "completion",
        "the group's committed offsets of the scans topic reach its end (outputs committed with them)");
    return new BenchReport.PhaseResult(
        ID,
        "1-h tumbling count per host, RocksDB, exactly_once_v2, 1 thread",
        input.events(),
        input.records(),
        measured.seconds(),
        -1,
        sampler.peaks(),
        measured.steady(),
        details);
  }
}
