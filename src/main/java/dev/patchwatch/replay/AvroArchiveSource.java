package dev.patchwatch.replay;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.registry.TrustedAvroPackages;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * An Avro object container file of scan events. Records are read with the file's own schema as the
 * writer's and the current ScanEvent schema as the reader's, so an archive written by an older or
 * newer PatchWatch reads fine as long as the two are compatible; a file that is not is refused
 * before any record is published.
 */
final class AvroArchiveSource implements EventSource {

  private final Path file;
  private final EventContract contract;
  private final CountingInputStream in;
  private final DataFileStream<ScanEvent> records;
  private final SpecificDatumWriter<ScanEvent> writer = new SpecificDatumWriter<>(ScanEvent.class);
  private BinaryEncoder encoder;
  private long position;

  AvroArchiveSource(Path file, EventContract contract) throws IOException {
    // the reader resolves records to the generated classes, which Avro loads only when trusted
    TrustedAvroPackages.trust(ScanEvent.class.getPackageName());
    this.file = file;
    this.contract = contract;
    this.in = new CountingInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    try {
      this.records = new DataFileStream<>(in, new SpecificDatumReader<>(ScanEvent.class));
    } catch (IOException | AvroRuntimeException e) {
      in.close();
      throw new IOException(file + " is not a readable Avro file: " + e.getMessage(), e);
    }
    Schema writer = records.getSchema();
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(ScanEvent.getClassSchema(), writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      records.close();
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

  @Override
  public Item next() throws IOException {
    try {
      if (!records.hasNext()) {
        return null;
      }
      position++;
      ScanEvent record = records.next();
      Parsed tooLarge = contract.sizeProblem("record", encodedSize(record));
      return new Item(
          position, tooLarge != null ? tooLarge : contract.normalize(record), null, record);
    } catch (RuntimeException e) {
      // a corrupt block cannot be skipped record by record: stop, saying where
      throw new IOException(
          file + ": record " + position + " cannot be decoded: " + e.getMessage(), e);
    }
  }

  /**
   * The record's Avro encoding in bytes, as the scans topic would hold it (less the 5 bytes of
   * framing): measured by writing it to a counter, as the container does not expose it.
   */
  private long encodedSize(ScanEvent record) throws IOException {
    ByteCounter counter = new ByteCounter();
    encoder = EncoderFactory.get().directBinaryEncoder(counter, encoder);
    writer.write(record, encoder);
    encoder.flush();
    return counter.count;
  }

  /** Counts what is written to it; hand-written as no dependency of ours has one. */
  private static final class ByteCounter extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  @Override
  public long bytesRead() {
    return in.count();
  }

  @Override
  public ArchiveFormat format() {
    return ArchiveFormat.AVRO;
  }

  @Override
  public void close() throws IOException {
    records.close();
  }
}
