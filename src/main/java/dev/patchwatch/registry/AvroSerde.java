package dev.patchwatch.registry;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Specific (generated) Avro records in the Confluent wire format: byte 0, the 4-byte big-endian
 * schema id, then Avro binary. Writers register or look up their schema as the {@link
 * AvroSerdeConfig} says (by default auto-registered under {@code <topic>-key} or {@code
 * <topic>-value}); readers resolve the writer's schema, found by id, against the generated class's,
 * so records written with an older or newer compatible schema read fine.
 *
 * <p>Undecodable bytes throw a {@link WireFormatException}, never anything else; a registry that
 * cannot be reached throws its {@link SchemaRegistryException}.
 *
 * <p>Hand-written because Confluent's {@code KafkaAvroSerializer} is not on Maven Central and
 * Apicurio's serdes talk to Apicurio's own API, not to any registry with the Confluent one.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final Schema readerSchema;
  private final WireFormatWriter writer;
  private final WireFormatReader<T> reader;

  /** With {@link AvroSerdeConfig#DEFAULT}: TopicName strategy, auto-registration on. */
  public AvroSerde(SchemaRegistry registry, Class<T> type, boolean isKey) {
    this(registry, type, isKey, AvroSerdeConfig.DEFAULT);
  }

  public AvroSerde(SchemaRegistry registry, Class<T> type, boolean isKey, AvroSerdeConfig config) {
    TrustedAvroPackages.trust(type.getPackageName());
    this.readerSchema = SpecificData.get().getSchema(type);
    this.writer =
        new WireFormatWriter(
            registry, isKey, config, schema -> new SpecificDatumWriter<Object>(schema));
    this.reader =
        new WireFormatReader<>(
            registry, writerSchema -> new SpecificDatumReader<>(writerSchema, readerSchema));
  }

  /** The generated class's schema, which records are read into. */
  public Schema schema() {
    return readerSchema;
  }

  @Override
  public Serializer<T> serializer() {
    return this::serialize;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this::deserialize;
  }

  /**
   * Encodes a record for {@code topic}.
   *
   * @throws org.apache.kafka.common.errors.SerializationException when its schema is refused by the
   *     registry, not registered (auto-registration off) or does not fit the latest version
   * @throws SchemaRegistryException when the registry cannot be reached or fails
   */
  public byte[] serialize(String topic, T record) {
    return record == null ? null : writer.write(topic, record, record.getSchema());
  }

  /**
   * Decodes wire-format bytes.
   *
   * @throws WireFormatException for anything that is not a decodable record, never another
   *     exception
   * @throws SchemaRegistryException when the registry cannot be reached or fails: the bytes may be
   *     fine
   */
  public T deserialize(String topic, byte[] bytes) {
    return bytes == null ? null : reader.read(bytes);
  }
}
