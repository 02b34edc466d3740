package dev.patchwatch.topology;

import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.utils.Utils;

/**
 * The key of one partial as compact bytes that sort by kind, then day or window start: the order in
 * which the aggregating stage publishes a window's finals. Layout: kind (1 byte: a granularity's
 * ordinal for counts, {@link Kind#TRANSITIONS} or {@link Kind#COHORTS}), window start with its sign
 * bit flipped (8 bytes, big-endian), dimension ordinal (1 byte), vulnerability, a 0 byte, value; a
 * cohort key then holds a 0 byte and its age in days (1 byte). Neither text can hold a 0 byte
 * (DESIGN section 2). Transitions and cohorts start at the day they describe (for a cohort, its
 * cohort day plus its age), so they close with that day's DAILY window.
 */
final class AggregateKey {

  /** What a key counts. The first three are the granularities, in their order. */
  enum Kind {
    HOURLY,
    DAILY,
    EXPOSURE,
    TRANSITIONS,
    COHORTS;

    private static final Kind[] ALL = values();
    private static final Granularity[] GRANULARITIES = Granularity.values();

    /** The granularity whose window, starting at the key's start, makes the key final. */
    Granularity closesWith() {
      return this == TRANSITIONS || this == COHORTS ? Granularity.DAILY : GRANULARITIES[ordinal()];
    }

    static Kind of(Granularity granularity) {
      return ALL[granularity.ordinal()];
    }
  }

  private static final Kind[] KINDS = Kind.values();
  private static final Granularity[] GRANULARITIES = Granularity.values();
  private static final Dimension[] DIMENSIONS = Dimension.values();

  private AggregateKey() {}

  public static byte[] encode(
      Granularity granularity,
      long windowStart,
      String vulnerability,
      Dimension dimension,
      String value) {
    return encode(Kind.of(granularity), windowStart, vulnerability, dimension, value, -1);
  }

  static byte[] transitions(long day, String vulnerability, Dimension dimension, String value) {
    return encode(Kind.TRANSITIONS, day, vulnerability, dimension, value, -1);
  }

  /** A cohort's key at {@code day}, its cohort day plus {@code age} days. */
  static byte[] cohort(long day, int age, String vulnerability, Dimension dimension, String value) {
    return encode(Kind.COHORTS, day, vulnerability, dimension, value, age);
  }

  private static byte[] encode(
      Kind kind, long start, String vulnerability, Dimension dimension, String value, int age) {
    byte[] vuln = vulnerability.getBytes(StandardCharsets.UTF_8);
    byte[] val = value.getBytes(StandardCharsets.UTF_8);
    int tail = age < 0 ? 0 : 2;
    ByteBuffer buffer = ByteBuffer.allocate(1 + 8 + 1 + vuln.length + 1 + val.length + tail);
    buffer.put((byte) kind.ordinal());
    buffer.putLong(start ^ Long.MIN_VALUE);
    buffer.put((byte) dimension.ordinal());
    buffer.put(vuln);
    buffer.put((byte) 0);
    buffer.put(val);
    if (age >= 0) {
      buffer.put((byte) 0);
      buffer.put((byte) age);
    }
    return buffer.array();
  }

  /** The aggregating task, of {@code tasks}, that owns this key. */
  static int task(byte[] key, int tasks) {
    return Utils.toPositive(Utils.murmur2(key)) % tasks;
  }

  static Kind kind(byte[] key) {
    return KINDS[key[0]];
  }

  /** The granularity of a count key. */
  public static Granularity granularity(byte[] key) {
    return GRANULARITIES[key[0]];
  }

  public static long windowStart(byte[] key) {
    return ByteBuffer.wrap(key, 1, 8).getLong() ^ Long.MIN_VALUE;
  }

  static Dimension dimension(byte[] key) {
    return DIMENSIONS[key[9]];
  }

  static String vulnerability(byte[] key) {
    return new String(key, 10, separator(key, 10) - 10, StandardCharsets.UTF_8);
  }

  static String value(byte[] key) {
    int from = separator(key, 10) + 1;
    int to = kind(key) == Kind.COHORTS ? key.length - 2 : key.length;
    return new String(key, from, to - from, StandardCharsets.UTF_8);
  }

  /** A cohort key's age in days. */
  static int age(byte[] key) {
    return key[key.length - 1];
  }

  private static int separator(byte[] key, int from) {
    int at = from;
    while (key[at] != 0) {
      at++;
    }
    return at;
  }

  /** A count or transitions key as the key of its topic. */
  public static CountKey decode(byte[] key) {
    Kind kind = kind(key);
    return CountKey.newBuilder()
        .setGranularity(kind == Kind.TRANSITIONS ? Granularity.DAILY : granularity(key))
        .setWindowStart(Instant.ofEpochMilli(windowStart(key)))
        .setDimension(dimension(key))
        .setVulnerability(vulnerability(key))
        .setValue(value(key))
        .build();
  }

  static CohortKey decodeCohort(byte[] key) {
    int age = age(key);
    return CohortKey.newBuilder()
        .setVulnerability(vulnerability(key))
        .setCohortDay(Instant.ofEpochMilli(windowStart(key) - age * Windowing.DAY_MS))
        .setAgeDays(age)
        .setDimension(dimension(key))
        .setValue(value(key))
        .build();
  }
}
