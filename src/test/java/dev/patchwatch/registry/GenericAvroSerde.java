package dev.patchwatch.registry;

import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Generic Avro records in the Confluent wire format, for tests that write or read records without a
 * generated class (older and newer schema versions, foreign producers); no main code needs it, so
 * it lives in test scope. Writers behave as {@link AvroSerde}'s. Readers return records in the
 * writer's schema, or, given a reader schema, resolved to it (a consumer on v1 reads records
 * written with v2). Strings come back as Avro's {@code Utf8}, as from any generic reader.
 */
public final class GenericAvroSerde implements Serde<GenericRecord> {

  private final Optional<Schema> readerSchema;
  private final WireFormatWriter writer;
  private final WireFormatReader<Object> reader;

  /**
   * With {@link AvroSerdeConfig#DEFAULT}; records are read in the schema they were written with.
   */
  public GenericAvroSerde(SchemaRegistry registry, boolean isKey) {
    this(registry, isKey, AvroSerdeConfig.DEFAULT, Optional.empty());
  }

  /**
   * @param readerSchema the schema records are read into; empty to read each in its writer's
   */
  public GenericAvroSerde(
      SchemaRegistry registry,
      boolean isKey,
      AvroSerdeConfig config,
      Optional<Schema> readerSchema) {
    readerSchema.ifPresent(
        schema -> {
          if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(
                "the reader schema must be a record, not " + schema.getType());
          }
        });
    this.readerSchema = readerSchema;
    this.writer =
        new WireFormatWriter(registry, isKey, config, schema -> new GenericDatumWriter<>(schema));
    this.reader =
        new WireFormatReader<>(
            registry,
            writerSchema ->
                new GenericDatumReader<Object>(writerSchema, readerSchema.orElse(writerSchema)));
  }

  /** The schema records are read into, if one was given. */
  public Optional<Schema> readerSchema() {
    return readerSchema;
  }

  @Override
  public Serializer<GenericRecord> serializer() {
    return this::serialize;
  }

  @Override
  public Deserializer<GenericRecord> deserializer() {
    return this::deserialize;
  }

  /** As {@link AvroSerde#serialize}. */
  public byte[] serialize(String topic, GenericRecord record) {
    return record == null ? null : writer.write(topic, record, record.getSchema());
  }

  /**
   * As {@link AvroSerde#deserialize}; bytes whose schema is not a record are undecodable too.
   *
   * @throws WireFormatException for anything that is not a decodable record
   */
  public GenericRecord deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    Object record = reader.read(bytes);
    if (!(record instanceof GenericRecord)) {
      throw new WireFormatException(
          WireFormatException.Kind.UNDECODABLE,
          "the schema of these bytes is not a record schema",
          null);
    }
    return (GenericRecord) record;
  }
}
