package dev.patchwatch.scanner.format;

import dev.patchwatch.event.EventContract;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file opened in an {@link InputFormat} (see {@link InputFormat#open}), ready to be read once.
 * Opening is where a format that must see the whole file first (an Avro archive, refused whole if
 * damaged) does so, before a caller creates or publishes anything.
 */
public interface InputFile extends Closeable {

  /** The format the file is read in. */
  InputFormat format();

  /** Reports every record to {@code sink}, in file order, as {@link InputFormat#read} does. */
  void read(RecordSink sink) throws IOException;

  /** Bytes of the file consumed so far, for progress. */
  long bytesRead();

  /** What the reader should know about how far the file could be checked, if anything. */
  default Optional<String> warning() {
    return Optional.empty();
  }

  /** {@code file} read as a stream by {@code format}, which checks nothing ahead. */
  static InputFile of(InputFormat format, Path file, EventContract contract) throws IOException {
    CountingInputStream in =
        new CountingInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    return new InputFile() {
      @Override
      public InputFormat format() {
        return format;
      }

      @Override
      public void read(RecordSink sink) throws IOException {
        format.read(in, sink, contract);
      }

      @Override
      public long bytesRead() {
        return in.count();
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }
}
