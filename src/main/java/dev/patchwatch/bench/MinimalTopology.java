package dev.patchwatch.bench;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.Watermark;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The smallest Kafka Streams job that does what PatchWatch's topology must at least do with every
 * event: read it, take its event time from the payload, count it in a 1-hour tumbling window per
 * key (the host) in a RocksDB window store with a changelog and the default record cache, and write
 * the updated counts to a topic, under the same processing guarantee and with 1 stream thread.
 * Watermark records move stream time and are then dropped. Nothing else: no Avro decoding of the
 * whole event, no validation, no second stage, one window kind and one dimension. The full
 * topology's throughput over this one's says what its own work costs.
 */
final class MinimalTopology {

  static final String STORE = "minimal-counts";

  /**
   * Longer than the window and grace need (2 h) on purpose: a window store opens a RocksDB segment
   * every retention / 2 of event time, and with the default retention a replay of 10 days opens 240
   * per partition, which then costs more than the counting (about 2,800 instead of 20,000 events/s
   * when measured). One day means 12-hour segments, about 20 per partition.
   */
  static final Duration RETENTION = Duration.ofDays(1);

  private MinimalTopology() {}

  /** Counts by key and 1-hour window; the same 1-hour grace as PatchWatch's HOURLY windows. */
  static Topology build(String scansTopic, String outputTopic) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(
            scansTopic,
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                .withTimestampExtractor(new ObservedAtExtractor())
                .withName("minimal-source"))
        // watermarks (null key) still move stream time through the extractor, then stop here
        .filter((key, value) -> key != null, Named.as("minimal-events-only"))
        .groupByKey(Grouped.with("minimal-by-host", Serdes.ByteArray(), Serdes.ByteArray()))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofHours(1), Duration.ofHours(1)))
        .count(
            Named.as("minimal-count"),
            Materialized.<byte[], Long, WindowStore<Bytes, byte[]>>as(STORE)
                .withKeySerde(Serdes.ByteArray())
                .withValueSerde(Serdes.Long())
                .withRetention(RETENTION))
        .toStream(Named.as("minimal-updates"))
        .map(
            (window, count) ->
                KeyValue.pair(
                    ByteBuffer.allocate(window.key().length + 8)
                        .put(window.key())
                        .putLong(window.window().start())
                        .array(),
                    count),
            Named.as("minimal-key"))
        .to(outputTopic, Produced.with(Serdes.ByteArray(), Serdes.Long()).withName("minimal-sink"));
    return builder.build();
  }

  /**
   * Reads observedAt, and nothing else, straight from the Avro bytes: past the 5-byte wire-format
   * header, skips the scanner string and reads the long that follows. That is the layout of the
   * {@link ScanEvent} schema the benchmark writes with, which the constructor checks; a watermark
   * gives its header's instant. Anything unreadable keeps the partition's time, like PatchWatch's
   * extractor.
   */
  static final class ObservedAtExtractor implements TimestampExtractor {

    /** Reused per thread: the extractor instance is shared by every stream thread. */
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    ObservedAtExtractor() {
      List<Schema.Field> fields = ScanEvent.getClassSchema().getFields();
      if (!fields.get(0).name().equals("scanner")
          || fields.get(0).schema().getType() != Schema.Type.STRING
          || !fields.get(1).name().equals("observedAt")
          || fields.get(1).schema().getType() != Schema.Type.LONG) {
        throw new IllegalStateException(
            "ScanEvent no longer starts with scanner and observedAt: update ObservedAtExtractor");
      }
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
      long fallback = Math.max(0L, partitionTime);
      byte[] value = (byte[]) record.value();
      if (value == null) {
        Header header = record.headers().lastHeader(Watermark.HEADER);
        return header == null
            ? fallback
            : Watermark.decode(header.value()).map(t -> t.toEpochMilli()).orElse(fallback);
      }
      try {
        BinaryDecoder decoder =
            DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, decoders.get());
        decoders.set(decoder);
        decoder.skipString();
        long observedAt = decoder.readLong();
        return observedAt >= 0 ? observedAt : fallback;
      } catch (IOException | RuntimeException e) {
        return fallback;
      }
    }
  }
}
