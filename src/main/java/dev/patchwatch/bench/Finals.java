package dev.patchwatch.bench;

import static dev.patchwatch.bench.Failures.checkTimeout;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.topology.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The finals a full run published: how many, and an order-independent digest of their bytes, so
 * that runs with another guarantee, thread count or store can be compared.
 */
record Finals(long count, long digest) {

  /** Reads every final of the topics, with read_committed, and digests their Avro payloads. */
  static Finals read(BenchContext context, Topics topics) {
    Map<String, Object> config = context.readCommittedConsumer();
    long count = 0;
    long digest = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (Granularity g : Granularity.values()) {
        partitions.addAll(context.topicPartitions(topics.finals(g).name()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long started = System.nanoTime();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          count++;
          // past the 5-byte wire-format header: schema ids differ between runs' topics
          digest += BenchEvents.mix(hash(r.key(), hash(r.value(), 17)));
        }
        checkTimeout(started, "reading the finals");
      }
    }
    return new Finals(count, digest);
  }

  private static long hash(byte[] bytes, long seed) {
    long h = seed ^ 0xcbf29ce484222325L;
    for (int i = Math.min(5, bytes == null ? 0 : bytes.length);
        bytes != null && i < bytes.length;
        i++) {
      h = (h ^ bytes[i]) * 0x100000001b3L;
    }
    return h;
  }
}
