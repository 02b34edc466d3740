package dev.patchwatch.runtime;

import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates PatchWatch's topics with the configs of DESIGN section 4, and checks existing ones. */
public final class TopicProvisioner {

  private final Admin admin;
  private final Duration timeout;

  public TopicProvisioner(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  /** Partitions of an existing topic, or empty if it does not exist. */
  public Optional<Integer> partitions(String topic) {
    return Optional.ofNullable(
            get(
                admin.describeTopics(List.of(topic)).allTopicNames(),
                "describe topic " + topic,
                UnknownTopicOrPartitionException.class))
        .map(descriptions -> descriptions.get(topic).partitions().size());
  }

  /**
   * Creates every missing topic: the scans, aggregate and rejected topics with {@code partitions}
   * partitions, the progress topic with one. Refuses a scans topic with another partition count,
   * since hosts would then move between partitions (DESIGN section 7.4). Returns once every
   * partition has a leader, so producers cannot lose records to a topic not yet led.
   *
   * @param replicationFactor empty for the broker's default
   */
  public void ensure(Topics topics, int partitions, Optional<Short> replicationFactor) {
    Optional<Integer> scans = partitions(topics.scans().name());
    if (scans.isPresent() && scans.get() != partitions) {
      throw new IllegalStateException(
          topics.scans().name()
              + " has "
              + scans.get()
              + " partitions, not the "
              + partitions
              + " configured; a scans topic's partition count must never change");
    }
    List<NewTopic> missing = new ArrayList<>();
    Map<String, Integer> expected = new HashMap<>();
    for (TopicSpec<?, ?> spec : topics.all()) {
      int count = spec == topics.progress() ? 1 : partitions;
      expected.put(spec.name(), count);
      if (partitions(spec.name()).isEmpty()) {
        missing.add(
            new NewTopic(spec.name(), Optional.of(count), replicationFactor)
                .configs(spec.configs()));
      }
    }
    if (!missing.isEmpty()) {
      admin
          .createTopics(missing)
          .values()
          .forEach(
              (name, created) -> get(created, "create topic " + name, TopicExistsException.class));
    }
    awaitLeaders(expected);
  }

  /** Waits until every partition answers listOffsets, i.e. has a leader that serves it. */
  public void awaitLeaders(Map<String, Integer> partitionsByTopic) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitionsByTopic.forEach(
        (topic, count) -> {
          for (int p = 0; p < count; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
          }
        });
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        get(admin.listOffsets(request).all(), "list offsets", null);
        return;
      } catch (IllegalStateException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "partitions of "
                  + partitionsByTopic.keySet()
                  + " have no leader: "
                  + notYet.getMessage(),
              notYet);
        }
      }
      Waits.sleep(100, "partition leaders");
    }
  }

  /** Deletes the topics that exist. */
  public void delete(Set<String> names) {
    get(
        admin.deleteTopics(names).all(),
        "delete topics " + names,
        UnknownTopicOrPartitionException.class);
  }

  /**
   * Waits for an admin call; a failure whose cause is {@code tolerated} yields null, any other
   * becomes an IllegalStateException naming {@code what}.
   */
  private <T> T get(KafkaFuture<T> future, String what, Class<? extends Throwable> tolerated) {
    try {
      return Waits.await(future, timeout, what);
    } catch (IllegalStateException e) {
      if (tolerated != null && tolerated.isInstance(e.getCause())) {
        return null;
      }
      throw e;
    }
  }
}
