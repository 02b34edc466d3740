package dev.patchwatch.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time from the payload: a scan event's observedAt, a watermark's instant. The broker's
 * timestamp is append time (DESIGN section 7.4) and says nothing about when a host was seen.
 * Records without a usable event time keep the partition's time, because Kafka Streams drops
 * records with a negative timestamp and a bad record must reach the processor to be rejected.
 */
final class ScanTimestampExtractor implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    long fallback = Math.max(0L, partitionTime >= 0 ? partitionTime : record.timestamp());
    if (record.value() instanceof ScanInput.Event event) {
      long observedAt = event.event().getObservedAt().toEpochMilli();
      return observedAt >= 0 ? observedAt : fallback;
    }
    if (record.value() instanceof ScanInput.Watermark watermark) {
      return watermark.time() >= 0 ? watermark.time() : fallback;
    }
    return fallback;
  }
}
