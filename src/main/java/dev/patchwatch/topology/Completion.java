package dev.patchwatch.topology;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * How far a running topology has got, read from the aggregating stage's own state through
 * interactive queries, so it needs no extra topic or metric.
 */
public final class Completion {

  private Completion() {}

  /**
   * How many (aggregating partition, input partition) pairs have reached {@code progress}, out of
   * {@code partitions²}; all of them means every window closed by {@code progress} is final (its
   * outputs are committed at the next commit or on close). Counts 0 while state is not queryable,
   * e.g. during a rebalance.
   */
  public static int reached(KafkaStreams streams, int partitions, long progress) {
    int reached = 0;
    try {
      for (int b = 0; b < partitions; b++) {
        ReadOnlyKeyValueStore<Integer, Long> store =
            streams.store(
                StoreQueryParameters.fromNameAndType(
                        AggregateProcessor.PROGRESS_STORE,
                        QueryableStoreTypes.<Integer, Long>keyValueStore())
                    .withPartition(b));
        for (int p = 0; p < partitions; p++) {
          Long value = store.get(p);
          if (value != null && value >= progress) {
            reached++;
          }
        }
      }
    } catch (InvalidStateStoreException notQueryableYet) {
      return 0;
    }
    return reached;
  }

  /**
   * Records of {@code topic} the application has processed and committed: the sum of its committed
   * offsets, which for a topic written without transactions is a record count.
   */
  public static long committed(Admin admin, String applicationId, String topic) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(applicationId)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
    } catch (ExecutionException | TimeoutException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }
}
