package dev.patchwatch.cli;

import dev.patchwatch.runtime.Cluster;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options of every client command (tail, archive, reprocess): where the cluster and the
 * registry are and which topics to use, resolved with {@link Config} (file, then environment, then
 * these flags).
 */
final class ConnectionOptions {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "A properties file of settings (see `run --help`).")
  Path configFile;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (default: 127.0.0.1:9092).")
  String bootstrapServers;

  @Option(
      names = "--registry-url",
      paramLabel = "URL",
      description = "Schema registry (default: the local one).")
  String registryUrl;

  @Option(
      names = "--topic-prefix",
      paramLabel = "PREFIX",
      description = "Prefix of the topics (default: patchwatch).")
  String topicPrefix;

  @Option(
      names = "--kafka",
      paramLabel = "KEY=VALUE",
      description = "A Kafka client property, e.g. security.protocol=SASL_SSL.")
  Map<String, String> kafka = new LinkedHashMap<>();

  /** The settings, these options over the environment over the file. */
  Config load() {
    return load(Map.of());
  }

  /** The same, with more settings given on the command line by key (e.g. {@code --set}). */
  Config load(Map<String, String> moreFlags) {
    Map<String, String> flags = new LinkedHashMap<>(moreFlags);
    Optional.ofNullable(bootstrapServers)
        .ifPresent(v -> flags.put(Config.BOOTSTRAP_SERVERS.key(), v));
    Optional.ofNullable(registryUrl).ifPresent(v -> flags.put(Config.REGISTRY_URL.key(), v));
    Optional.ofNullable(topicPrefix).ifPresent(v -> flags.put(Config.TOPIC_PREFIX.key(), v));
    kafka.forEach((k, v) -> flags.put(Config.KAFKA_PREFIX + k, v));
    return Config.load(Optional.ofNullable(configFile), System.getenv(), flags);
  }

  static Cluster cluster(Config config) {
    return new Cluster(config.get(Config.BOOTSTRAP_SERVERS), config.kafkaProperties());
  }
}
