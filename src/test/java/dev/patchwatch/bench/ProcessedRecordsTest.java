package dev.patchwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class ProcessedRecordsTest {

  private final Map<MetricName, Metric> metrics = new LinkedHashMap<>();

  private void put(String name, String group, Map<String, String> tags, Object value) {
    MetricName metricName = new MetricName(name, group, "", tags);
    metrics.put(
        metricName,
        new Metric() {
          @Override
          public MetricName metricName() {
            return metricName;
          }

          @Override
          public Object metricValue() {
            return value;
          }
        });
  }

  @Test
  void shouldSumTheThreadsAndLeaveOutWhatTheyReadFromRepartitionTopics() {
    put("process-total", "stream-thread-metrics", Map.of("thread-id", "t1"), 1_500.0);
    put("process-total", "stream-thread-metrics", Map.of("thread-id", "t2"), 700.0);
    put(
        "records-consumed-total",
        "consumer-fetch-manager-metrics",
        Map.of("client-id", "t1-consumer", "topic", "bench-full-r1-partials-repartition"),
        150.0);
    // the scans topic's own fetches and other threads' figures are not scan records processed
    put(
        "records-consumed-total",
        "consumer-fetch-manager-metrics",
        Map.of("client-id", "t1-consumer", "topic", "bench_scans"),
        2_100.0);
    put("records-consumed-total", "consumer-fetch-manager-metrics", Map.of(), 9.0);
    put("process-total", "stream-task-metrics", Map.of("task-id", "0_1"), 400.0);
    put("process-rate", "stream-thread-metrics", Map.of("thread-id", "t1"), 80.0);
    put("thread-state", "stream-thread-metrics", Map.of("thread-id", "t1"), "RUNNING");

    assertThat(ProcessedRecords.of(metrics)).isEqualTo(2_050);
  }

  @Test
  void shouldCountNothingBeforeTheThreadsReport() {
    assertThat(ProcessedRecords.of(metrics)).isZero();
  }
}
