package dev.patchwatch.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;

/**
 * The reading half of the wire format, shared by the specific and generic serdes: finds the
 * writer's schema by the id in the header and resolves it against the reader's.
 *
 * <p>Bytes that are not a record this registry can decode always end as a {@link
 * WireFormatException}. A registry that cannot be reached or fails is not the record's fault, so
 * its exception goes through unchanged and the record can be retried.
 *
 * <p>Hand-written because the only readers of the Confluent framing are Confluent's deserializers,
 * which are not on Maven Central; Avro itself has no notion of a schema id.
 */
final class WireFormatReader<T> {

  private final SchemaRegistry registry;
  private final Function<Schema, DatumReader<T>> readers;
  private final ConcurrentMap<Integer, Reading<T>> readingById = new ConcurrentHashMap<>();

  /**
   * @param readers makes the datum reader for a writer schema (resolving it to the reader's own)
   */
  WireFormatReader(SchemaRegistry registry, Function<Schema, DatumReader<T>> readers) {
    this.registry = registry;
    this.readers = readers;
  }

  T read(byte[] bytes) {
    if (bytes.length < WireFormatWriter.HEADER_LENGTH || bytes[0] != WireFormatWriter.MAGIC) {
      throw new WireFormatException(
          WireFormatException.Kind.UNDECODABLE,
          bytes.length < WireFormatWriter.HEADER_LENGTH
              ? "only " + bytes.length + " bytes, shorter than the 5-byte wire-format header"
              : "magic byte is " + bytes[0] + ", not 0: not the Confluent wire format",
          null);
    }
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    Reading<T> reading = readingFor(id);
    int offset = WireFormatWriter.HEADER_LENGTH;
    int length = bytes.length - offset;
    try {
      // Avro (1.12) checks every length prefix and item count against the bytes that are really
      // there, so a corrupt prefix fails here instead of allocating what it claims.
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
      T record = reading.reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new WireFormatException(
            WireFormatException.Kind.UNDECODABLE,
            "trailing bytes after an Avro record of schema " + id,
            null);
      }
      return record;
    } catch (WireFormatException e) {
      throw e;
    } catch (IOException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
      // The errors too, as a last resort: garbage nested deep in a recursive schema, or a huge
      // count of an empty type, is a bad record, and the JVM is fine once its frames are gone.
      throw new WireFormatException(
          WireFormatException.Kind.UNDECODABLE,
          "cannot decode Avro with schema "
              + id
              + ": "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()),
          e);
    }
  }

  private Reading<T> readingFor(int id) {
    Reading<T> reading = readingById.get(id);
    if (reading != null) {
      return reading;
    }
    Schema writer;
    try {
      writer = registry.schemaById(id);
    } catch (SchemaNotFoundException e) {
      throw new WireFormatException(
          WireFormatException.Kind.UNKNOWN_SCHEMA, "schema id " + id + " is not registered", e);
    } catch (InvalidSchemaException e) {
      throw new WireFormatException(
          WireFormatException.Kind.UNKNOWN_SCHEMA,
          "schema id " + id + " is not a usable Avro schema: " + e.getMessage(),
          e);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
        throw new WireFormatException(
            WireFormatException.Kind.UNKNOWN_SCHEMA, "schema id " + id + " is not registered", e);
      }
      throw e;
    }
    reading = new Reading<>(writer, readers.apply(writer));
    Reading<T> previous = readingById.putIfAbsent(id, reading);
    return previous == null ? reading : previous;
  }

  private record Reading<T>(Schema writer, DatumReader<T> reader) {}
}
