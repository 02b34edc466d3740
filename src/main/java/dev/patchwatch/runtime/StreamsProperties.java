package dev.patchwatch.runtime;

import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration PatchWatch runs with; callers may override any of it. */
public final class StreamsProperties {

  /** Longer than the longest pass over host state that one window's close may take. */
  public static final java.time.Duration TRANSACTION_TIMEOUT = java.time.Duration.ofMinutes(1);

  private StreamsProperties() {}

  /**
   * @param stateDir where RocksDB state lives; keep it across restarts to avoid full restores
   * @param overrides any Kafka Streams, consumer, producer or admin property, applied last
   */
  public static Properties of(
      TopologySettings settings,
      String bootstrapServers,
      Path stateDir,
      Map<String, String> overrides) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // The global store's updater fails on bad records like the tasks do; Kafka 5 makes it default.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // Changelog and repartition records carry event time, and a watermark or an event may be a day
    // ahead of the broker's clock (replay's closing watermark more). Kafka 4 brokers refuse records
    // over an hour ahead by default, and may be set to refuse old ones: the internal topics opt out
    // of both, since the topology, not the broker, judges event time (DESIGN section 7.4).
    props.put(
        StreamsConfig.topicPrefix(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG),
        Long.toString(Long.MAX_VALUE));
    props.put(
        StreamsConfig.topicPrefix(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG),
        Long.toString(Long.MAX_VALUE));
    // A window's close counts its EXPOSURE windows in one pass over up to 8 days of host state,
    // which at internet scale took up to 9 s, close to Kafka Streams' 10 s transaction timeout: the
    // broker then aborts the transaction and fences the task, which redoes the same pass, in a
    // loop.
    // Not longer than a minute: a task that moves to another instance cannot fence its dead
    // predecessor, whose open transaction holds read_committed readers back until it times out.
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        (int) TRANSACTION_TIMEOUT.toMillis());
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, CompressedRocksDb.class);
    props.putAll(overrides);
    return props;
  }
}
