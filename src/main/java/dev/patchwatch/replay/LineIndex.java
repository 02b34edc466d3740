package dev.patchwatch.replay;

import java.util.Arrays;

/**
 * Which input line each published event came from, by (partition, offset), so a rejection the
 * topology makes can be traced to its line. Offsets of a fresh topic are dense from 0, so an int
 * per event suffices. Written from the producer's callback thread, read after the flush.
 */
final class LineIndex {

  private final int[][] lines;
  private final int[] sizes;

  LineIndex(int partitions) {
    this.lines = new int[partitions][1024];
    this.sizes = new int[partitions];
  }

  synchronized void put(int partition, long offset, long line) {
    int at = Math.toIntExact(offset);
    if (at >= lines[partition].length) {
      lines[partition] =
          Arrays.copyOf(lines[partition], Math.max(at + 1, lines[partition].length * 2));
    }
    lines[partition][at] = Math.toIntExact(line);
    sizes[partition] = Math.max(sizes[partition], at + 1);
  }

  /** The line of that record, or 0 if it was not published by this replay. */
  synchronized long get(int partition, long offset) {
    return partition < lines.length && offset < sizes[partition]
        ? lines[partition][(int) offset]
        : 0;
  }
}
