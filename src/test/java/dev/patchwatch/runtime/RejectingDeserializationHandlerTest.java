package dev.patchwatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.registry.RegistryUnreachableException;
import dev.patchwatch.registry.SchemaNotFoundException;
import dev.patchwatch.registry.SchemaRegistryException;
import dev.patchwatch.registry.WireFormatException;
import dev.patchwatch.topology.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Response;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Result;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class RejectingDeserializationHandlerTest {

  private static final Instant NOW = Instant.parse("2026-11-30T09:30:00Z");

  private final Topics topics = Topics.create("pw", "pw", new InMemorySchemaRegistry());
  private final RejectingDeserializationHandler handler =
      new RejectingDeserializationHandler(Clock.fixed(NOW, ZoneOffset.UTC));

  private final ConsumerRecord<byte[], byte[]> record =
      new ConsumerRecord<>(
          "pw-partials-repartition",
          2,
          41L,
          "k".getBytes(StandardCharsets.UTF_8),
          "junk".getBytes(StandardCharsets.UTF_8));

  RejectingDeserializationHandlerTest() {
    handler.configure(RejectingDeserializationHandler.configs(topics));
  }

  @Test
  void shouldRejectAnUndecodableRecordAndResume() {
    Response response =
        handler.handleError(
            context(new TaskId(1, 2)), record, new SerializationException("bad bytes"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> out = response.deadLetterQueueRecords().get(0);
    assertThat(out.topic()).isEqualTo("pw.rejected");
    assertThat(out.key()).isEqualTo(record.key());
    Rejected rejected =
        topics.rejected().valueSerde().deserializer().deserialize(out.topic(), out.value());
    assertThat(rejected.getReason()).isEqualTo(RejectReason.UNDECODABLE);
    assertThat(rejected.getOriginal()).isEqualTo(ByteBuffer.wrap(record.value()));
    assertThat(rejected.getOrigin().getTopic()).isEqualTo("pw-partials-repartition");
    assertThat(rejected.getOrigin().getPartition()).isEqualTo(2);
    assertThat(rejected.getOrigin().getOffset()).isEqualTo(41L);
    assertThat(rejected.getMessage()).contains("bad bytes");
    assertThat(rejected.getRejectedAt()).isEqualTo(NOW);
  }

  @Test
  void shouldFailSoTheRecordIsRetriedWhenTheRegistryCannotBeReached() {
    Response response =
        handler.handleError(
            context(new TaskId(1, 2)),
            record,
            new SerializationException(
                "decoding", new RegistryUnreachableException("connection refused", null)));

    assertThat(response.result()).isEqualTo(Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void shouldRejectARecordWhoseSchemaTheRegistryDoesNotKnow() {
    Response response =
        handler.handleError(
            context(new TaskId(1, 2)),
            record,
            new WireFormatException(
                WireFormatException.Kind.UNKNOWN_SCHEMA,
                "schema id 7 is not registered",
                new SchemaNotFoundException(
                    SchemaRegistryException.SCHEMA_NOT_FOUND, "not found")));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
  }

  @Test
  void shouldSkipARecordOfAGlobalStoreWhichCannotWriteRejections() {
    Response response =
        handler.handleError(
            context(new TaskId(-1, -1)), record, new SerializationException("bad bytes"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  private ErrorHandlerContext context(TaskId task) {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return record.topic();
      }

      @Override
      public int partition() {
        return record.partition();
      }

      @Override
      public long offset() {
        return record.offset();
      }

      @Override
      public Headers headers() {
        return new RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return "source";
      }

      @Override
      public TaskId taskId() {
        return task;
      }

      @Override
      public long timestamp() {
        return record.timestamp();
      }

      @Override
      public byte[] sourceRawKey() {
        return record.key();
      }

      @Override
      public byte[] sourceRawValue() {
        return record.value();
      }
    };
  }
}
