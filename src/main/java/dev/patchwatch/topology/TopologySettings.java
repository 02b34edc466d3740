package dev.patchwatch.topology;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.event.EventContract;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Consumer;

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
 * @param idleTimeout wall-clock time without records after which a partition stops holding windows
 *     back; zero disables it
 * @param liveInterval how often live results are published, at most once per key
 * @param storeType where host state is kept
 * @param eventTimeRange the observedAt range counted; {@link EventTimeRange#ALL} except for a
 *     reprocessing run limited to part of the history
 * @param watermarkAhead how far ahead of the stream thread's clock a watermark may be; a later one
 *     is rejected ({@code INVALID_WATERMARK}), so no typo can close the coming days' windows. One
 *     day, as for observedAt; {@code replay}, which owns its whole input, raises it to close the
 *     windows of current data
 * @param maxEventBytes the largest scan event, in bytes as received ({@code max.event.bytes}); a
 *     larger record is rejected as {@code TOO_LARGE} with only its first bytes, so that no
 *     rejection can exceed what the broker takes
 * @param liveOutput whether open windows' values are published live; {@code replay} and {@code
 *     reprocess}, which catch up on history that no one watches live, switch it off and publish
 *     finals only
 * @param exposureLiveInterval how often the live values of open EXPOSURE windows are recomputed:
 *     each time is a pass over the host states of the open days, so it runs less often than {@link
 *     #liveInterval}
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
    EventTimeRange eventTimeRange,
    Duration watermarkAhead,
    int maxEventBytes,
    boolean liveOutput,
    Duration exposureLiveInterval) {

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
      throw new IllegalArgumentException(
          "input partitions must be at least 1, got " + inputPartitions);
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
      throw new IllegalArgumentException(
          "live interval must be at least 1 ms, got " + liveInterval);
    }
    Objects.requireNonNull(storeType, "storeType");
    Objects.requireNonNull(eventTimeRange, "eventTimeRange");
    requireNonNegative("watermark look-ahead", watermarkAhead);
    if (maxEventBytes < EventContract.KEPT_BYTES) {
      throw new IllegalArgumentException(
          "the largest event must be at least "
              + EventContract.KEPT_BYTES
              + " bytes, got "
              + maxEventBytes);
    }
    Objects.requireNonNull(exposureLiveInterval, "exposureLiveInterval");
    if (exposureLiveInterval.toMillis() < 1) {
      throw new IllegalArgumentException(
          "exposure live interval must be at least 1 ms, got " + exposureLiveInterval);
    }
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
        StoreType.ROCKSDB,
        EventTimeRange.ALL,
        EventContract.MAX_AHEAD,
        EventContract.DEFAULT_MAX_EVENT_BYTES,
        true,
        // a recount is a pass over every open day's host state: seconds at internet scale
        Duration.ofMinutes(5));
  }

  public TopologySettings withTopicPrefix(String prefix) {
    return edit(e -> e.topicPrefix = prefix);
  }

  public TopologySettings withApplicationId(String id) {
    return edit(e -> e.applicationId = id);
  }

  public TopologySettings withInputPartitions(int partitions) {
    return edit(e -> e.inputPartitions = partitions);
  }

  public TopologySettings withGraces(Duration hourly, Duration daily, Duration exposure) {
    return edit(
        e -> {
          e.hourlyGrace = hourly;
          e.dailyGrace = daily;
          e.exposureGrace = exposure;
        });
  }

  public TopologySettings withLookBackDays(int days) {
    return edit(e -> e.lookBackDays = days);
  }

  public TopologySettings withIdleTimeout(Duration timeout) {
    return edit(e -> e.idleTimeout = timeout);
  }

  public TopologySettings withLiveInterval(Duration interval) {
    return edit(e -> e.liveInterval = interval);
  }

  public TopologySettings withStoreType(StoreType type) {
    return edit(e -> e.storeType = type);
  }

  public TopologySettings withEventTimeRange(EventTimeRange range) {
    return edit(e -> e.eventTimeRange = range);
  }

  public TopologySettings withWatermarkAhead(Duration ahead) {
    return edit(e -> e.watermarkAhead = ahead);
  }

  public TopologySettings withMaxEventBytes(int bytes) {
    return edit(e -> e.maxEventBytes = bytes);
  }

  public TopologySettings withLiveOutput(boolean live) {
    return edit(e -> e.liveOutput = live);
  }

  public TopologySettings withExposureLiveInterval(Duration interval) {
    return edit(e -> e.exposureLiveInterval = interval);
  }

  /** A copy with some components changed, validated like any other. */
  private TopologySettings edit(Consumer<Editable> change) {
    Editable e = new Editable(this);
    change.accept(e);
    return new TopologySettings(
        e.topicPrefix,
        e.applicationId,
        e.inputPartitions,
        e.hourlyGrace,
        e.dailyGrace,
        e.exposureGrace,
        e.lookBackDays,
        e.idleTimeout,
        e.liveInterval,
        e.storeType,
        e.eventTimeRange,
        e.watermarkAhead,
        e.maxEventBytes,
        e.liveOutput,
        e.exposureLiveInterval);
  }

  /** The components, as fields a change can set. */
  private static final class Editable {
    String topicPrefix;
    String applicationId;
    int inputPartitions;
    Duration hourlyGrace;
    Duration dailyGrace;
    Duration exposureGrace;
    int lookBackDays;
    Duration idleTimeout;
    Duration liveInterval;
    StoreType storeType;
    EventTimeRange eventTimeRange;
    Duration watermarkAhead;
    int maxEventBytes;
    boolean liveOutput;
    Duration exposureLiveInterval;

    Editable(TopologySettings s) {
      topicPrefix = s.topicPrefix;
      applicationId = s.applicationId;
      inputPartitions = s.inputPartitions;
      hourlyGrace = s.hourlyGrace;
      dailyGrace = s.dailyGrace;
      exposureGrace = s.exposureGrace;
      lookBackDays = s.lookBackDays;
      idleTimeout = s.idleTimeout;
      liveInterval = s.liveInterval;
      storeType = s.storeType;
      eventTimeRange = s.eventTimeRange;
      watermarkAhead = s.watermarkAhead;
      maxEventBytes = s.maxEventBytes;
      liveOutput = s.liveOutput;
      exposureLiveInterval = s.exposureLiveInterval;
    }
  }

  public Duration grace(Granularity granularity) {
    return switch (granularity) {
      case HOURLY -> hourlyGrace;
      case DAILY -> dailyGrace;
      case EXPOSURE -> exposureGrace;
    };
  }

  /**
   * The progress that closes every window holding an event observed at {@code observedAt}: the
   * watermark that ends an input whose greatest observedAt it is (DESIGN section 7.4).
   */
  public long closingProgress(long observedAt) {
    return observedAt + closingOffset().toMillis();
  }

  /**
   * How far past an event's observedAt {@link #closingProgress} lies: the look-back, the largest
   * grace and a day to spare. {@code replay} and {@code bench} both end their input with it.
   */
  public Duration closingOffset() {
    Duration maxGrace =
        Arrays.stream(Granularity.values())
            .map(this::grace)
            .max(Comparator.naturalOrder())
            .orElseThrow();
    return Duration.ofDays(lookBackDays).plus(maxGrace).plus(Duration.ofDays(1));
  }

  private static void requireNonNegative(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, got " + value);
    }
  }
}
