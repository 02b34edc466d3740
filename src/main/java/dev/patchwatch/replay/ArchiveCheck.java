package dev.patchwatch.replay;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.registry.TrustedAvroPackages;
import dev.patchwatch.scanner.format.CountingInputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Reads an archive whole before any of it is used, so a damaged one is refused before anything is
 * published (DESIGN 7.5). Two passes: the container's framing (header, then per block its record
 * count, size and sync marker), then every record decoded; and the record count the exporter writes
 * in the header, which is the only way to tell a file cut exactly between two blocks from a shorter
 * complete one.
 */
public final class ArchiveCheck {

  /** Header metadata: how many records follow, written by the exporter once it knows. */
  public static final String META_RECORDS = "patchwatch.records";

  private static final byte[] MAGIC = {'O', 'b', 'j', 1};
  private static final int SYNC_SIZE = 16;

  /**
   * A whole archive, read.
   *
   * @param records how many records it holds
   * @param declared whether its header declared that count (archives written before it did can only
   *     be checked block by block)
   */
  public record Verified(long records, boolean declared) {}

  private ArchiveCheck() {}

  /**
   * Reads all of {@code file}, an Avro object container file of records readable as ScanEvent.
   *
   * @throws DamagedArchiveException naming the record where reading failed
   * @throws IOException when the file's schema cannot be read as ScanEvent, or cannot be read
   */
  public static Verified verify(Path file) throws IOException {
    long size = Files.size(file);
    Framing framing;
    try (CountingInputStream in =
        new CountingInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      framing = frame(file, size, in);
    }
    long decoded = decode(file, framing);
    Optional<Long> declared = declaredRecords(file, framing.metadata);
    if (declared.isPresent() && declared.get() != decoded) {
      long declaredCount = declared.get();
      throw new DamagedArchiveException(
          file,
          Math.min(declaredCount, decoded) + 1,
          declaredCount > decoded
              ? String.format(
                  Locale.ROOT,
                  "its header declares %,d records but the file ends after %,d: it was cut"
                      + " between two blocks",
                  declaredCount,
                  decoded)
              : String.format(
                  Locale.ROOT,
                  "its header declares %,d records but it holds %,d",
                  declaredCount,
                  decoded));
    }
    return new Verified(decoded, declared.isPresent());
  }

  /** The header's metadata and the number of records its blocks announce. */
  private record Framing(Map<String, byte[]> metadata, long records) {}

  /**
   * Hand-written because Avro's own reader takes an end of file inside a block for the end of the
   * data (DataFileStream.hasNext catches the EOFException), which is how a truncated archive used
   * to import silently. Reads varints through a direct decoder so the stream's count is the
   * position.
   */
  private static Framing frame(Path file, long size, CountingInputStream in) throws IOException {
    BinaryDecoder decoder = DecoderFactory.get().directBinaryDecoder(in, null);
    Map<String, byte[]> metadata = metadata(file, size, in, decoder);
    byte[] sync = new byte[SYNC_SIZE];
    try {
      decoder.readFixed(sync);
    } catch (EOFException e) {
      throw new DamagedArchiveException(file, 1, "the file ends inside its header", e);
    }
    long records = 0;
    while (in.count() < size) {
      records += block(file, size, in, decoder, sync, records + 1);
    }
    return new Framing(metadata, records);
  }

  /** The header up to its sync marker: the magic bytes, then the metadata, which holds a schema. */
  private static Map<String, byte[]> metadata(
      Path file, long size, CountingInputStream in, BinaryDecoder decoder) throws IOException {
    Map<String, byte[]> metadata = new HashMap<>();
    try {
      byte[] magic = new byte[MAGIC.length];
      decoder.readFixed(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new DamagedArchiveException(
            file, 1, "its header does not start with the Avro magic bytes 'Obj' 1");
      }
      for (long n = decoder.readMapStart(); n != 0; n = decoder.mapNext()) {
        for (long i = 0; i < n; i++) {
          String key = new String(bytes(file, size, in, decoder), StandardCharsets.UTF_8);
          metadata.put(key, bytes(file, size, in, decoder));
        }
      }
      if (!metadata.containsKey("avro.schema")) {
        throw new DamagedArchiveException(file, 1, "its header holds no avro.schema");
      }
    } catch (EOFException e) {
      throw new DamagedArchiveException(file, 1, "the file ends inside its header", e);
    } catch (AvroRuntimeException e) {
      throw new DamagedArchiveException(file, 1, "its header is garbled: " + e.getMessage(), e);
    }
    return metadata;
  }

  /**
   * Checks the framing of the next block, skipping its data, and returns its record count.
   *
   * @param first the number of the block's first record
   */
  private static long block(
      Path file, long size, CountingInputStream in, BinaryDecoder decoder, byte[] sync, long first)
      throws IOException {
    long count;
    long blockSize;
    try {
      count = decoder.readLong();
      blockSize = decoder.readLong();
    } catch (EOFException e) {
      throw new DamagedArchiveException(
          file, first, "the file ends inside the header of the next block", e);
    } catch (AvroRuntimeException e) {
      throw new DamagedArchiveException(
          file, first, "the header of the next block is garbled: " + e.getMessage(), e);
    }
    // Avro's reader stops at a block of 0 records, so one would hide every block after it
    if (count < 1 || blockSize < 0 || blockSize > Integer.MAX_VALUE) {
      throw new DamagedArchiveException(
          file,
          first,
          String.format(
              Locale.ROOT,
              "the header of the next block is garbled (%,d records in %,d bytes)",
              count,
              blockSize));
    }
    String block =
        String.format(Locale.ROOT, "the block of records %,d to %,d", first, first + count - 1);
    long left = size - in.count();
    if (blockSize + SYNC_SIZE > left) {
      throw new DamagedArchiveException(
          file,
          first,
          String.format(
              Locale.ROOT,
              "the file ends inside %s (%,d bytes and a sync marker announced, %,d left)",
              block,
              blockSize,
              left));
    }
    in.skipNBytes(blockSize);
    byte[] marker = new byte[SYNC_SIZE];
    decoder.readFixed(marker);
    if (!Arrays.equals(marker, sync)) {
      throw new DamagedArchiveException(
          file, first, "the sync marker after " + block + " does not match the header's");
    }
    return count;
  }

  /** A length-prefixed byte string of the header, its length checked against what is left. */
  private static byte[] bytes(Path file, long size, CountingInputStream in, BinaryDecoder decoder)
      throws IOException {
    long length = decoder.readLong();
    if (length < 0 || length > size - in.count()) {
      throw new DamagedArchiveException(
          file,
          1,
          String.format(
              Locale.ROOT,
              "its header is garbled (a metadata entry of %,d bytes, %,d left in the file)",
              length,
              size - in.count()));
    }
    byte[] bytes = new byte[(int) length];
    decoder.readFixed(bytes);
    return bytes;
  }

  /**
   * Decodes every record with the reader PatchWatch uses, so codec data and record encodings are
   * checked too, and returns how many there are.
   */
  private static long decode(Path file, Framing framing) throws IOException {
    // the reader resolves records to the generated classes, which Avro loads only when trusted
    TrustedAvroPackages.trust(ScanEvent.class.getPackageName());
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      DataFileStream<ScanEvent> records;
      try {
        records = new DataFileStream<>(in, new SpecificDatumReader<>(ScanEvent.class));
      } catch (IOException | AvroRuntimeException e) {
        throw new DamagedArchiveException(file, 1, "its header is garbled: " + e.getMessage(), e);
      }
      try (records) {
        requireReadable(file, records.getSchema());
        long decoded = 0;
        ScanEvent reuse = null;
        try {
          while (records.hasNext()) {
            reuse = records.next(reuse);
            decoded++;
          }
        } catch (IOException | RuntimeException e) {
          throw new DamagedArchiveException(
              file, decoded + 1, "it cannot be decoded: " + e.getMessage(), e);
        }
        if (decoded != framing.records) {
          throw new DamagedArchiveException(
              file,
              Math.min(decoded, framing.records) + 1,
              String.format(
                  Locale.ROOT,
                  "its blocks announce %,d records but %,d decode",
                  framing.records,
                  decoded));
        }
        return decoded;
      }
    }
  }

  /** Refuses a file whose records cannot be resolved to the current ScanEvent schema. */
  static void requireReadable(Path file, Schema writer) throws IOException {
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(ScanEvent.getClassSchema(), writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new IOException(
          file
              + " holds "
              + writer.getFullName()
              + " records that cannot be read as "
              + ScanEvent.getClassSchema().getFullName()
              + ": "
              + compatibility.getResult().getIncompatibilities().stream()
                  .map(i -> i.getMessage() + " at " + i.getLocation())
                  .toList());
    }
  }

  private static Optional<Long> declaredRecords(Path file, Map<String, byte[]> metadata)
      throws DamagedArchiveException {
    byte[] value = metadata.get(META_RECORDS);
    if (value == null) {
      return Optional.empty();
    }
    String text = new String(value, StandardCharsets.UTF_8);
    try {
      long count = Long.parseLong(text);
      if (count >= 0) {
        return Optional.of(count);
      }
    } catch (NumberFormatException e) {
      // reported below, with the value
    }
    throw new DamagedArchiveException(
        file, 1, "its header's " + META_RECORDS + " is not a record count: '" + text + "'");
  }
}
