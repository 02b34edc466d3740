package dev.patchwatch.topology;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.avro.internal.StageMessage;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the PatchWatch topology (DESIGN section 3). A pure function of its arguments: it starts
 * nothing and reads nothing.
 *
 * <pre>
 * scans ─► host-state (one task per scans partition) ─┬─► rejected
 *                                                       ├─► progress topic ─► every instance (idle)
 *                                                       └─► partials repartition, by aggregate key
 *                                                            (progress multicast to all partitions)
 *                                                            ─► aggregate ─┬─► finals by granularity
 *                                                                          ├─► live
 *                                                                          ├─► transitions
 *                                                                          └─► cohorts
 * </pre>
 */
public final class PatchWatchTopology {

  /**
   * Name of the repartition topic between the stages: {@code
   * <application.id>-partials-repartition}.
   */
  public static final String PARTIALS = "partials";

  /** Each input partition's progress in the host stage, keyed by that partition (queryable). */
  public static final String HOST_PROGRESS_STORE = HostStateProcessor.PROGRESS_STORE;

  /**
   * Each aggregating partition's view of every input partition's progress, keyed by input partition
   * (queryable): a window is final once it holds that window's close for every input.
   */
  public static final String AGGREGATE_PROGRESS_STORE = AggregateProcessor.PROGRESS_STORE;

  /** The Kafka Streams metric group of the topology's own metrics. */
  public static final String METRICS_GROUP =
      "stream-" + HostStateProcessor.METRICS_SCOPE + "-metrics";

  /** Per stream thread: the valid events it processed, in {@link #METRICS_GROUP}. */
  public static final String EVENTS_ACCEPTED_METRIC = HostStateProcessor.EVENTS_ACCEPTED + "-total";

  private PatchWatchTopology() {}

  public static Topology build(TopologySettings settings, Topics topics) {
    StreamsBuilder builder = new StreamsBuilder();
    addStores(builder, settings, topics);
    KStream<byte[], Object> fromHosts = hostStage(builder, settings, topics);
    aggregateStage(fromHosts, settings, topics);
    return builder.build();
  }

  private static void addStores(StreamsBuilder builder, TopologySettings settings, Topics topics) {
    builder.addStateStore(
        store(settings, HostStateProcessor.HOST_STORE, Serdes.Bytes(), Serdes.ByteArray()));
    builder.addStateStore(
        store(settings, HostStateProcessor.HISTORY_STORE, Serdes.Bytes(), Serdes.ByteArray()));
    builder.addStateStore(
        store(
            settings,
            HostStateProcessor.PROGRESS_STORE,
            Serdes.Integer(),
            new InternalSerde<>(PartitionProgress.class)));
    // The aggregating stage holds only the open windows' keys: small, so in memory whatever the
    // host state's store, restored from its changelog in moments. It writes keys and deletes them
    // at commit and reads them only in init: a hash store, not Kafka's sorted map, whose puts and
    // deletes compared keys (15% of the stream threads' samples with tens of thousands of ASNs).
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                SortedMemoryStore.supplier(AggregateProcessor.COUNTS_STORE),
                Serdes.Bytes(),
                Serdes.ByteArray())
            .withCachingDisabled());
    builder.addStateStore(CommitHook.builder(AggregateProcessor.COMMIT_HOOK));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AggregateProcessor.PROGRESS_STORE),
                Serdes.Integer(),
                Serdes.Long())
            .withCachingEnabled());
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(HostStateProcessor.GLOBAL_PROGRESS_STORE),
                topics.progress().keySerde(),
                topics.progress().valueSerde())
            .withLoggingDisabled(),
        topics.progress().name(),
        Consumed.with(topics.progress().keySerde(), topics.progress().valueSerde())
            .withName("all-partitions-progress"),
        ProgressStoreUpdater::new);
  }

  /** What the passthrough job saw of one record of the scans topic. */
  public enum Outcome {
    VALID,
    REJECTED,
    WATERMARK
  }

  /**
   * The topology's source and its checks of each record (size, event contract, key, partition),
   * with no state and no output: what any topology of this design pays per event before it counts
   * anything (the bench's {@code passthrough} phase). {@code seen} is told each record's outcome,
   * from the stream threads.
   */
  public static Topology buildPassthrough(
      TopologySettings settings, TopicSpec<String, ScanEvent> scans, Consumer<Outcome> seen) {
    StreamsBuilder builder = new StreamsBuilder();
    scans(builder, scans, "passthrough-source")
        .process(() -> new PassthroughProcessor(settings, seen), Named.as("passthrough-checks"));
    return builder.build();
  }

  /** Records of the scans topic decoded, event time from their payload; nothing ever throws. */
  private static KStream<byte[], ScanInput> scans(
      StreamsBuilder builder, TopicSpec<String, ScanEvent> scans, String name) {
    return builder.stream(
        scans.name(),
        Consumed.with(
                Serdes.ByteArray(),
                Serdes.serdeFrom(
                    (topic, value) -> {
                      throw new UnsupportedOperationException("the topology never writes scans");
                    },
                    new ScanInputDeserializer(scans.valueSerde().deserializer())))
            .withTimestampExtractor(new ScanTimestampExtractor())
            .withName(name));
  }

  /** Stage A: the host-state processor sends each kind of record to its own named child. */
  private static KStream<byte[], Object> hostStage(
      StreamsBuilder builder, TopologySettings settings, Topics topics) {
    KStream<byte[], ScanInput> scans = scans(builder, topics.scans(), "scans-source");

    KStream<byte[], Object> fromHosts =
        scans.process(
            () -> new HostStateProcessor(settings, topics.scans().name()),
            Named.as("host-state-processor"),
            HostStateProcessor.HOST_STORE,
            HostStateProcessor.HISTORY_STORE,
            HostStateProcessor.PROGRESS_STORE);
    PatchWatchTopology.<byte[], Rejected>ofType(fromHosts)
        .to(
            topics.rejected().name(),
            Produced.with(topics.rejected().keySerde(), topics.rejected().valueSerde())
                .withName(HostStateProcessor.TO_REJECTED));
    PatchWatchTopology.<byte[], PartitionProgress>ofType(fromHosts)
        .to(
            topics.progress().name(),
            Produced.with(Serdes.ByteArray(), topics.progress().valueSerde())
                .withName(HostStateProcessor.TO_PROGRESS));
    return fromHosts;
  }

  /** Stage B: partials by aggregate key, progress to every partition; finals and live values. */
  private static void aggregateStage(
      KStream<byte[], Object> fromHosts, TopologySettings settings, Topics topics) {
    KStream<Object, Object> fromAggregate =
        PatchWatchTopology.<byte[], StageMessage>ofType(fromHosts)
            .repartition(
                Repartitioned.<byte[], StageMessage>as(PARTIALS)
                    .withKeySerde(Serdes.ByteArray())
                    .withValueSerde(new StageMessageSerde())
                    .withStreamPartitioner(new StagePartitioner()))
            .process(
                () -> new AggregateProcessor(settings),
                Named.as("aggregate-processor"),
                AggregateProcessor.COUNTS_STORE,
                AggregateProcessor.PROGRESS_STORE,
                AggregateProcessor.COMMIT_HOOK);
    KStream<CountKey, RemediationCount> counts = ofType(fromAggregate);
    counts.to(
        (key, value, context) -> topics.finals(key.getGranularity()).name(),
        Produced.with(topics.countsLive().keySerde(), topics.countsLive().valueSerde())
            .withName(AggregateProcessor.TO_FINALS));
    counts.to(
        topics.countsLive().name(),
        Produced.with(topics.countsLive().keySerde(), topics.countsLive().valueSerde())
            .withName(AggregateProcessor.TO_LIVE));
    PatchWatchTopology.<CountKey, TransitionCount>ofType(fromAggregate)
        .to(
            topics.transitionsDaily().name(),
            Produced.with(
                    topics.transitionsDaily().keySerde(), topics.transitionsDaily().valueSerde())
                .withName(AggregateProcessor.TO_TRANSITIONS));
    PatchWatchTopology.<CohortKey, CohortCount>ofType(fromAggregate)
        .to(
            topics.cohortsDaily().name(),
            Produced.with(topics.cohortsDaily().keySerde(), topics.cohortsDaily().valueSerde())
                .withName(AggregateProcessor.TO_COHORTS));
  }

  /**
   * The host-state processor's output as the type one child receives: it forwards to each child by
   * name, and only values of that child's type.
   */
  @SuppressWarnings("unchecked")
  private static <K, V> KStream<K, V> ofType(KStream<?, Object> stream) {
    return (KStream<K, V>) (KStream<?, ?>) stream;
  }

  private static <K, V> StoreBuilder<KeyValueStore<K, V>> store(
      TopologySettings settings,
      String name,
      org.apache.kafka.common.serialization.Serde<K> keySerde,
      org.apache.kafka.common.serialization.Serde<V> valueSerde) {
    if (settings.storeType() == TopologySettings.StoreType.IN_MEMORY) {
      // No record cache over a map: a read would look in two maps, and a write wait in one to be
      // copied into the other.
      return Stores.keyValueStoreBuilder(SortedMemoryStore.supplier(name), keySerde, valueSerde)
          .withCachingDisabled();
    }
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keySerde, valueSerde)
        .withCachingEnabled();
  }

  /**
   * A batch of partials goes to the aggregating partition it was made for (its key); progress and
   * resets go to every partition, so each aggregating task hears from every input partition.
   */
  static final class StagePartitioner implements StreamPartitioner<byte[], StageMessage> {
    @Override
    public Optional<Set<Integer>> partitions(
        String topic, byte[] key, StageMessage value, int numPartitions) {
      if (value.getProgress() != null || value.getReset()) {
        return Optional.of(
            IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
      }
      return Optional.of(Set.of(ByteBuffer.wrap(key).getInt() % numPartitions));
    }
  }

  /** Keeps the global view of every partition's progress. */
  private static final class ProgressStoreUpdater
      implements Processor<Integer, PartitionProgress, Void, Void> {
    private KeyValueStore<Integer, PartitionProgress> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(HostStateProcessor.GLOBAL_PROGRESS_STORE);
    }

    @Override
    public void process(Record<Integer, PartitionProgress> record) {
      store.put(record.key(), record.value());
    }
  }
}
