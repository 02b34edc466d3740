package dev.patchwatch.runtime;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.topology.PatchWatchTopology;
import dev.patchwatch.topology.TopologySettings;
import dev.patchwatch.topology.Windowing;
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
            store(streams, PatchWatchTopology.AGGREGATE_PROGRESS_STORE, b);
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
   * Whether every window the host stage has closed, on every input partition, has reached every
   * aggregating partition: then every final the input processed so far implies is published (it is
   * committed at the next commit, or on close). Unlike {@link #reached} it needs no target
   * progress, so it suits an input whose end is not known in advance, such as the history a
   * reprocessing run reads. False while state is not queryable, e.g. during a rebalance.
   *
   * <p>Why it is exact: a partition sends its progress to the aggregating stage each time that
   * progress closes a window, so the last progress it sent is at least the point where its latest
   * closed window closed ({@code end + grace}), and every earlier one is below that point.
   */
  public static boolean drained(KafkaStreams streams, TopologySettings settings) {
    int partitions = settings.inputPartitions();
    Windowing windowing = new Windowing(settings);
    long[] closedAt = new long[partitions];
    try {
      for (int p = 0; p < partitions; p++) {
        ReadOnlyKeyValueStore<Integer, PartitionProgress> own =
            store(streams, PatchWatchTopology.HOST_PROGRESS_STORE, p);
        PartitionProgress progress = own.get(p);
        closedAt[p] =
            progress == null ? Long.MIN_VALUE : lastClosing(windowing, progress.getProgress());
      }
      for (int b = 0; b < partitions; b++) {
        ReadOnlyKeyValueStore<Integer, Long> received =
            store(streams, PatchWatchTopology.AGGREGATE_PROGRESS_STORE, b);
        for (int p = 0; p < partitions; p++) {
          Long value = received.get(p);
          if (closedAt[p] != Long.MIN_VALUE && (value == null || value < closedAt[p])) {
            return false;
          }
        }
      }
    } catch (InvalidStateStoreException notQueryableYet) {
      return false;
    }
    return true;
  }

  /** One partition of a key-value store keyed by input partition. */
  private static <V> ReadOnlyKeyValueStore<Integer, V> store(
      KafkaStreams streams, String name, int partition) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<Integer, V>keyValueStore())
            .withPartition(partition));
  }

  /** The progress at which the latest window closed by {@code progress} closed. */
  private static long lastClosing(Windowing windowing, long progress) {
    long closing = Long.MIN_VALUE;
    for (Granularity g : Granularity.values()) {
      long start = windowing.lastClosedStart(g, progress);
      if (start != Long.MIN_VALUE) {
        closing = Math.max(closing, start + windowing.size(g) + windowing.grace(g));
      }
    }
    return closing;
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
