package dev.patchwatch.bench;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What one application wrote to its internal topics, as the broker's log directories hold it once
 * the application has closed: record batches as written (Kafka Streams' producers do not compress
 * by default), batch headers and transaction markers included. Exact as long as the broker has
 * deleted no segment of them, which the largest partition tells (see BENCHMARKS.md).
 *
 * @param changelogBytes of the topics {@code <applicationId>-...-changelog}
 * @param repartitionBytes of the topics {@code <applicationId>-...-repartition}
 * @param largestPartitionBytes the largest partition of either kind
 */
record InternalTopicBytes(long changelogBytes, long repartitionBytes, long largestPartitionBytes) {

  static InternalTopicBytes of(String applicationId, Map<TopicPartition, Long> replicaSizes) {
    long changelog = 0;
    long repartition = 0;
    long largest = 0;
    for (Map.Entry<TopicPartition, Long> replica : replicaSizes.entrySet()) {
      String topic = replica.getKey().topic();
      if (!topic.startsWith(applicationId + "-")) {
        continue;
      }
      if (topic.endsWith("-changelog")) {
        changelog += replica.getValue();
      } else if (topic.endsWith("-repartition")) {
        repartition += replica.getValue();
      } else {
        continue;
      }
      largest = Math.max(largest, replica.getValue());
    }
    return new InternalTopicBytes(changelog, repartition, largest);
  }

  void putPerEvent(Map<String, Object> details, long events) {
    details.put("changelogBytesPerEvent", (double) changelogBytes / events);
    details.put("repartitionBytesPerEvent", (double) repartitionBytes / events);
    details.put("changelogMb", changelogBytes / BenchReport.MB);
    details.put("repartitionMb", repartitionBytes / BenchReport.MB);
    details.put("internalTopicLargestPartitionMb", largestPartitionBytes / BenchReport.MB);
  }
}
