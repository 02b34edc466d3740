package dev.patchwatch.topology;

import dev.patchwatch.avro.Granularity;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the topology's shape and timing depend on. Immutable and validated on construction.
 *
 * @param topicPrefix prefix of every PatchWatch topic ({@code patchwatch})
 * @param applicationId Kafka Streams application id; names the progress topic and internal topics
 * @param inputPartitions partitions of the scans topic, which every window waits for
 * @param hourlyGrace how long an HOURLY window stays open after its end
 * @param dailyGrace how long a DAILY window stays open after its end
 * @param exposureGrace how long an EXPOSURE window stays open after its end
 * @param lookBackDays EXPOSURE window size in days
 * @param idleTimeout wall-clock time without records after which a partition stops holding
 *     windows back; zero disables it
 * @param liveInterval how often live results are published, at most once per key
 * @param storeType where host state is kept
 * @param eventTimeRange the observedAt range counted; {@link EventTimeRange#ALL} except for a
 *     reprocessing run limited to part of the history
 */
public record TopologySettings(
    String topicPrefix,
    String applicationId,
    int inputPartitions,
    Duration hourlyGrace,
    Duration dailyGrace,
    Duration exposureGrace,
    int lookBackDays,
    Duration idleTimeout,
    Duration liveInterval,
    StoreType storeType,
    EventTimeRange eventTimeRange) {

  /** Where the per-host state lives. */
  public enum StoreType {
    /** RocksDB on local disk, backed by a changelog: survives restarts without a full restore. */
    ROCKSDB,
    /** Heap, backed by a changelog: faster, restored in full on every start. */
    IN_MEMORY
  }

  public static final String DEFAULT_PREFIX = "patchwatch";
  public static final String DEFAULT_APPLICATION_ID = "patchwatch";

  public TopologySettings {
    Objects.requireNonNull(topicPrefix, "topicPrefix");
    Objects.requireNonNull(applicationId, "applicationId");
    if (!topicPrefix.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "topic prefix must match [A-Za-z0-9._-]{1,100}, got \"" + topicPrefix + "\"");
    }
    if (!applicationId.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "application id must match [A-Za-z0-9._-]{1,100}, got \"" + applicationId + "\"");
    }
    if (inputPartitions < 1) {
      throw new IllegalArgumentException("input partitions must be at least 1, got " + inputPartitions);
    }
    requireNonNegative("hourly grace", hourlyGrace);
    requireNonNegative("daily grace", dailyGrace);
    requireNonNegative("exposure grace", exposureGrace);
    requireNonNegative("idle timeout", idleTimeout);
    if (lookBackDays < 1 || lookBackDays > 366) {
      throw new IllegalArgumentException("look-back must be 1 to 366 days, got " + lookBackDays);
    }
    Objects.requireNonNull(liveInterval, "liveInterval");
    if (liveInterval.toMillis() < 1) {
      throw new IllegalArgumentException("live interval must be at least 1 ms, got " + liveInterval);
    }
    Objects.requireNonNull(storeType, "storeType");
    Objects.requireNonNull(eventTimeRange, "eventTimeRange");
  }

  /** Settings that count every event, as every application but a limited reprocessing run does. */
  public TopologySettings(
      String topicPrefix, String applicationId, int inputPartitions, Duration hourlyGrace,
      Duration dailyGrace, Duration exposureGrace, int lookBackDays, Duration idleTimeout,
      Duration liveInterval, StoreType storeType) {
    this(
        topicPrefix, applicationId, inputPartitions, hourlyGrace, dailyGrace, exposureGrace,
        lookBackDays, idleTimeout, liveInterval, storeType, EventTimeRange.ALL);
  }

  /** The defaults of DESIGN section 3 for a scans topic with this many partitions. */
  public static TopologySettings defaults(int inputPartitions) {
    return new TopologySettings(
        DEFAULT_PREFIX,
        DEFAULT_APPLICATION_ID,
        inputPartitions,
        Duration.ofHours(1),
        Duration.ofHours(2),
        Duration.ofHours(2),
        7,
        Duration.ofMinutes(5),
        // short enough for sub-second live updates, long enough to batch thousands of keys
        Duration.ofMillis(250),
        StoreType.ROCKSDB);
  }

  public TopologySettings withTopicPrefix(String prefix) {
    return new TopologySettings(
        prefix, applicationId, inputPartitions, hourlyGrace, dailyGrace, exposureGrace,
        lookBackDays, idleTimeout, liveInterval, storeType, eventTimeRange);
  }

  public TopologySettings withApplicationId(String id) {
    return new TopologySettings(
        topicPrefix, id, inputPartitions, hourlyGrace, dailyGrace, exposureGrace, lookBackDays,
        idleTimeout, liveInterval, storeType, eventTimeRange);
  }

  public TopologySettings withInputPartitions(int partitions) {
    return new TopologySettings(
        topicPrefix, applicationId, partitions, hourlyGrace, dailyGrace, exposureGrace,
        lookBackDays, idleTimeout, liveInterval, storeType, eventTimeRange);
  }

  public TopologySettings withGraces(Duration hourly, Duration daily, Duration exposure) {
    return new TopologySettings(
        topicPrefix, applicationId, inputPartitions, hourly, daily, exposure, lookBackDays,
        idleTimeout, liveInterval, storeType, eventTimeRange);
  }

  public TopologySettings withLookBackDays(int days) {
    return new TopologySettings(
        topicPrefix, applicationId, inputPartitions, hourlyGrace, dailyGrace, exposureGrace, days,
        idleTimeout, liveInterval, storeType, eventTimeRange);
  }

  public TopologySettings withIdleTimeout(Duration timeout) {
    return new TopologySettings(
        topicPrefix, applicationId, inputPartitions, hourlyGrace, dailyGrace, exposureGrace,
        lookBackDays, timeout, liveInterval, storeType, eventTimeRange);
  }

  public TopologySettings withLiveInterval(Duration interval) {
    return new TopologySettings(
        topicPrefix, applicationId, inputPartitions, hourlyGrace, dailyGrace, exposureGrace,
        lookBackDays, idleTimeout, interval, storeType, eventTimeRange);
  }

  public TopologySettings withStoreType(StoreType type) {
    return new TopologySettings(
        topicPrefix, applicationId, inputPartitions, hourlyGrace, dailyGrace, exposureGrace,
        lookBackDays, idleTimeout, liveInterval, type, eventTimeRange);
  }

  public TopologySettings withEventTimeRange(EventTimeRange range) {
    return new TopologySettings(
        topicPrefix, applicationId, inputPartitions, hourlyGrace, dailyGrace, exposureGrace,
        lookBackDays, idleTimeout, liveInterval, storeType, range);
  }

  public Duration grace(Granularity granularity) {
    return switch (granularity) {
      case HOURLY -> hourlyGrace;
      case DAILY -> dailyGrace;
      case EXPOSURE -> exposureGrace;
    };
  }

  private static void requireNonNegative(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, got " + value);
    }
  }
}
