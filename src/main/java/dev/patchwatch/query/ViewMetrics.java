package dev.patchwatch.query;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.topology.PatchWatchTopology;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * PatchWatch's own meters, read from the outside of the topology: from the view (rejections, late
 * events, finals, progress, open windows) and from Kafka Streams' consumer metrics (records read
 * from the scans topic). With the Kafka Streams binder they make up {@code /metrics}.
 */
public final class ViewMetrics implements AutoCloseable {

  private final KafkaStreamsMetrics streamsMetrics;

  private ViewMetrics(KafkaStreamsMetrics streamsMetrics) {
    this.streamsMetrics = streamsMetrics;
  }

  /**
   * Binds the meters of {@code view} and, when given, of {@code streams} (this instance's Kafka
   * Streams client) to {@code registry}.
   */
  public static ViewMetrics bind(
      MeterRegistry registry,
      AggregateView view,
      int inputPartitions,
      Map<Granularity, Duration> graces,
      Optional<KafkaStreams> streams,
      Clock clock) {
    for (RejectReason reason : RejectReason.values()) {
      FunctionCounter.builder(
              "patchwatch.events.rejected",
              view,
              v -> v.read(s -> s.rejected().getOrDefault(reason, 0L)).doubleValue())
          .description(
              "Records in the rejected topic by reason (LATE events are still counted in their"
                  + " open windows)")
          .tag("reason", reason.name())
          .register(registry);
    }
    for (Granularity g : Granularity.values()) {
      FunctionCounter.builder(
              "patchwatch.events.late",
              view,
              v -> v.read(s -> s.late().getOrDefault(g, 0L)).doubleValue())
          .description("Events that arrived after their window of this granularity had closed")
          .tag("granularity", g.name())
          .register(registry);
      FunctionCounter.builder(
              "patchwatch.finals.published",
              view,
              v -> v.read(s -> s.finalRecords().getOrDefault(g, 0L)).doubleValue())
          .description("Final records read from this granularity's final topic")
          .tag("granularity", g.name())
          .register(registry);
      Gauge.builder(
              "patchwatch.window.oldest.open.age",
              view,
              v ->
                  v.read(s -> s.oldestOpenWindow(g))
                      .map(start -> (clock.millis() - start.toEpochMilli()) / 1000.0)
                      .orElse(Double.NaN))
          .description(
              "Wall-clock age of the start of the oldest window with a live value and no final")
          .baseUnit("seconds")
          .tag("granularity", g.name())
          .register(registry);
      long grace = graces.get(g).toMillis();
      Gauge.builder(
              "patchwatch.final.up.to",
              view,
              v -> {
                long least = leastProgress(v, inputPartitions);
                return least == Long.MIN_VALUE ? Double.NaN : (least - grace) / 1000.0;
              })
          .description("Event time (epoch) up to which windows of this granularity are final")
          .baseUnit("seconds")
          .tag("granularity", g.name())
          .register(registry);
    }
    for (int p = 0; p < inputPartitions; p++) {
      int partition = p;
      Gauge.builder(
              "patchwatch.partition.progress",
              view,
              v ->
                  v.read(s -> Optional.ofNullable(s.progress().get(partition)))
                      .map(PartitionProgress::getProgress)
                      .filter(t -> t != Long.MIN_VALUE)
                      .map(t -> t / 1000.0)
                      .orElse(Double.NaN))
          .description("Event-time progress (watermark) an input partition last announced (epoch)")
          .baseUnit("seconds")
          .tag("partition", Integer.toString(partition))
          .register(registry);
    }
    FunctionCounter.builder(
            "patchwatch.transitions.published",
            view,
            v -> v.read(s -> s.transitionRecords()).doubleValue())
        .description("Records read from the transitions topic")
        .register(registry);
    FunctionCounter.builder(
            "patchwatch.cohort.points.published",
            view,
            v -> v.read(s -> s.cohortRecords()).doubleValue())
        .description("Records (one per cohort, age and slice) read from the cohorts topic")
        .register(registry);
    FunctionCounter.builder("patchwatch.view.skipped", view, v -> (double) v.skipped())
        .description("Records the HTTP view could not decode and skipped")
        .register(registry);
    KafkaStreamsMetrics binder = null;
    if (streams.isPresent()) {
      KafkaStreams kafkaStreams = streams.get();
      String scans = view.topics().scans().name();
      FunctionCounter.builder(
              "patchwatch.scan.records.read",
              kafkaStreams,
              k -> scanRecordsRead(k.metrics(), scans))
          .description(
              "Records this instance's stream threads read from the scans topic: events,"
                  + " watermarks and records they rejected")
          .register(registry);
      FunctionCounter.builder(
              "patchwatch.events.accepted", kafkaStreams, k -> eventsAccepted(k.metrics()))
          .description(
              "Valid events this instance's stream threads processed (LATE ones included: they"
                  + " count in any window still open)")
          .register(registry);
      binder = new KafkaStreamsMetrics(kafkaStreams);
      binder.bindTo(registry);
    }
    return new ViewMetrics(binder);
  }

  private static long leastProgress(AggregateView view, int inputPartitions) {
    return view.read(
        s -> {
          if (s.progress().size() < inputPartitions) {
            return Long.MIN_VALUE;
          }
          return s.progress().values().stream()
              .mapToLong(PartitionProgress::getProgress)
              .min()
              .orElse(Long.MIN_VALUE);
        });
  }

  /** The topology's {@code events-accepted-total}, summed over the stream threads. */
  static double eventsAccepted(Map<MetricName, ? extends Metric> metrics) {
    double sum = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      MetricName name = e.getKey();
      if (name.name().equals(PatchWatchTopology.EVENTS_ACCEPTED_METRIC)
          && name.group().equals(PatchWatchTopology.METRICS_GROUP)
          && e.getValue().metricValue() instanceof Number n) {
        sum += n.doubleValue();
      }
    }
    return sum;
  }

  /**
   * The consumers' per-topic {@code records-consumed-total} for {@code topic}, summed. Kafka 4 tags
   * it twice, with the topic's name and with its dots as underscores (the old form): the name is
   * read, the old form only when no metric has the name.
   */
  static double scanRecordsRead(Map<MetricName, ? extends Metric> metrics, String topic) {
    double named = 0;
    double old = 0;
    boolean anyNamed = false;
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      MetricName name = e.getKey();
      if (!name.name().equals("records-consumed-total")
          || !name.group().equals("consumer-fetch-manager-metrics")
          || name.tags().getOrDefault("client-id", "").endsWith("-restore-consumer")
          || !(e.getValue().metricValue() instanceof Number n)) {
        continue;
      }
      String tag = name.tags().get("topic");
      if (topic.equals(tag)) {
        named += n.doubleValue();
        anyNamed = true;
      } else if (topic.replace('.', '_').equals(tag)) {
        old += n.doubleValue();
      }
    }
    return anyNamed ? named : old;
  }

  @Override
  public void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
  }
}
