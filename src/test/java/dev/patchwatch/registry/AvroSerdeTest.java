package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private static final String TOPIC = "patchwatch.scans";

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  static ScanEvent event() {
    return ScanEvent.newBuilder()
        .setScanner("shadowserver")
        .setObservedAt(Instant.parse("2021-03-09T12:00:00Z"))
        .setIp("192.0.2.7")
        .setVulnerability("CVE-2021-26855")
        .setStatus(ScanStatus.VULNERABLE)
        .setCountry("FR")
        .setAsn(16276)
        .setHostname("mail.example.fr")
        .setAttributes(Map.of("banner", "Exchange 2016"))
        .build();
  }

  @Test
  void shouldRoundTripInTheConfluentWireFormat() {
    AvroSerde<ScanEvent> serde = new AvroSerde<>(registry, ScanEvent.class, false);

    byte[] bytes = serde.serializer().serialize(TOPIC, event());

    assertThat(bytes[0]).isEqualTo((byte) 0);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    assertThat(registry.schemaById(id)).isEqualTo(ScanEvent.getClassSchema());
    assertThat(registry.subjects()).containsExactly("patchwatch.scans-value");
    assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(event());
  }

  @Test
  void shouldWriteWithTheLatestVersionWhenItIsTheClassSchemaWithoutJavaProperties() {
    // what a registry holds once PatchWatch (or a client in another language) registered it
    int registered =
        registry.register("patchwatch.scans-value", PortableSchema.of(ScanEvent.getClassSchema()));
    AvroSerde<ScanEvent> serde =
        new AvroSerde<>(
            registry,
            ScanEvent.class,
            false,
            AvroSerdeConfig.DEFAULT.withAutoRegister(false).withUseLatestVersion(true));

    byte[] bytes = serde.serializer().serialize(TOPIC, event());

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registered);
    assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(event());
    assertThat(registry.versions("patchwatch.scans-value")).containsExactly(1);
  }

  @Test
  void shouldPassNullThrough() {
    AvroSerde<ScanEvent> serde = new AvroSerde<>(registry, ScanEvent.class, true);

    assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
    assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    assertThat(registry.subjects()).isEmpty();
  }

  @Test
  void shouldNameSubjectsByEachStrategy() {
    for (SubjectNameStrategy strategy : SubjectNameStrategy.values()) {
      new AvroSerde<>(
              registry,
              ScanEvent.class,
              true,
              AvroSerdeConfig.DEFAULT.withSubjectNameStrategy(strategy))
          .serialize("t", event());
    }

    assertThat(registry.subjects())
        .containsExactlyInAnyOrder(
            "t-key", "dev.patchwatch.avro.ScanEvent", "t-dev.patchwatch.avro.ScanEvent");
  }

  @Test
  void shouldRefuseToWriteAnUnregisteredSchemaWhenAutoRegisterIsOff() {
    AvroSerde<ScanEvent> serde =
        new AvroSerde<>(
            registry, ScanEvent.class, false, AvroSerdeConfig.DEFAULT.withAutoRegister(false));

    assertThatThrownBy(() -> serde.serialize(TOPIC, event()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not registered under subject patchwatch.scans-value")
        .hasMessageContaining("auto-registration is off");
    assertThat(registry.subjects()).isEmpty();
  }

  @Test
  void shouldWriteWithTheRegisteredIdWhenAutoRegisterIsOff() {
    registry.register("other-value", GenericAvroSerdeTest.V1);
    int id = registry.register(TOPIC + "-value", ScanEvent.getClassSchema());
    AvroSerde<ScanEvent> serde =
        new AvroSerde<>(
            registry, ScanEvent.class, false, AvroSerdeConfig.DEFAULT.withAutoRegister(false));

    byte[] bytes = serde.serialize(TOPIC, event());

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id).isEqualTo(2);
    assertThat(serde.deserialize(TOPIC, bytes)).isEqualTo(event());
    assertThat(registry.versions(TOPIC + "-value")).containsExactly(1);
  }

  @Test
  void shouldTurnARefusedRegistrationIntoASerializationException() {
    Schema renamed =
        new Schema.Parser()
            .parse(ScanEvent.getClassSchema().toString().replace("\"ScanEvent\"", "\"Renamed\""));
    registry.register(TOPIC + "-value", renamed);
    AvroSerde<ScanEvent> serde = new AvroSerde<>(registry, ScanEvent.class, false);

    assertThatThrownBy(() -> serde.serialize(TOPIC, event()))
        .isInstanceOf(SerializationException.class)
        .hasCauseInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("NAME_MISMATCH");
  }

  @Test
  void shouldReadARecordWrittenWithANewerSchemaThatAddsAnOptionalField() {
    Schema newer = withExtraField(ScanEvent.getClassSchema());
    GenericRecord written = new GenericData.Record(newer);
    GenericRecord fromEvent = toGeneric(event());
    for (Schema.Field field : ScanEvent.getClassSchema().getFields()) {
      written.put(field.name(), fromEvent.get(field.name()));
    }
    written.put("sensor", "edge-7");
    byte[] bytes = new GenericAvroSerde(registry, false).serialize(TOPIC, written);

    ScanEvent read = new AvroSerde<>(registry, ScanEvent.class, false).deserialize(TOPIC, bytes);

    assertThat(registry.versions(TOPIC + "-value")).containsExactly(1);
    assertThat(read).isEqualTo(event());
  }

  @Test
  void shouldReadARecordWrittenWithAnOlderSchemaThatLacksAnOptionalField() {
    Schema older = withoutField(ScanEvent.getClassSchema(), "hostname");
    GenericRecord fromEvent = toGeneric(event());
    GenericRecord written = new GenericData.Record(older);
    for (Schema.Field field : older.getFields()) {
      written.put(field.name(), fromEvent.get(field.name()));
    }
    byte[] bytes = new GenericAvroSerde(registry, false).serialize(TOPIC, written);
    AvroSerde<ScanEvent> serde = new AvroSerde<>(registry, ScanEvent.class, false);

    ScanEvent read = serde.deserialize(TOPIC, bytes);

    assertThat(read.getHostname()).isNull();
    assertThat(read).isEqualTo(ScanEvent.newBuilder(event()).setHostname(null).build());
    // and the current schema is a compatible next version of that subject
    serde.serialize(TOPIC, event());
    assertThat(registry.versions(TOPIC + "-value")).containsExactly(1, 2);
  }

  @Test
  void shouldWriteWithTheLatestVersionWhenAsked() {
    Schema newer = withExtraField(ScanEvent.getClassSchema());
    registry.register(TOPIC + "-value", ScanEvent.getClassSchema());
    int latestId = registry.register(TOPIC + "-value", newer);
    AvroSerde<ScanEvent> serde =
        new AvroSerde<>(
            registry, ScanEvent.class, false, AvroSerdeConfig.DEFAULT.withUseLatestVersion(true));

    byte[] bytes = serde.serialize(TOPIC, event());

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latestId);
    GenericRecord asWritten = new GenericAvroSerde(registry, false).deserialize(TOPIC, bytes);
    assertThat(asWritten.getSchema()).isEqualTo(newer);
    assertThat(asWritten.get("sensor")).isNull();
    assertThat(asWritten.get("ip").toString()).isEqualTo("192.0.2.7");
    assertThat(serde.deserialize(TOPIC, bytes)).isEqualTo(event());
  }

  @Test
  void shouldRefuseALatestVersionThatCannotHoldTheRecord() {
    Schema stricter =
        new Schema.Parser()
            .parse(
                ScanEvent.getClassSchema()
                    .toString()
                    .replace(
                        "\"fields\":[", "\"fields\":[{\"name\":\"sensor\",\"type\":\"string\"},"));
    registry.setCompatibility(CompatibilityLevel.NONE);
    registry.register(TOPIC + "-value", ScanEvent.getClassSchema());
    registry.register(TOPIC + "-value", stricter);
    AvroSerde<ScanEvent> serde =
        new AvroSerde<>(
            registry, ScanEvent.class, false, AvroSerdeConfig.DEFAULT.withUseLatestVersion(true));

    assertThatThrownBy(() -> serde.serialize(TOPIC, event()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("latest schema of subject patchwatch.scans-value (version 2");
  }

  @Test
  void shouldRefuseLatestVersionWithAutoRegister() {
    assertThatThrownBy(() -> new AvroSerdeConfig(SubjectNameStrategy.TOPIC_NAME, true, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(AvroSerdeConfig.DEFAULT.withUseLatestVersion(true).autoRegister()).isFalse();
  }

  /** The event as a generic record, through the wire format (Avro has no direct conversion). */
  static GenericRecord toGeneric(ScanEvent event) {
    InMemorySchemaRegistry scratch = new InMemorySchemaRegistry();
    byte[] bytes = new AvroSerde<>(scratch, ScanEvent.class, false).serialize("x", event);
    return new GenericAvroSerde(scratch, false).deserialize("x", bytes);
  }

  static Schema withExtraField(Schema schema) {
    return new Schema.Parser()
        .parse(
            schema
                .toString()
                .replace(
                    "\"fields\":[",
                    "\"fields\":[{\"name\":\"sensor\",\"type\":[\"null\",\"string\"],\"default\":null},"));
  }

  static Schema withoutField(Schema schema, String name) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      if (!field.name().equals(name)) {
        fields.add(new Schema.Field(field, field.schema()));
      }
    }
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }
}
