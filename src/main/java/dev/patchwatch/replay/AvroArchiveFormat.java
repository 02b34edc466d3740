package dev.patchwatch.replay;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.scanner.format.CountingInputStream;
import dev.patchwatch.scanner.format.InputFile;
import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.scanner.format.RecordSink;
import dev.patchwatch.scanner.format.SourceRecord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Avro object container files of scan events, as {@code archive export} writes them, read as one
 * more {@link InputFormat}; registered by {@link EventFiles} rather than as a service, as it needs
 * the archive checks of this package. Records are read with the file's own schema as the writer's
 * and the current ScanEvent schema as the reader's, so an archive written by an older or newer
 * PatchWatch reads fine as long as the two are compatible. A file {@link #open opened} is checked
 * whole first ({@link ArchiveCheck}): one that cannot be resolved, or is damaged, is refused before
 * anything is published. Positions are record numbers, from 1.
 */
public final class AvroArchiveFormat implements InputFormat {

  public static final String NAME = "avro";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Avro archives of scan events, as archive export writes them";
  }

  @Override
  public void read(InputStream in, RecordSink sink) throws IOException {
    read(in, sink, new EventContract(Clock.systemUTC()));
  }

  /** Reads a stream, which cannot be checked ahead: a damaged one fails where it is damaged. */
  @Override
  public void read(InputStream in, RecordSink sink, EventContract contract) throws IOException {
    new Records(null, -1, contract).read(in, sink);
  }

  @Override
  public InputFile open(Path file, EventContract contract) throws IOException {
    ArchiveCheck.Verified verified = ArchiveCheck.verify(file);
    CountingInputStream in =
        new CountingInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    Records records = new Records(file, verified.records(), contract);
    return new InputFile() {
      @Override
      public InputFormat format() {
        return AvroArchiveFormat.this;
      }

      @Override
      public void read(RecordSink sink) throws IOException {
        records.read(in, sink);
      }

      @Override
      public long bytesRead() {
        return in.count();
      }

      @Override
      public Optional<String> warning() {
        return verified.declared()
            ? Optional.empty()
            : Optional.of(
                file
                    + " does not declare its record count (written before archives did): its"
                    + " blocks were checked, but a file cut exactly between two blocks cannot be"
                    + " told from a complete one");
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  /**
   * The records of one archive.
   *
   * @param file the archive, or null for a stream
   * @param expected how many records the check found, or -1 for a stream, which was not checked
   */
  private record Records(Path file, long expected, EventContract contract) {

    void read(InputStream in, RecordSink sink) throws IOException {
      DataFileStream<ScanEvent> records;
      try {
        records = new DataFileStream<>(in, new SpecificDatumReader<>(ScanEvent.class));
      } catch (IOException | AvroRuntimeException e) {
        throw new IOException(
            (file == null ? "not" : file + " is not") + " a readable Avro file: " + e.getMessage(),
            e);
      }
      Sizes sizes = new Sizes();
      long position = 0;
      for (ScanEvent record = next(records, 1); record != null; ) {
        position++;
        ScanEvent read = record;
        Parsed tooLarge = contract.sizeProblem("record", sizes.encoded(record));
        sink.accept(
            new SourceRecord.Checked(
                position,
                tooLarge != null ? tooLarge : contract.normalize(record),
                () -> EventContract.toJson(read).getBytes(StandardCharsets.UTF_8)));
        record = next(records, position + 1);
      }
      // the check read it whole; only a file changed since then can end elsewhere
      if (expected >= 0 && position != expected) {
        throw damaged(
            position + 1,
            String.format(
                Locale.ROOT,
                "it held %,d records when checked but ends after %,d: it changed while being read",
                expected,
                position),
            null);
      }
    }

    /** The record numbered {@code at}, or null at the end. */
    private ScanEvent next(DataFileStream<ScanEvent> records, long at) throws IOException {
      try {
        return records.hasNext() ? records.next() : null;
      } catch (RuntimeException e) {
        throw damaged(at, "it cannot be decoded: " + e.getMessage(), e);
      }
    }

    private IOException damaged(long at, String why, Throwable cause) {
      return file != null
          ? new DamagedArchiveException(file, at, why, cause)
          : new IOException(
              String.format(Locale.ROOT, "reading failed at record %,d: %s", at, why), cause);
    }
  }

  /**
   * A record's Avro encoding in bytes, as the scans topic would hold it (less the 5 bytes of
   * framing): measured by writing it to a counter, as the container does not expose it.
   */
  private static final class Sizes {
    private final SpecificDatumWriter<ScanEvent> writer =
        new SpecificDatumWriter<>(ScanEvent.class);
    private final ByteCounter counter = new ByteCounter();
    private BinaryEncoder encoder;

    long encoded(ScanEvent record) throws IOException {
      counter.count = 0;
      encoder = EncoderFactory.get().directBinaryEncoder(counter, encoder);
      writer.write(record, encoder);
      encoder.flush();
      return counter.count;
    }
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
}
