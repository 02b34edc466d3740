package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class GenericAvroSerdeTest {

  /** v1 of a host record. */
  static final Schema V1 =
      SchemaBuilder.record("Host").namespace("test").fields().requiredString("ip").endRecord();

  /** v2 adds an optional field: BACKWARD and FORWARD compatible with v1. */
  static final Schema V2 =
      SchemaBuilder.record("Host")
          .namespace("test")
          .fields()
          .requiredString("ip")
          .optionalString("owner")
          .endRecord();

  /** Adds a required field without a default: not BACKWARD compatible with v1. */
  static final Schema REQUIRED_ADDED =
      SchemaBuilder.record("Host")
          .namespace("test")
          .fields()
          .requiredString("ip")
          .requiredString("owner")
          .endRecord();

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  private static GenericRecord host(Schema schema, String ip, String owner) {
    GenericRecord record = new GenericData.Record(schema);
    record.put("ip", ip);
    if (owner != null) {
      record.put("owner", owner);
    }
    return record;
  }

  private GenericAvroSerde readerOn(Schema schema) {
    return new GenericAvroSerde(registry, false, AvroSerdeConfig.DEFAULT, Optional.of(schema));
  }

  @Test
  void shouldReadEachRecordInItsWritersSchemaByDefault() {
    GenericAvroSerde serde = new GenericAvroSerde(registry, false);
    byte[] v1 = serde.serialize("hosts", host(V1, "192.0.2.1", null));
    byte[] v2 = serde.serialize("hosts", host(V2, "192.0.2.2", "ops"));

    GenericRecord first = serde.deserialize("hosts", v1);
    GenericRecord second = serde.deserialize("hosts", v2);

    assertThat(first.getSchema()).isEqualTo(V1);
    assertThat(second.getSchema()).isEqualTo(V2);
    assertThat(second.get("owner").toString()).isEqualTo("ops");
    assertThat(registry.versions("hosts-value")).containsExactly(1, 2);
  }

  @Test
  void shouldLetAReaderOnV1ReadRecordsWrittenWithV2() {
    registry.register("hosts-value", V1);
    byte[] bytes =
        new GenericAvroSerde(registry, false).serialize("hosts", host(V2, "192.0.2.2", "ops"));

    GenericRecord read = readerOn(V1).deserialize("hosts", bytes);

    assertThat(read.getSchema()).isEqualTo(V1);
    assertThat(read.get("ip").toString()).isEqualTo("192.0.2.2");
    assertThat(read.hasField("owner")).isFalse();
  }

  @Test
  void shouldLetAReaderOnV2ReadRecordsWrittenWithV1() {
    byte[] bytes =
        new GenericAvroSerde(registry, false).serialize("hosts", host(V1, "192.0.2.1", null));
    registry.register("hosts-value", V2);

    GenericRecord read = readerOn(V2).deserialize("hosts", bytes);

    assertThat(read.getSchema()).isEqualTo(V2);
    assertThat(read.get("ip").toString()).isEqualTo("192.0.2.1");
    assertThat(read.get("owner")).isNull();
  }

  @Test
  void shouldCallAnIncompatibleReaderSchemaUndecodable() {
    Schema other =
        SchemaBuilder.record("Host").namespace("test").fields().requiredLong("ip").endRecord();
    byte[] bytes =
        new GenericAvroSerde(registry, false).serialize("hosts", host(V1, "192.0.2.1", null));

    assertThatThrownBy(() -> readerOn(other).deserialize("hosts", bytes))
        .isInstanceOf(WireFormatException.class)
        .satisfies(
            e ->
                assertThat(((WireFormatException) e).kind())
                    .isEqualTo(WireFormatException.Kind.UNDECODABLE));
  }

  @Test
  void shouldNameSubjectsByRecordForRecordNameStrategies() {
    new GenericAvroSerde(
            registry,
            false,
            AvroSerdeConfig.DEFAULT.withSubjectNameStrategy(SubjectNameStrategy.RECORD_NAME),
            Optional.empty())
        .serialize("hosts", host(V1, "192.0.2.1", null));
    new GenericAvroSerde(
            registry,
            true,
            AvroSerdeConfig.DEFAULT.withSubjectNameStrategy(SubjectNameStrategy.TOPIC_RECORD_NAME),
            Optional.empty())
        .serialize("hosts", host(V1, "192.0.2.1", null));

    assertThat(registry.subjects()).containsExactly("hosts-test.Host", "test.Host");
  }

  @Test
  void shouldLookUpInsteadOfRegisteringWhenAutoRegisterIsOff() {
    int id = registry.register("hosts-value", V2);
    GenericAvroSerde serde =
        new GenericAvroSerde(
            registry, false, AvroSerdeConfig.DEFAULT.withAutoRegister(false), Optional.empty());

    byte[] bytes = serde.serialize("hosts", host(V2, "192.0.2.2", "ops"));

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    assertThatThrownBy(() -> serde.serialize("hosts", host(V1, "192.0.2.1", null)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not registered");
    assertThat(registry.versions("hosts-value")).containsExactly(1);
  }

  @Test
  void shouldConvertToTheLatestVersionWhenAsked() {
    registry.register("hosts-value", V1);
    int latest = registry.register("hosts-value", V2);
    GenericAvroSerde serde =
        new GenericAvroSerde(
            registry, false, AvroSerdeConfig.DEFAULT.withUseLatestVersion(true), Optional.empty());

    byte[] bytes = serde.serialize("hosts", host(V1, "192.0.2.1", null));

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latest);
    GenericRecord read = serde.deserialize("hosts", bytes);
    assertThat(read.getSchema()).isEqualTo(V2);
    assertThat(read.get("ip").toString()).isEqualTo("192.0.2.1");
  }

  @Test
  void shouldRefuseAReaderSchemaThatIsNotARecord() {
    assertThatThrownBy(
            () ->
                new GenericAvroSerde(
                    registry,
                    false,
                    AvroSerdeConfig.DEFAULT,
                    Optional.of(Schema.create(Schema.Type.STRING))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
