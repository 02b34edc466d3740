package dev.patchwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class InternalTopicBytesTest {

  @Test
  void shouldSumTheApplicationsChangelogsAndRepartitionTopicsAlone() {
    Map<TopicPartition, Long> sizes = new LinkedHashMap<>();
    sizes.put(new TopicPartition("bench-full-r1-host-state-changelog", 0), 1_000L);
    sizes.put(new TopicPartition("bench-full-r1-host-state-changelog", 1), 3_000L);
    sizes.put(new TopicPartition("bench-full-r1-sent-partials-changelog", 0), 500L);
    sizes.put(new TopicPartition("bench-full-r1-partials-repartition", 2), 200L);
    // its other topics, and another application's internal topics
    sizes.put(new TopicPartition("bench-full-r1-progress", 0), 9_000L);
    sizes.put(new TopicPartition("bench-full-r1.counts.hourly", 0), 9_000L);
    sizes.put(new TopicPartition("bench-full-r2-host-state-changelog", 0), 9_000L);
    sizes.put(new TopicPartition("bench.scans", 0), 9_000L);

    InternalTopicBytes bytes = InternalTopicBytes.of("bench-full-r1", sizes);

    assertThat(bytes).isEqualTo(new InternalTopicBytes(4_500, 200, 3_000));
    Map<String, Object> details = new LinkedHashMap<>();
    bytes.putPerEvent(details, 100);
    assertThat(details)
        .containsEntry("changelogBytesPerEvent", 45.0)
        .containsEntry("repartitionBytesPerEvent", 2.0);
  }
}
