package dev.patchwatch.runtime;

import dev.patchwatch.avro.Origin;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.registry.SchemaRegistryException;
import dev.patchwatch.registry.WireFormatException;
import dev.patchwatch.topology.Topics;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Kafka Streams does with a record its deserializers throw on. The scans deserializer turns
 * bad bytes into rejections itself; this catches whatever escapes it and every other input (the
 * partials repartition topic, the progress topic), so no record can stop a task for good: it goes
 * to the rejected topic as {@code UNDECODABLE}, in the task's transaction. A failing registry is
 * not the record's fault: the thread fails and its replacement retries the record.
 */
public final class RejectingDeserializationHandler implements DeserializationExceptionHandler {

  static final String REJECTED_TOPIC = "patchwatch.rejected.topic";
  static final String REJECTED_SERIALIZER = "patchwatch.rejected.serializer";

  private static final Logger LOG = LoggerFactory.getLogger(RejectingDeserializationHandler.class);

  private final Clock clock;
  private String rejectedTopic;
  private Serializer<Rejected> serializer;

  public RejectingDeserializationHandler() {
    this(Clock.systemUTC());
  }

  RejectingDeserializationHandler(Clock clock) {
    this.clock = clock;
  }

  /** The configs that hand this handler the rejected topic and its serializer. */
  public static Map<String, Object> configs(Topics topics) {
    return Map.of(
        REJECTED_TOPIC,
        topics.rejected().name(),
        REJECTED_SERIALIZER,
        topics.rejected().valueSerde().serializer());
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs) {
    rejectedTopic = (String) configs.get(REJECTED_TOPIC);
    serializer = (Serializer<Rejected>) configs.get(REJECTED_SERIALIZER);
    if (rejectedTopic == null || serializer == null) {
      throw new IllegalArgumentException(
          "the deserialization handler needs " + REJECTED_TOPIC + " and " + REJECTED_SERIALIZER);
    }
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (causedByRegistry(exception)) {
      return Response.fail();
    }
    // A global store's updater (task -1_-1) cannot write records; its topic holds progress
    // announcements, and the next one replaces a skipped record.
    if (context.taskId() == null || context.taskId().subtopology() < 0) {
      LOG.warn(
          "skipped an undecodable record of {} partition {} offset {}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          exception.toString());
      return Response.resume();
    }
    return Response.resume(List.of(rejection(record, exception)));
  }

  private ProducerRecord<byte[], byte[]> rejection(
      ConsumerRecord<byte[], byte[]> record, Exception exception) {
    byte[] value = record.value();
    String message =
        "could not decode a record of "
            + record.topic()
            + ": "
            + exception
            + (value != null && value.length > EventContract.KEPT_BYTES
                ? " (" + value.length + " bytes, the first " + EventContract.KEPT_BYTES + " kept)"
                : "");
    Rejected rejected =
        Rejected.newBuilder()
            .setReason(RejectReason.UNDECODABLE)
            .setMessage(message)
            .setKey(record.key() == null ? null : ByteBuffer.wrap(keep(record.key())))
            .setOriginal(value == null ? null : ByteBuffer.wrap(keep(value)))
            .setOrigin(
                Origin.newBuilder()
                    .setTopic(record.topic())
                    .setPartition(record.partition())
                    .setOffset(record.offset())
                    .build())
            .setRejectedAt(clock.instant())
            .build();
    return new ProducerRecord<>(
        rejectedTopic,
        null,
        clock.millis(),
        keep(record.key()),
        serializer.serialize(rejectedTopic, rejected));
  }

  private static byte[] keep(byte[] bytes) {
    return bytes == null ? null : EventContract.head(bytes);
  }

  /** A registry error, unless the wire-format reader already judged it the record's fault. */
  private static boolean causedByRegistry(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof WireFormatException) {
        return false;
      }
      if (t instanceof SchemaRegistryException) {
        return true;
      }
    }
    return false;
  }
}
