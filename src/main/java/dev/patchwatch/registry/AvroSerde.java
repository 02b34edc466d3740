package dev.patchwatch.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Specific Avro records in the Confluent wire format: byte 0, the 4-byte big-endian schema id, then
 * Avro binary. Writers register their schema under {@code <topic>-key} or {@code <topic>-value}
 * (TopicNameStrategy); readers resolve the writer's schema, found by id, against their own.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  static final byte MAGIC = 0;
  static final int HEADER_LENGTH = 5;

  private final SchemaRegistry registry;
  private final Schema readerSchema;
  private final boolean isKey;
  private final ConcurrentMap<String, Integer> idBySubject = new ConcurrentHashMap<>();
  private final ConcurrentMap<Integer, SpecificDatumReader<T>> readerByWriterId =
      new ConcurrentHashMap<>();

  public AvroSerde(SchemaRegistry registry, Class<T> type, boolean isKey) {
    TrustedAvroPackages.trust(type.getPackageName());
    this.registry = registry;
    this.readerSchema = SpecificData.get().getSchema(type);
    this.isKey = isKey;
  }

  @Override
  public Serializer<T> serializer() {
    return this::serialize;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this::deserialize;
  }

  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    Schema schema = record.getSchema();
    String subject = topic + (isKey ? "-key" : "-value");
    int id = idBySubject.computeIfAbsent(subject, s -> registry.register(s, schema));
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    out.write(MAGIC);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      new SpecificDatumWriter<T>(schema).write(record, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot encode " + schema.getFullName() + ": " + e, e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes wire-format bytes.
   *
   * @throws WireFormatException for anything that is not a decodable record, never another
   *     exception
   */
  public T deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (bytes.length < HEADER_LENGTH || bytes[0] != MAGIC) {
      throw new WireFormatException(
          WireFormatException.Kind.UNDECODABLE,
          bytes.length < HEADER_LENGTH
              ? "only " + bytes.length + " bytes, shorter than the 5-byte wire-format header"
              : "magic byte is " + bytes[0] + ", not 0: not the Confluent wire format",
          null);
    }
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    SpecificDatumReader<T> reader = readerFor(id);
    try {
      BinaryDecoder decoder =
          DecoderFactory.get()
              .binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null);
      T record = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new WireFormatException(
            WireFormatException.Kind.UNDECODABLE,
            "trailing bytes after an Avro record of schema " + id,
            null);
      }
      return record;
    } catch (WireFormatException e) {
      throw e;
    } catch (IOException | RuntimeException | OutOfMemoryError e) {
      // A corrupt length prefix can make Avro try a huge allocation: that record is undecodable,
      // the JVM is fine.
      throw new WireFormatException(
          WireFormatException.Kind.UNDECODABLE,
          "cannot decode Avro with schema " + id + ": " + e.getClass().getSimpleName(),
          e);
    }
  }

  private SpecificDatumReader<T> readerFor(int id) {
    SpecificDatumReader<T> reader = readerByWriterId.get(id);
    if (reader != null) {
      return reader;
    }
    Schema writer;
    try {
      writer = registry.schemaById(id);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
        throw new WireFormatException(
            WireFormatException.Kind.UNKNOWN_SCHEMA, "schema id " + id + " is not registered", e);
      }
      throw e;
    }
    reader = new SpecificDatumReader<>(writer, readerSchema);
    readerByWriterId.putIfAbsent(id, reader);
    return reader;
  }
}
