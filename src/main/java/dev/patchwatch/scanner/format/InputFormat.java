package dev.patchwatch.scanner.format;

import dev.patchwatch.event.EventContract;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A scanner output format that can be turned into canonical scan events (DESIGN section 2).
 * Implementations are found with {@link java.util.ServiceLoader} (see {@link InputFormats}), so
 * each needs a public no-argument constructor; they hold no state between calls to {@link #read}.
 */
public interface InputFormat {

  /** The name users select the format by, e.g. {@code "jsonl"}: lower case, unique. */
  String name();

  /** One line for {@code --help}. */
  String description();

  /**
   * Reads every record of {@code in} and reports each one to {@code sink}, in file order, as a
   * {@link SourceRecord.Mapped} event or a {@link SourceRecord.Unmapped} explaining why not; a bad
   * record never stops the reading. A record naming several vulnerabilities (e.g. a Shadowserver
   * row tagged with two CVEs) yields one {@code Mapped} per vulnerability, all with the same
   * position; a record the format defines as carrying no observation (documented by the format,
   * e.g. a host nmap reports as down) yields nothing.
   *
   * @throws IOException on an I/O failure, or on a problem with the whole file that makes every
   *     record unreadable (e.g. a CSV header without a required column: the message names it)
   */
  void read(InputStream in, RecordSink sink) throws IOException;

  /**
   * Like {@link #read(InputStream, RecordSink)}, knowing the contract the records will be checked
   * against: a format that reads line by line rejects a line over its size limit ({@code
   * max.event.bytes}) as {@code TOO_LARGE} without holding it whole. The default ignores it; an
   * event's own size is checked where it is published.
   */
  default void read(InputStream in, RecordSink sink, EventContract contract) throws IOException {
    read(in, sink);
  }

  /**
   * Opens {@code file} to be read in this format. The default reads it as a stream with {@link
   * #read(InputStream, RecordSink, EventContract)}; a format that must check the whole file before
   * handing out a record overrides it, and refuses a bad file here.
   */
  default InputFile open(Path file, EventContract contract) throws IOException {
    return InputFile.of(this, file, contract);
  }
}
