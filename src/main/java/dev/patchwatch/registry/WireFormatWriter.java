package dev.patchwatch.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The writing half of the wire format, shared by the specific and generic serdes: picks the
 * subject, the writer schema and its id as the {@link AvroSerdeConfig} says, once per topic and
 * record schema, and frames the Avro binary behind the magic byte and the id.
 *
 * <p>A schema the registry refuses, or one that is not registered while auto-registration is off,
 * becomes a {@link SerializationException}: that record cannot be written. A registry that cannot
 * be reached or fails is not the record's fault, so its exception goes through unchanged and a
 * production-exception handler can never mistake it for a bad record and drop it.
 *
 * <p>Hand-written because the only writers of the Confluent framing are Confluent's serializers,
 * which are not on Maven Central; Avro itself has no notion of a schema id.
 */
final class WireFormatWriter {

  static final byte MAGIC = 0;
  static final int HEADER_LENGTH = 5;

  private final SchemaRegistry registry;
  private final boolean isKey;
  private final AvroSerdeConfig config;
  private final Function<Schema, DatumWriter<Object>> writers;
  private final ConcurrentMap<String, Map<Schema, Target>> targetsByTopic =
      new ConcurrentHashMap<>();

  /**
   * @param writers makes the datum writer for a record's own schema (specific or generic data)
   */
  WireFormatWriter(
      SchemaRegistry registry,
      boolean isKey,
      AvroSerdeConfig config,
      Function<Schema, DatumWriter<Object>> writers) {
    this.registry = registry;
    this.isKey = isKey;
    this.config = config;
    this.writers = writers;
  }

  byte[] write(String topic, Object record, Schema schema) {
    // Keyed by the schema object: generated classes and most generic producers share one
    // instance, and Schema caches its hash, so the common case costs no schema serialization.
    Target target =
        targetsByTopic
            .computeIfAbsent(topic, t -> new ConcurrentHashMap<>())
            .computeIfAbsent(schema, s -> target(topic, s));
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    out.write(MAGIC);
    out.write(target.id >>> 24);
    out.write(target.id >>> 16);
    out.write(target.id >>> 8);
    out.write(target.id);
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      if (target.projection == null) {
        target.writer.write(record, encoder);
      } else {
        // Avro's own schema resolution converts the record to the writer schema: encode it with
        // its schema, read it back as the writer schema, write that.
        ByteArrayOutputStream own = new ByteArrayOutputStream(128);
        BinaryEncoder ownEncoder = EncoderFactory.get().directBinaryEncoder(own, null);
        target.ownWriter.write(record, ownEncoder);
        ownEncoder.flush();
        Object converted =
            target.projection.read(
                null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null));
        target.writer.write(converted, encoder);
      }
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot encode a " + schema.getFullName() + " record for topic " + topic + ": " + e, e);
    }
    return out.toByteArray();
  }

  private Target target(String topic, Schema schema) {
    String subject = config.subjectNameStrategy().subject(topic, isKey, schema);
    try {
      if (config.useLatestVersion()) {
        return latest(subject, schema);
      }
      int id;
      if (config.autoRegister()) {
        id = registry.register(subject, schema);
      } else {
        id =
            registry
                .lookup(subject, schema)
                .orElseThrow(
                    () ->
                        new SerializationException(
                            "schema "
                                + schema.getFullName()
                                + " is not registered under subject "
                                + subject
                                + " and auto-registration is off: register it first"))
                .id();
      }
      return new Target(id, writers.apply(schema), null, null);
    } catch (IncompatibleSchemaException | InvalidSchemaException e) {
      throw new SerializationException(
          "the schema registry refused schema "
              + schema.getFullName()
              + " for subject "
              + subject
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private Target latest(String subject, Schema schema) {
    SubjectSchema latest;
    try {
      latest = registry.latest(subject);
    } catch (SubjectNotFoundException | VersionNotFoundException e) {
      throw new SerializationException(
          "use-latest-version is on but subject " + subject + " has no registered version", e);
    }
    // The registered form lacks the Java-only properties of a generated class's schema.
    if (PortableSchema.same(latest.schema(), schema)) {
      return new Target(latest.id(), writers.apply(schema), null, null);
    }
    var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(), schema);
    if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
      throw new SerializationException(
          "a "
              + schema.getFullName()
              + " record cannot be written with the latest schema of subject "
              + subject
              + " (version "
              + latest.version()
              + ", id "
              + latest.id()
              + "): "
              + compatibility.getDescription());
    }
    return new Target(
        latest.id(),
        new GenericDatumWriter<>(latest.schema()),
        writers.apply(schema),
        new GenericDatumReader<>(schema, latest.schema()));
  }

  /**
   * Where records of one schema go: the id in the header and the writer for that id's schema; when
   * that is not the record's own schema, how to convert the record to it.
   */
  private record Target(
      int id,
      DatumWriter<Object> writer,
      DatumWriter<Object> ownWriter,
      GenericDatumReader<Object> projection) {}
}
