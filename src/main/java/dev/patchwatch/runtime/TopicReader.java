package dev.patchwatch.runtime;

import dev.patchwatch.topology.TopicSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads a topic's committed records from the beginning to its current end, without a group. */
public final class TopicReader {

  private TopicReader() {}

  /**
   * Hands every committed record of {@code spec}'s topic, as of now, to {@code sink}.
   *
   * @return how many records were read
   */
  public static <K, V> long readAll(
      String bootstrapServers,
      Map<String, Object> clientProperties,
      TopicSpec<K, V> spec,
      Consumer<ConsumerRecord<K, V>> sink) {
    Map<String, Object> config = new HashMap<>(clientProperties);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<K, V> consumer =
        new KafkaConsumer<>(
            config, spec.keySerde().deserializer(), spec.valueSerde().deserializer());
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(spec.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long read = 0;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(500))) {
          sink.accept(record);
          read++;
        }
      }
      return read;
    } finally {
      // Not waiting for the fetch still in flight (up to fetch.max.wait.ms, half a second): with
      // no group there is nothing to commit, and replay reads six topics one after the other.
      consumer.close(Duration.ZERO);
    }
  }
}
