package dev.patchwatch.local;

import dev.patchwatch.runtime.TopicProvisioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** Helpers for integration tests against an {@link EmbeddedKafka} (or any) broker. */
public final class KafkaTestSupport {

  private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

  private KafkaTestSupport() {}

  /**
   * Creates the topics (partition count each, the same configs for all) with the broker's default
   * replication factor, and returns once every partition answers listOffsets. Why wait: right after
   * createTopics returns the broker may not lead the new partitions yet, and an idempotent producer
   * that sends then can be held up for delivery.timeout.ms (120 s by default).
   */
  public static void createTopics(
      Admin admin, Map<String, Integer> partitions, Map<String, String> configs)
      throws ExecutionException, InterruptedException {
    List<NewTopic> topics =
        partitions.entrySet().stream()
            .map(
                e ->
                    new NewTopic(e.getKey(), Optional.of(e.getValue()), Optional.empty())
                        .configs(configs))
            .collect(Collectors.toList());
    admin.createTopics(topics).all().get();

    new TopicProvisioner(admin, TOPIC_READY_TIMEOUT).awaitLeaders(partitions);
  }

  /**
   * Reads a topic from the beginning with read_committed (no consumer group) until at least {@code
   * expected} records have arrived and every partition has been read up to its last stable offset,
   * so committed records beyond {@code expected} are returned too. Closes the deserializers, as the
   * consumer does.
   *
   * @throws AssertionError if fewer than {@code expected} arrive in time
   */
  public static <K, V> List<ConsumerRecord<K, V>> consumeAll(
      String bootstrap,
      String topic,
      Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer,
      int expected,
      Duration timeout) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            IsolationLevel.READ_COMMITTED.toString(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    try (KafkaConsumer<K, V> consumer =
        new KafkaConsumer<>(config, keyDeserializer, valueDeserializer)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, timeout).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        if (records.size() >= expected && caughtUp(consumer, partitions)) {
          return records;
        }
      }
    }
    throw new AssertionError(
        "Expected at least "
            + expected
            + " records on "
            + topic
            + " within "
            + timeout
            + ", got "
            + records.size());
  }

  /** True when the position of every partition has reached its end (the last stable offset). */
  private static boolean caughtUp(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    return partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
  }
}
