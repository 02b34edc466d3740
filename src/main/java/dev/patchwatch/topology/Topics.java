package dev.patchwatch.topology;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.event.TopicNames;
import dev.patchwatch.registry.AvroSerde;
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.registry.SchemaRegistryException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
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
    TopicSpec<CountKey, TransitionCount> transitionsDaily,
    TopicSpec<CohortKey, CohortCount> cohortsDaily,
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
            TopicNames.scans(prefix),
            Serdes.String(),
            new AvroSerde<>(registry, ScanEvent.class, false),
            // The history replay reads: never deleted, and stamped by the broker so an old
            // observedAt can neither get a record refused nor deleted.
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, "-1",
                TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
        new TopicSpec<>(TopicNames.countsHourly(prefix), countKey, count, compacted),
        new TopicSpec<>(TopicNames.countsDaily(prefix), countKey, count, compacted),
        new TopicSpec<>(TopicNames.exposureDaily(prefix), countKey, count, compacted),
        new TopicSpec<>(TopicNames.countsLive(prefix), countKey, count, compacted),
        new TopicSpec<>(
            TopicNames.transitionsDaily(prefix),
            countKey,
            new AvroSerde<>(registry, TransitionCount.class, false),
            compacted),
        new TopicSpec<>(
            TopicNames.cohortsDaily(prefix),
            new AvroSerde<>(registry, CohortKey.class, true),
            new AvroSerde<>(registry, CohortCount.class, false),
            compacted),
        new TopicSpec<>(
            TopicNames.rejected(prefix),
            Serdes.ByteArray(),
            new AvroSerde<>(registry, Rejected.class, false),
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG,
                REJECTED_RETENTION_MS,
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                "LogAppendTime")),
        new TopicSpec<>(
            TopicNames.progress(applicationId),
            Serdes.Integer(),
            new InternalSerde<>(PartitionProgress.class),
            compacted));
  }

  /**
   * Every subject of the topics of DESIGN section 4 (topic name strategy) with the schema
   * registered under it, in a fixed order: the scans topic's, each aggregate topic's key and value,
   * the rejected topic's.
   */
  public Map<String, Schema> subjects() {
    Map<String, Schema> subjects = new LinkedHashMap<>();
    subjects.put(scans.name() + "-value", ScanEvent.getClassSchema());
    for (TopicSpec<CountKey, RemediationCount> aggregate :
        List.of(countsHourly, countsDaily, exposureDaily, countsLive)) {
      subjects.put(aggregate.name() + "-key", CountKey.getClassSchema());
      subjects.put(aggregate.name() + "-value", RemediationCount.getClassSchema());
    }
    subjects.put(transitionsDaily.name() + "-key", CountKey.getClassSchema());
    subjects.put(transitionsDaily.name() + "-value", TransitionCount.getClassSchema());
    subjects.put(cohortsDaily.name() + "-key", CohortKey.getClassSchema());
    subjects.put(cohortsDaily.name() + "-value", CohortCount.getClassSchema());
    subjects.put(rejected.name() + "-value", Rejected.getClassSchema());
    return subjects;
  }

  /**
   * Registers every record schema under its topic's subjects now, rather than at the first record,
   * so a registry that refuses one (an incompatible change) or cannot be reached stops a start with
   * a clear message instead of failing a stream thread later.
   *
   * @throws IllegalStateException naming the subject and the registry's reason
   */
  public static void registerSchemas(Topics topics, SchemaRegistry registry) {
    topics
        .subjects()
        .forEach(
            (subject, schema) -> {
              try {
                registry.register(subject, schema);
              } catch (SchemaRegistryException e) {
                throw new IllegalStateException(
                    "cannot register "
                        + schema.getName()
                        + " as "
                        + subject
                        + ": "
                        + e.getMessage(),
                    e);
              }
            });
  }

  public TopicSpec<CountKey, RemediationCount> finals(Granularity granularity) {
    return switch (granularity) {
      case HOURLY -> countsHourly;
      case DAILY -> countsDaily;
      case EXPOSURE -> exposureDaily;
    };
  }

  /** These topics reading {@code input} instead of their own scans topic. */
  public Topics withScans(TopicSpec<String, ScanEvent> input) {
    return new Topics(
        input,
        countsHourly,
        countsDaily,
        exposureDaily,
        countsLive,
        transitionsDaily,
        cohortsDaily,
        rejected,
        progress);
  }

  /** Every topic, in the order they are created. */
  public List<TopicSpec<?, ?>> all() {
    return List.of(
        scans,
        countsHourly,
        countsDaily,
        exposureDaily,
        countsLive,
        transitionsDaily,
        cohortsDaily,
        rejected,
        progress);
  }
}
