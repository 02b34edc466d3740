package dev.patchwatch.topology;

import dev.patchwatch.avro.internal.PartialCounts;
import dev.patchwatch.avro.internal.PartitionedCounts;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The aggregating stage's value for one key: each input partition's latest counts, partitions
 * ascending. Stored in a compact layout ({@link Compact#FORMAT}): partition count, then per
 * partition its number and its {@value #WIDTH} counters, all varints. The Avro {@link
 * PartitionedCounts} records of earlier versions are still read.
 */
final class SourceCounts {

  /** Counters per partition, in the order of {@link PartialCounts}' fields. */
  private static final int WIDTH = 6;

  private static final InternalSerde<PartitionedCounts> AVRO =
      new InternalSerde<>(PartitionedCounts.class);

  private int[] partitions;
  private long[] counts;
  private int size;

  SourceCounts() {
    this(new int[2], new long[2 * WIDTH], 0);
  }

  private SourceCounts(int[] partitions, long[] counts, int size) {
    this.partitions = partitions;
    this.counts = counts;
    this.size = size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  boolean holds(int partition) {
    return Arrays.binarySearch(partitions, 0, size, partition) >= 0;
  }

  /** Sets {@code partition}'s counters, in {@link PartialCounts}' order. */
  void set(int partition, PartialCounts c) {
    int at = Arrays.binarySearch(partitions, 0, size, partition);
    if (at < 0) {
      at = -at - 1;
      if (size == partitions.length) {
        partitions = Arrays.copyOf(partitions, size * 2);
        counts = Arrays.copyOf(counts, size * 2 * WIDTH);
      }
      System.arraycopy(partitions, at, partitions, at + 1, size - at);
      System.arraycopy(counts, at * WIDTH, counts, (at + 1) * WIDTH, (size - at) * WIDTH);
      partitions[at] = partition;
      size++;
    }
    int o = at * WIDTH;
    counts[o] = c.getHosts();
    counts[o + 1] = c.getVulnerable();
    counts[o + 2] = c.getMitigated();
    counts[o + 3] = c.getPatched();
    counts[o + 4] = c.getUnreachable();
    counts[o + 5] = c.getCompromised();
  }

  /** Forgets {@code partition}'s counters; false if it had none. */
  boolean remove(int partition) {
    int at = Arrays.binarySearch(partitions, 0, size, partition);
    if (at < 0) {
      return false;
    }
    System.arraycopy(partitions, at + 1, partitions, at, size - at - 1);
    System.arraycopy(counts, (at + 1) * WIDTH, counts, at * WIDTH, (size - at - 1) * WIDTH);
    size--;
    return true;
  }

  /** The sum over partitions. */
  Counts sum() {
    Counts sum = new Counts();
    for (int o = 0; o < size * WIDTH; o += WIDTH) {
      sum.hosts += counts[o];
      sum.vulnerable += counts[o + 1];
      sum.mitigated += counts[o + 2];
      sum.patched += counts[o + 3];
      sum.unreachable += counts[o + 4];
      sum.compromised += counts[o + 5];
    }
    return sum;
  }

  byte[] encode() {
    Compact out = new Compact(2 + size * (2 + WIDTH * 3));
    out.putVarint(size);
    for (int i = 0; i < size; i++) {
      out.putVarint(partitions[i]);
      for (int f = 0; f < WIDTH; f++) {
        out.putVarlong(counts[i * WIDTH + f]);
      }
    }
    return out.toByteArray();
  }

  /** A stored value, in the compact layout or as the Avro record of earlier versions. */
  static SourceCounts decode(byte[] bytes) {
    if (bytes.length > 0 && bytes[0] != Compact.FORMAT) {
      return fromAvro(AVRO.deserializer().deserialize(null, bytes));
    }
    Compact.Reader in = new Compact.Reader(bytes, "aggregating-stage counts");
    int n = in.getVarint();
    if (n > bytes.length) {
      throw new SerializationException("aggregating-stage counts: " + n + " partitions");
    }
    int[] partitions = new int[Math.max(n, 1)];
    long[] counts = new long[partitions.length * WIDTH];
    for (int i = 0; i < n; i++) {
      partitions[i] = in.getVarint();
      if (i > 0 && partitions[i] <= partitions[i - 1]) {
        throw new SerializationException("aggregating-stage counts: partitions out of order");
      }
      for (int f = 0; f < WIDTH; f++) {
        counts[i * WIDTH + f] = in.getVarlong();
      }
    }
    in.end();
    return new SourceCounts(partitions, counts, n);
  }

  private static SourceCounts fromAvro(PartitionedCounts record) {
    SourceCounts value = new SourceCounts();
    for (int i = 0; i < record.getPartitions().size(); i++) {
      value.set(record.getPartitions().get(i), record.getCounts().get(i));
    }
    return value;
  }
}
