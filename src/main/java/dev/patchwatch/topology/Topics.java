package dev.patchwatch.topology;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.registry.AvroSerde;
import dev.patchwatch.registry.SchemaRegistry;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic PatchWatch reads or writes (DESIGN section 4), built from the configuration. */
public record Topics(
    TopicSpec<String, ScanEvent> scans,
    TopicSpec<CountKey, RemediationCount> countsHourly,
    TopicSpec<CountKey, RemediationCount> countsDaily,
    TopicSpec<CountKey, RemediationCount> exposureDaily,
    TopicSpec<CountKey, RemediationCount> countsLive,
    TopicSpec<byte[], Rejected> rejected,
    TopicSpec<Integer, PartitionProgress> progress) {

  /** Rejections are kept 30 days: long enough to notice and replay, not forever. */
  private static final String REJECTED_RETENTION_MS = Long.toString(30L * 24 * 3600 * 1000);

  public static Topics create(String prefix, String applicationId, SchemaRegistry registry) {
    Serde<CountKey> countKey = new AvroSerde<>(registry, CountKey.class, true);
    Serde<RemediationCount> count = new AvroSerde<>(registry, RemediationCount.class, false);
    Map<String, String> compacted =
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    return new Topics(
        new TopicSpec<>(
            prefix + ".scans",
            Serdes.String(),
            new AvroSerde<>(registry, ScanEvent.class, false),
            // The history replay reads: never deleted, and stamped by the broker so an old
            // observedAt can neither get a record refused nor deleted.
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, "-1",
                TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
        new TopicSpec<>(prefix + ".counts.hourly", countKey, count, compacted),
        new TopicSpec<>(prefix + ".counts.daily", countKey, count, compacted),
        new TopicSpec<>(prefix + ".exposure.daily", countKey, count, compacted),
        new TopicSpec<>(prefix + ".counts.live", countKey, count, compacted),
        new TopicSpec<>(
            prefix + ".rejected",
            Serdes.ByteArray(),
            new AvroSerde<>(registry, Rejected.class, false),
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, REJECTED_RETENTION_MS,
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
        new TopicSpec<>(
            applicationId + "-progress",
            Serdes.Integer(),
            new InternalSerde<>(PartitionProgress.class),
            compacted));
  }

  public TopicSpec<CountKey, RemediationCount> finals(Granularity granularity) {
    return switch (granularity) {
      case HOURLY -> countsHourly;
      case DAILY -> countsDaily;
      case EXPOSURE -> exposureDaily;
    };
  }

  /** Every topic, in the order they are created. */
  public List<TopicSpec<?, ?>> all() {
    return List.of(scans, countsHourly, countsDaily, exposureDaily, countsLive, rejected, progress);
  }
}
