package dev.patchwatch.bench;

import static dev.patchwatch.bench.Failures.failure;

import dev.patchwatch.runtime.Completion;
import dev.patchwatch.runtime.TopicProvisioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The bench's topics as the broker holds them: created with the bench's partitions, counted by
 * their end offsets and committed offsets, measured on disk.
 */
final class BrokerTopics {

  static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  private final Admin admin;
  private final int partitions;

  BrokerTopics(Admin admin, int partitions) {
    this.admin = admin;
    this.partitions = partitions;
  }

  static List<TopicPartition> partitions(String topic, int count) {
    List<TopicPartition> list = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      list.add(new TopicPartition(topic, p));
    }
    return list;
  }

  void create(String topic) {
    create(new NewTopic(topic, Optional.of(partitions), Optional.empty()));
  }

  void create(String topic, Map<String, String> configs) {
    create(new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs));
  }

  private void create(NewTopic topic) {
    try {
      admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      throw failure("cannot create " + topic.name(), e);
    }
  }

  void awaitLeaders(String topic) {
    new TopicProvisioner(admin, ADMIN_TIMEOUT).awaitLeaders(Map.of(topic, partitions));
  }

  /** The scan records an application has committed. */
  long committed(String applicationId, String topic) {
    return Completion.committed(admin, applicationId, topic);
  }

  /** The sum of a topic's end offsets: its record count, transaction markers included. */
  long endOffsetSum(String topic) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions(topic, partitions).forEach(tp -> request.put(tp, OffsetSpec.latest()));
    try {
      return admin
          .listOffsets(request)
          .all()
          .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          .values()
          .stream()
          .mapToLong(info -> info.offset())
          .sum();
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      throw failure("cannot read the end offsets of " + topic, e);
    }
  }

  /** Bytes the topic takes in the broker's log directories (compressed batches), or -1. */
  long bytesOnDisk(String topic) {
    Map<TopicPartition, Long> sizes = replicaSizes();
    if (sizes == null) {
      return -1;
    }
    return sizes.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /**
   * What an application's internal topics take in the broker's log directories, read once it has
   * closed, or null if the broker cannot say.
   */
  InternalTopicBytes internalTopicBytes(String applicationId) {
    Map<TopicPartition, Long> sizes = replicaSizes();
    return sizes == null ? null : InternalTopicBytes.of(applicationId, sizes);
  }

  /** Deletes the topics whose names start with {@code prefix + "."} or {@code prefix + "-"}. */
  void deleteTopicsOf(String prefix) {
    try {
      Set<String> names =
          admin.listTopics().names().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
              .filter(t -> t.startsWith(prefix + ".") || t.startsWith(prefix + "-"))
              .collect(Collectors.toSet());
      if (!names.isEmpty()) {
        admin.deleteTopics(names).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      throw failure("cannot delete the topics of " + prefix, e);
    }
  }

  /** The size of every partition's replica in the broker's log directories, or null. */
  private Map<TopicPartition, Long> replicaSizes() {
    try {
      List<Integer> brokers =
          admin.describeCluster().nodes().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
              .map(n -> n.id())
              .toList();
      Map<TopicPartition, Long> sizes = new HashMap<>();
      var descriptions =
          admin
              .describeLogDirs(brokers)
              .allDescriptions()
              .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      for (var dirs : descriptions.values()) {
        for (var dir : dirs.values()) {
          for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
            sizes.merge(replica.getKey(), replica.getValue().size(), Long::sum);
          }
        }
      }
      return sizes;
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
