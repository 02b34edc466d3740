package dev.patchwatch.bench;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.event.Watermark;
import dev.patchwatch.topology.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What every event costs before any state: the PatchWatch topology's source (the scans topic's
 * registry Avro deserializer under a decoder that turns watermarks and bad bytes into values
 * instead of exceptions, event time from the decoded payload) and its first checks of each event
 * (size, {@link EventContract#normalize}, the key is the canonical IP, the partition is the default
 * partitioner's), then nothing but counting: no store, no output. The topology's own decoder and
 * extractor are private to it, so this is the same steps built from public pieces; it must change
 * when they do.
 */
final class PassthroughTopology {

  /** What one record of the scans topic turned out to be once decoded. */
  sealed interface Scan {
    /** The value as received, for the size check; null for a watermark. */
    byte[] raw();

    record Event(ScanEvent event, byte[] raw) implements Scan {}

    record Mark(long time) implements Scan {
      @Override
      public byte[] raw() {
        return null;
      }
    }

    record Broken(String message, byte[] raw) implements Scan {}
  }

  /** What the job saw, by outcome. */
  static final class Counts {
    final LongAdder valid = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder watermarks = new LongAdder();
  }

  private PassthroughTopology() {}

  /**
   * @param partitions of the scans topic, for the partition check
   * @param maxEventBytes the largest event accepted
   */
  static Topology build(
      TopicSpec<String, ScanEvent> scans, int partitions, int maxEventBytes, Counts counts) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(
            scans.name(),
            Consumed.with(
                    Serdes.ByteArray(),
                    Serdes.serdeFrom(
                        (topic, value) -> {
                          throw new UnsupportedOperationException("the job never writes scans");
                        },
                        new Decoder(scans.valueSerde().deserializer())))
                .withTimestampExtractor(new EventTime())
                .withName("passthrough-source"))
        .process(
            () -> new Validator(partitions, maxEventBytes, counts),
            Named.as("passthrough-validate"));
    return builder.build();
  }

  /** As the topology decodes: only a registry out of reach throws, since that record is not bad. */
  static final class Decoder implements Deserializer<Scan> {
    private final Deserializer<ScanEvent> events;

    Decoder(Deserializer<ScanEvent> events) {
      this.events = events;
    }

    @Override
    public Scan deserialize(String topic, byte[] data) {
      return deserialize(topic, null, data);
    }

    @Override
    public Scan deserialize(String topic, Headers headers, byte[] data) {
      Header watermark = headers == null ? null : headers.lastHeader(Watermark.HEADER);
      if (watermark != null) {
        Optional<Instant> time = Watermark.decode(watermark.value());
        return data != null || time.isEmpty()
            ? new Scan.Broken("invalid watermark", data)
            : new Scan.Mark(time.get().toEpochMilli());
      }
      if (data == null) {
        return new Scan.Broken("null value without a watermark header", null);
      }
      try {
        return new Scan.Event(events.deserialize(topic, data), data);
      } catch (SerializationException e) {
        return new Scan.Broken(e.getMessage(), data);
      }
    }
  }

  /** Event time from the decoded payload; anything else keeps the partition's time. */
  static final class EventTime implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
      long fallback = Math.max(0L, partitionTime >= 0 ? partitionTime : record.timestamp());
      if (record.value() instanceof Scan.Event event) {
        long observedAt = event.event().getObservedAt().toEpochMilli();
        return observedAt >= 0 ? observedAt : fallback;
      }
      if (record.value() instanceof Scan.Mark mark) {
        return mark.time() >= 0 ? mark.time() : fallback;
      }
      return fallback;
    }
  }

  /** The topology's checks of each event, counted instead of routed. */
  static final class Validator implements Processor<byte[], Scan, Void, Void> {
    private final int partitions;
    private final int maxEventBytes;
    private final Counts counts;
    private EventContract contract;
    private int partition;

    Validator(int partitions, int maxEventBytes, Counts counts) {
      this.partitions = partitions;
      this.maxEventBytes = maxEventBytes;
      this.counts = counts;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      this.contract = new EventContract(new ContextClock(context));
      this.partition = context.taskId().partition();
    }

    @Override
    public void process(Record<byte[], Scan> record) {
      Scan scan = record.value();
      if (scan != null
          && scan.raw() != null
          && EventContract.sizeProblem("record", scan.raw().length, maxEventBytes) != null) {
        counts.rejected.increment();
      } else if (scan instanceof Scan.Event e) {
        (valid(record.key(), e.event()) ? counts.valid : counts.rejected).increment();
      } else if (scan instanceof Scan.Mark) {
        counts.watermarks.increment();
      } else {
        counts.rejected.increment();
      }
    }

    private boolean valid(byte[] key, ScanEvent raw) {
      if (!(contract.normalize(raw) instanceof Parsed.Valid valid)) {
        return false;
      }
      byte[] ip = valid.event().getIp().getBytes(StandardCharsets.UTF_8);
      return Arrays.equals(ip, key)
          && Utils.toPositive(Utils.murmur2(ip)) % partitions == partition;
    }
  }

  /** Validation's "now": the stream thread's wall clock, as the topology's. */
  private static final class ContextClock extends Clock {
    private final ProcessorContext<?, ?> context;

    ContextClock(ProcessorContext<?, ?> context) {
      this.context = context;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("validation always runs in UTC");
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
  }
}
