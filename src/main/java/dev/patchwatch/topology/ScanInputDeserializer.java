package dev.patchwatch.topology;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.Watermark;
import dev.patchwatch.registry.WireFormatException;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes a scans-topic value into a {@link ScanInput}. Bad bytes become {@link ScanInput.Broken}
 * rather than an exception, so one bad record is rejected and never stops a task; only a registry
 * that cannot be reached still throws, because that record is not bad and must be retried.
 */
final class ScanInputDeserializer implements Deserializer<ScanInput> {

  private final Deserializer<ScanEvent> events;

  ScanInputDeserializer(Deserializer<ScanEvent> events) {
    this.events = events;
  }

  @Override
  public ScanInput deserialize(String topic, byte[] data) {
    return deserialize(topic, null, data);
  }

  @Override
  public ScanInput deserialize(String topic, Headers headers, byte[] data) {
    Header watermark = headers == null ? null : headers.lastHeader(Watermark.HEADER);
    if (watermark != null) {
      Optional<Instant> time = Watermark.decode(watermark.value());
      if (data != null) {
        return new ScanInput.Broken(
            RejectReason.INVALID_WATERMARK, "a watermark record must have a null value", data);
      }
      if (time.isEmpty()) {
        return new ScanInput.Broken(
            RejectReason.INVALID_WATERMARK,
            "header " + Watermark.HEADER + " does not hold an ISO-8601 instant",
            null);
      }
      try {
        return new ScanInput.Watermark(time.get().toEpochMilli());
      } catch (ArithmeticException e) {
        return new ScanInput.Broken(
            RejectReason.INVALID_WATERMARK,
            "watermark " + time.get() + " is beyond what epoch milliseconds can hold",
            null);
      }
    }
    if (data == null) {
      return new ScanInput.Broken(
          RejectReason.UNDECODABLE, "null value without a " + Watermark.HEADER + " header", null);
    }
    try {
      return new ScanInput.Event(events.deserialize(topic, data), data);
    } catch (WireFormatException e) {
      RejectReason reason =
          e.kind() == WireFormatException.Kind.UNKNOWN_SCHEMA
              ? RejectReason.UNKNOWN_SCHEMA
              : RejectReason.UNDECODABLE;
      return new ScanInput.Broken(reason, e.getMessage(), data);
    } catch (SerializationException e) {
      return new ScanInput.Broken(RejectReason.UNDECODABLE, e.getMessage(), data);
    }
  }
}
