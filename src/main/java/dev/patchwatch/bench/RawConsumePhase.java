package dev.patchwatch.bench;

import static dev.patchwatch.bench.Failures.checkTimeout;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code raw}: the floor of reading. A plain consumer of bytes reads the scans topic from the
 * beginning to the end offsets taken before starting, decoding nothing.
 */
final class RawConsumePhase {

  private final BenchContext context;

  RawConsumePhase(BenchContext context) {
    this.context = context;
  }

  BenchReport.PhaseResult run(Input input) {
    System.gc();
    Map<String, Object> config = context.readCommittedConsumer();
    long records = 0;
    long bytes = 0;
    long started;
    long ended;
    ResourceSampler sampler = ResourceSampler.start(Optional.empty());
    try (sampler;
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = context.topicPartitions(input.scans().name());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Progress.Ticker ticker = new Progress.Ticker();
      started = System.nanoTime();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          records++;
          bytes +=
              (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        }
        if (ticker.due()) {
          context
              .progress()
              .printf("  raw consume: %,d of %,d records%n", records, input.records());
        }
        checkTimeout(started, "raw consume");
      }
      ended = System.nanoTime();
      sampler.stopCpuClock();
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("recordsPerSecond", records / ((ended - started) / 1e9));
    details.put("payloadMb", bytes / BenchReport.MB);
    return new BenchReport.PhaseResult(
        Bench.Phase.RAW.id(),
        "KafkaConsumer, read_committed, byte[], no decoding",
        input.events(),
        records,
        (ended - started) / 1e9,
        bytes,
        sampler.peaks(),
        SteadyState.whole(input.events(), started, ended, sampler.peaks().cpuNanos()),
        details);
  }
}
