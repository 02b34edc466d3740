package dev.patchwatch.replay;

import dev.patchwatch.avro.ScanEvent;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Writes an archive that declares its record count ({@link ArchiveCheck#META_RECORDS}), and makes
 * it appear only once complete. An Avro container's metadata is in its header, before the records,
 * so the records go to a scratch file first; {@link #commit} then writes the header with the count
 * and copies the compressed blocks after it as they are, and moves the result into place.
 */
final class ArchiveWriter implements Closeable {

  private final Path output;
  private final Path scratch;
  private final Path partial;
  private final CodecFactory codec;
  private final Map<String, String> metadata;
  private final DataFileWriter<ScanEvent> writer;
  private long records;
  private boolean open = true;

  /**
   * @param metadata written in the header, in this order, after Avro's own
   */
  ArchiveWriter(Path output, CodecFactory codec, Map<String, String> metadata) throws IOException {
    this.output = output;
    this.scratch = output.resolveSibling(output.getFileName() + ".records");
    this.partial = output.resolveSibling(output.getFileName() + ".part");
    this.codec = codec;
    this.metadata = new LinkedHashMap<>(metadata);
    this.writer = new DataFileWriter<>(new SpecificDatumWriter<>(ScanEvent.class));
    writer.setCodec(codec);
    try {
      writer.create(ScanEvent.getClassSchema(), Files.newOutputStream(scratch));
    } catch (IOException | RuntimeException e) {
      writer.close();
      Files.deleteIfExists(scratch);
      throw e;
    }
  }

  void append(ScanEvent event) throws IOException {
    writer.append(event);
    records++;
  }

  long records() {
    return records;
  }

  /** Writes the archive and moves it to the output; before this, the output is never touched. */
  void commit() throws IOException {
    writer.close();
    open = false;
    try (DataFileStream<ScanEvent> blocks =
            new DataFileStream<>(
                new BufferedInputStream(Files.newInputStream(scratch), 1 << 16),
                new SpecificDatumReader<>(ScanEvent.class));
        DataFileWriter<ScanEvent> archive =
            new DataFileWriter<>(new SpecificDatumWriter<>(ScanEvent.class))) {
      archive.setCodec(codec);
      metadata.forEach(archive::setMeta);
      archive.setMeta(ArchiveCheck.META_RECORDS, records);
      archive.create(ScanEvent.getClassSchema(), Files.newOutputStream(partial));
      archive.appendAllFrom(blocks, false);
    }
    Files.move(
        partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Removes the scratch file, and the partial archive unless it was committed. */
  @Override
  public void close() throws IOException {
    try {
      if (open) {
        writer.close();
      }
    } finally {
      Files.deleteIfExists(scratch);
      Files.deleteIfExists(partial);
    }
  }
}
