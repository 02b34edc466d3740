package dev.patchwatch.topology;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration PatchWatch runs with; callers may override any of it. */
public final class StreamsProperties {

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
    props.putAll(overrides);
    return props;
  }
}
