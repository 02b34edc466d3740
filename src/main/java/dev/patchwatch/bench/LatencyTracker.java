package dev.patchwatch.bench;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Matches produced events to the first live update that includes them.
 *
 * <p>Each partition's events are numbered in the order they were produced, which is their offset
 * order (one producer, idempotent, so order per partition is kept). The topology's first stage
 * handles a partition's events in offset order, so when the live count of that partition's own key
 * reads n, its first n events are all in it: every one of them not matched yet gets the latency
 * "now − produced". A count can only grow here because every live event is a new host.
 *
 * <p>One thread calls {@link #produced}, another {@link #observed}: the produce times are published
 * through the per-partition counters, which the observer reads first.
 */
final class LatencyTracker {

  private final long[][] producedAt;
  private final long[][] latency;
  private final AtomicIntegerArray produced;
  private final int[] matched;

  /**
   * @param capacity the most events any one partition may get
   */
  LatencyTracker(int partitions, int capacity) {
    producedAt = new long[partitions][capacity];
    latency = new long[partitions][capacity];
    produced = new AtomicIntegerArray(partitions);
    matched = new int[partitions];
  }

  /** The next event of {@code partition} is produced at {@code nanos}. */
  void produced(int partition, long nanos) {
    int i = produced.get(partition);
    producedAt[partition][i] = nanos;
    produced.set(partition, i + 1);
  }

  /**
   * A live update says the first {@code count} events of {@code partition} are counted, seen at
   * {@code nanos}.
   *
   * @return how many events it matched for the first time
   */
  synchronized int observed(int partition, long count, long nanos) {
    int upTo = (int) Math.min(count, produced.get(partition));
    int before = matched[partition];
    for (int i = before; i < upTo; i++) {
      latency[partition][i] = nanos - producedAt[partition][i];
    }
    matched[partition] = Math.max(before, upTo);
    return matched[partition] - before;
  }

  synchronized long matched() {
    long sum = 0;
    for (int m : matched) {
      sum += m;
    }
    return sum;
  }

  long produced() {
    long sum = 0;
    for (int p = 0; p < producedAt.length; p++) {
      sum += produced.get(p);
    }
    return sum;
  }

  /**
   * Latencies in nanoseconds of the events produced at or after {@code fromNanos}. An event no live
   * update has included yet gets {@code censorAt − produced}: what it has waited so far, so with
   * any such event the percentiles are lower bounds, never flattering.
   */
  synchronized long[] latencies(long fromNanos, long censorAt) {
    int n = 0;
    for (int p = 0; p < producedAt.length; p++) {
      int total = produced.get(p);
      for (int i = 0; i < total; i++) {
        if (producedAt[p][i] >= fromNanos) {
          n++;
        }
      }
    }
    long[] out = new long[n];
    int k = 0;
    for (int p = 0; p < producedAt.length; p++) {
      int total = produced.get(p);
      for (int i = 0; i < total; i++) {
        if (producedAt[p][i] >= fromNanos) {
          out[k++] = i < matched[p] ? latency[p][i] : censorAt - producedAt[p][i];
        }
      }
    }
    return out;
  }

  /**
   * {@link #latencies} of the events produced in each successive {@code bucketNanos} from {@code
   * fromNanos}: flat when the topology keeps up with the offered rate, rising when it falls behind.
   */
  synchronized List<long[]> latenciesByBucket(long fromNanos, long censorAt, long bucketNanos) {
    int[] sizes = new int[0];
    for (int p = 0; p < producedAt.length; p++) {
      int total = produced.get(p);
      for (int i = 0; i < total; i++) {
        if (producedAt[p][i] >= fromNanos) {
          int b = (int) ((producedAt[p][i] - fromNanos) / bucketNanos);
          if (b >= sizes.length) {
            sizes = Arrays.copyOf(sizes, b + 1);
          }
          sizes[b]++;
        }
      }
    }
    long[][] buckets = new long[sizes.length][];
    for (int b = 0; b < sizes.length; b++) {
      buckets[b] = new long[sizes[b]];
    }
    int[] filled = new int[sizes.length];
    for (int p = 0; p < producedAt.length; p++) {
      int total = produced.get(p);
      for (int i = 0; i < total; i++) {
        long at = producedAt[p][i];
        if (at >= fromNanos) {
          int b = (int) ((at - fromNanos) / bucketNanos);
          buckets[b][filled[b]++] = i < matched[p] ? latency[p][i] : censorAt - at;
        }
      }
    }
    return List.of(buckets);
  }

  /** Events produced at or after {@code fromNanos} that no live update has included yet. */
  synchronized long unmatched(long fromNanos) {
    long n = 0;
    for (int p = 0; p < producedAt.length; p++) {
      int total = produced.get(p);
      for (int i = matched[p]; i < total; i++) {
        if (producedAt[p][i] >= fromNanos) {
          n++;
        }
      }
    }
    return n;
  }
}
