package dev.patchwatch.scanner.format;

/** Receives the records of a file, in order, as an {@link InputFormat} reads them. */
@FunctionalInterface
public interface RecordSink {

  void accept(SourceRecord record);
}
