package dev.patchwatch.replay;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * An Avro object container file of scan events. Records are read with the file's own schema as the
 * writer's and the current ScanEvent schema as the reader's, so an archive written by an older or
 * newer PatchWatch reads fine as long as the two are compatible. The whole file is checked before
 * the first record is handed out ({@link ArchiveCheck}): a file that cannot be resolved, or is
 * damaged, is refused before anything is published.
 */
final class AvroArchiveSource implements EventSource {

  private final Path file;
  private final EventContract contract;
  private final ArchiveCheck.Verified verified;
  private final CountingInputStream in;
  private final DataFileStream<ScanEvent> records;
  private final SpecificDatumWriter<ScanEvent> writer = new SpecificDatumWriter<>(ScanEvent.class);
  private BinaryEncoder encoder;
  private long position;

  AvroArchiveSource(Path file, EventContract contract) throws IOException {
    this.file = file;
    this.contract = contract;
    this.verified = ArchiveCheck.verify(file);
    this.in = new CountingInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    try {
      this.records = new DataFileStream<>(in, new SpecificDatumReader<>(ScanEvent.class));
    } catch (IOException | AvroRuntimeException e) {
      in.close();
      throw new IOException(file + " is not a readable Avro file: " + e.getMessage(), e);
    }
  }

  @Override
  public Item next() throws IOException {
    long at = position + 1;
    try {
      if (!records.hasNext()) {
        // the check read it whole; only a file changed since then can end elsewhere
        if (position != verified.records()) {
          throw new DamagedArchiveException(
              file,
              at,
              String.format(
                  Locale.ROOT,
                  "it held %,d records when checked but ends after %,d: it changed while being"
                      + " read",
                  verified.records(),
                  position));
        }
        return null;
      }
      ScanEvent record = records.next();
      position = at;
      Parsed tooLarge = contract.sizeProblem("record", encodedSize(record));
      return new Item(
          position, tooLarge != null ? tooLarge : contract.normalize(record), null, record);
    } catch (RuntimeException e) {
      throw new DamagedArchiveException(file, at, "it cannot be decoded: " + e.getMessage(), e);
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
  public Optional<String> warning() {
    return verified.declared()
        ? Optional.empty()
        : Optional.of(
            file
                + " does not declare its record count (written before archives did): its blocks"
                + " were checked, but a file cut exactly between two blocks cannot be told from a"
                + " complete one");
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
