package dev.patchwatch.bench;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Scan records an application's stream threads have processed so far, from its metrics (INFO level,
 * so on by default): the sum of the threads' {@code process-total}, which counts each record a task
 * processed whatever the commit interval, less the records their consumers fetched from repartition
 * topics, which that sum counts too (the full topology's aggregating stage). Unlike committed
 * offsets it is current to the poll under {@code at_least_once} (commits every 30 s) and when
 * catching up (every 1 s) too. Repartition records fetched but not yet processed make it low by at
 * most a few buffered records.
 */
final class ProcessedRecords {

  private ProcessedRecords() {}

  static long of(KafkaStreams streams) {
    return of(streams.metrics());
  }

  static long of(Map<MetricName, ? extends Metric> metrics) {
    double processed = 0;
    double repartition = 0;
    for (Metric metric : metrics.values()) {
      MetricName name = metric.metricName();
      if (!(metric.metricValue() instanceof Number value)) {
        continue;
      }
      if (name.name().equals("process-total") && name.group().equals("stream-thread-metrics")) {
        processed += value.doubleValue();
      } else if (name.name().equals("records-consumed-total")
          && name.group().equals("consumer-fetch-manager-metrics")
          && name.tags().getOrDefault("topic", "").endsWith("-repartition")) {
        repartition += value.doubleValue();
      }
    }
    return (long) Math.max(0, processed - repartition);
  }
}
