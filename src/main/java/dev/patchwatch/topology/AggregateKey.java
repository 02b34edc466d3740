package dev.patchwatch.topology;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.utils.Utils;

/**
 * A {@link CountKey} as compact bytes that sort by granularity, then window start, so the
 * aggregating stage can range-scan the windows that close. Layout: granularity ordinal (1 byte),
 * window start with its sign bit flipped (8 bytes, big-endian), dimension ordinal (1 byte),
 * vulnerability, a 0 byte, value. Neither text can hold a 0 byte (DESIGN section 2).
 */
final class AggregateKey {

  private static final Granularity[] GRANULARITIES = Granularity.values();
  private static final Dimension[] DIMENSIONS = Dimension.values();

  private AggregateKey() {}

  public static byte[] encode(
      Granularity granularity,
      long windowStart,
      String vulnerability,
      Dimension dimension,
      String value) {
    byte[] vuln = vulnerability.getBytes(StandardCharsets.UTF_8);
    byte[] val = value.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocate(1 + 8 + 1 + vuln.length + 1 + val.length);
    buffer.put((byte) granularity.ordinal());
    buffer.putLong(windowStart ^ Long.MIN_VALUE);
    buffer.put((byte) dimension.ordinal());
    buffer.put(vuln);
    buffer.put((byte) 0);
    buffer.put(val);
    return buffer.array();
  }

  /** The smallest key of any window of {@code granularity} starting at or after {@code start}. */
  public static byte[] lowerBound(Granularity granularity, long start) {
    return ByteBuffer.allocate(9)
        .put((byte) granularity.ordinal())
        .putLong(start ^ Long.MIN_VALUE)
        .array();
  }

  /**
   * A key greater than every key of a window of {@code granularity} starting at or before {@code
   * start}, and smaller than any later window's.
   */
  public static byte[] upperBound(Granularity granularity, long start) {
    byte[] bound = Arrays.copyOf(lowerBound(granularity, start), 10);
    bound[9] = (byte) 0xFF;
    return bound;
  }

  /** The aggregating task, of {@code tasks}, that owns this key. */
  static int task(byte[] key, int tasks) {
    return Utils.toPositive(Utils.murmur2(key)) % tasks;
  }

  public static Granularity granularity(byte[] key) {
    return GRANULARITIES[key[0]];
  }

  public static long windowStart(byte[] key) {
    return ByteBuffer.wrap(key, 1, 8).getLong() ^ Long.MIN_VALUE;
  }

  public static CountKey decode(byte[] key) {
    int separator = 10;
    while (key[separator] != 0) {
      separator++;
    }
    return CountKey.newBuilder()
        .setGranularity(granularity(key))
        .setWindowStart(Instant.ofEpochMilli(windowStart(key)))
        .setDimension(DIMENSIONS[key[9]])
        .setVulnerability(new String(key, 10, separator - 10, StandardCharsets.UTF_8))
        .setValue(
            new String(key, separator + 1, key.length - separator - 1, StandardCharsets.UTF_8))
        .build();
  }
}
