package dev.patchwatch.replay;

import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.TopicProvisioner;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.runtime.Waits;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The reprocessing runs of one PatchWatch installation (a topic prefix and a live application id):
 * their topics, consumer groups and records, found from the cluster itself, so a run whose record
 * was lost is still listed and can still be deleted.
 */
public final class Runs {

  private static final Set<GroupState> STOPPED = Set.of(GroupState.EMPTY, GroupState.DEAD);

  private final Cluster cluster;
  private final String topicPrefix;
  private final String liveApplicationId;
  private final Duration timeout;

  public Runs(Cluster cluster, String topicPrefix, String liveApplicationId, Duration timeout) {
    this.cluster = cluster;
    this.topicPrefix = topicPrefix;
    this.liveApplicationId = liveApplicationId;
    this.timeout = timeout;
  }

  /** The compacted topic of run records, keyed by run id. */
  public String recordsTopic() {
    return topicPrefix + ".runs";
  }

  /**
   * A run's topics: the live scans topic as input; its own aggregate, live, rejected and progress
   * topics as output, so it never writes where the live application does.
   */
  public Topics topics(RunId id, SchemaRegistry registry) {
    Topics live = Topics.create(topicPrefix, liveApplicationId, registry);
    return Topics.create(id.topicPrefix(topicPrefix), id.applicationId(liveApplicationId), registry)
        .withScans(live.scans());
  }

  /**
   * A run as the cluster shows it.
   *
   * @param record what was recorded when it ran, if anything
   * @param topics every topic that belongs to it: outputs and Kafka Streams internal topics
   * @param group the state of its consumer group, if it has one
   */
  public record Listed(
      RunId id, Optional<RunRecord> record, SortedSet<String> topics, Optional<GroupState> group) {

    /** Some instance of the run is a member of its group. */
    public boolean running() {
      return group.isPresent() && !STOPPED.contains(group.get());
    }
  }

  /** Every run, by id. */
  public List<Listed> list() {
    Map<RunId, RunRecord> records = records();
    try (Admin admin = cluster.admin()) {
      Set<String> topics = Waits.await(admin.listTopics().names(), timeout, "list topics");
      Map<RunId, GroupState> groups = new HashMap<>();
      for (GroupListing group :
          Waits.await(admin.listGroups().all(), timeout, "list consumer groups")) {
        RunId.ofApplicationId(liveApplicationId, group.groupId())
            .ifPresent(id -> groups.put(id, group.groupState().orElse(GroupState.UNKNOWN)));
      }
      Set<RunId> ids = new TreeSet<>(Comparator.comparing(RunId::value));
      ids.addAll(records.keySet());
      ids.addAll(groups.keySet());
      topics.forEach(t -> RunId.ofTopic(topicPrefix, t).ifPresent(ids::add));
      Map<RunId, SortedSet<String>> owned = owners(ids, topics);
      List<Listed> listed = new ArrayList<>();
      for (RunId id : ids) {
        listed.add(
            new Listed(
                id,
                Optional.ofNullable(records.get(id)),
                owned.getOrDefault(id, new TreeSet<>()),
                Optional.ofNullable(groups.get(id))));
      }
      return listed;
    }
  }

  public Optional<Listed> find(RunId id) {
    return list().stream().filter(l -> l.id().equals(id)).findFirst();
  }

  /**
   * Which run each topic belongs to: its output topics carry its id in the name; its internal ones
   * start with its application id, and go to the longest such id, so run {@code a} never claims a
   * topic of run {@code a-b}.
   */
  private Map<RunId, SortedSet<String>> owners(Set<RunId> ids, Set<String> topics) {
    Map<RunId, SortedSet<String>> owned = new HashMap<>();
    for (String topic : topics) {
      Optional<RunId> owner = RunId.ofTopic(topicPrefix, topic);
      if (owner.isEmpty()) {
        owner =
            ids.stream()
                .filter(id -> topic.startsWith(id.applicationId(liveApplicationId) + "-"))
                .max(Comparator.comparingInt(id -> id.value().length()));
      }
      owner.ifPresent(id -> owned.computeIfAbsent(id, i -> new TreeSet<>()).add(topic));
    }
    return owned;
  }

  /** The state of a consumer group, or empty if there is none. */
  public Optional<GroupState> groupState(String groupId) {
    try (Admin admin = cluster.admin()) {
      return Waits.await(admin.listGroups().all(), timeout, "list consumer groups").stream()
          .filter(g -> g.groupId().equals(groupId))
          .findFirst()
          .map(g -> g.groupState().orElse(GroupState.UNKNOWN));
    }
  }

  /** Whether some instance is a member of that group, i.e. the application is running. */
  public boolean isRunning(String groupId) {
    return groupState(groupId).map(s -> !STOPPED.contains(s)).orElse(false);
  }

  /** Every run's latest record; runs deleted since are left out. */
  public Map<RunId, RunRecord> records() {
    Map<RunId, RunRecord> records = new TreeMap<>(Comparator.comparing(RunId::value));
    try (Admin admin = cluster.admin()) {
      if (new TopicProvisioner(admin, timeout).partitions(recordsTopic()).isEmpty()) {
        return records;
      }
    }
    Map<String, String> latest = new HashMap<>();
    TopicReader.readAll(
        cluster.bootstrapServers(),
        cluster.clientConfig(),
        new TopicSpec<>(recordsTopic(), Serdes.String(), Serdes.String(), Map.of()),
        r -> latest.put(r.key(), r.value()));
    latest.forEach(
        (key, json) -> {
          if (json != null) {
            try {
              RunRecord record = RunRecord.fromJson(json);
              records.put(record.id(), record);
            } catch (IllegalArgumentException notARecord) {
              // written by something else: the run is still found from its topics and group
            }
          }
        });
    return records;
  }

  public Optional<RunRecord> record(RunId id) {
    return Optional.ofNullable(records().get(id));
  }

  /** Stores a run's record, creating the records topic if needed. */
  public void save(RunRecord record) {
    write(record.id().value(), record.toJson());
  }

  /**
   * What {@link #delete} removed.
   *
   * @param topics the topics deleted
   * @param group whether a consumer group was deleted
   * @param stateDir the local state directory deleted, if any
   */
  public record Deleted(SortedSet<String> topics, boolean group, Optional<Path> stateDir) {}

  /**
   * Deletes a stopped run: its output and internal topics, its consumer group (offsets), its local
   * state under {@code stateDir} and its record. The live application's topics are never touched:
   * the scans topic is not the run's, and only topics named after the run are deleted.
   *
   * @throws IllegalStateException if the run does not exist or is running
   */
  public Deleted delete(RunId id, Optional<Path> stateDir) throws IOException {
    Listed run = find(id).orElseThrow(() -> new IllegalStateException("there is no run " + id));
    if (run.running()) {
      throw new IllegalStateException(
          "run "
              + id
              + " is running (group "
              + id.applicationId(liveApplicationId)
              + " is "
              + run.group().orElseThrow()
              + "): stop it first");
    }
    String applicationId = id.applicationId(liveApplicationId);
    try (Admin admin = cluster.admin()) {
      if (!run.topics().isEmpty()) {
        new TopicProvisioner(admin, timeout).delete(run.topics());
      }
      if (run.group().isPresent()) {
        try {
          Waits.await(
              admin.deleteConsumerGroups(List.of(applicationId)).all(),
              timeout,
              "delete consumer group " + applicationId);
        } catch (IllegalStateException e) {
          if (!(e.getCause() instanceof GroupIdNotFoundException)) {
            throw e;
          }
        }
      }
    }
    Optional<Path> deletedState = Optional.empty();
    if (stateDir.isPresent() && Files.isDirectory(stateDir.get().resolve(applicationId))) {
      deleteRecursively(stateDir.get().resolve(applicationId));
      deletedState = Optional.of(stateDir.get().resolve(applicationId));
    }
    if (run.record().isPresent()) {
      write(id.value(), null);
    }
    return new Deleted(run.topics(), run.group().isPresent(), deletedState);
  }

  private void write(String key, String value) {
    try (Admin admin = cluster.admin()) {
      TopicProvisioner provisioner = new TopicProvisioner(admin, timeout);
      if (provisioner.partitions(recordsTopic()).isEmpty()) {
        try {
          Waits.await(
              admin
                  .createTopics(
                      List.of(
                          new NewTopic(recordsTopic(), Optional.of(1), Optional.empty())
                              .configs(
                                  Map.of(
                                      TopicConfig.CLEANUP_POLICY_CONFIG,
                                      TopicConfig.CLEANUP_POLICY_COMPACT))))
                  .all(),
              timeout,
              "create topic " + recordsTopic());
        } catch (IllegalStateException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
        provisioner.awaitLeaders(Map.of(recordsTopic(), 1));
      }
    }
    Map<String, Object> config = cluster.clientConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      Waits.await(
          producer.send(new ProducerRecord<>(recordsTopic(), key, value)),
          timeout,
          "write to " + recordsTopic());
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
