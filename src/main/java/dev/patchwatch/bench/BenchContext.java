package dev.patchwatch.bench;

import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * What every phase runs against: the broker, the registry, the partitions of every scans topic,
 * where state directories go and where progress goes.
 *
 * @param workDir state directories go here, each deleted once its phase is measured
 * @param topology the settings every phase starts from (resolved like any command's), with the
 *     partitions of every scans topic
 */
record BenchContext(
    String bootstrapServers,
    SchemaRegistry registry,
    Path workDir,
    TopologySettings topology,
    Progress progress) {

  int partitions() {
    return topology.inputPartitions();
  }

  Cluster cluster() {
    return Cluster.of(bootstrapServers);
  }

  List<TopicPartition> topicPartitions(String topic) {
    return BrokerTopics.partitions(topic, partitions());
  }

  /** A consumer without a group that sees committed records only, as an application's reader. */
  Map<String, Object> readCommittedConsumer() {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return config;
  }

  Path stateDir(String applicationId) {
    return workDir.resolve(applicationId);
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
