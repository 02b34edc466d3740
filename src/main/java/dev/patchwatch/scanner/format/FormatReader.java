package dev.patchwatch.scanner.format;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads a file in an {@link InputFormat} and checks each mapped record with the {@link
 * EventContract}, so every format gets exactly the validation and normalisation of JSON input
 * (DESIGN sections 2 and 7.1).
 */
public final class FormatReader {

  private final InputFormat format;
  private final EventContract contract;

  public FormatReader(InputFormat format, EventContract contract) {
    this.format = Objects.requireNonNull(format, "format");
    this.contract = Objects.requireNonNull(contract, "contract");
  }

  /**
   * Reports one {@link ReadResult} per record of {@code in} to {@code out}, in file order (see
   * {@link InputFormat#read} for records that yield several events or none).
   *
   * @throws IOException as {@link InputFormat#read} does
   */
  public void read(InputStream in, Consumer<ReadResult> out) throws IOException {
    format.read(in, record -> out.accept(check(record)), contract);
  }

  /** The same for a file opened in this reader's format (see {@link InputFormat#open}). */
  public void read(InputFile file, Consumer<ReadResult> out) throws IOException {
    file.read(record -> out.accept(check(record)));
  }

  private ReadResult check(SourceRecord record) {
    if (record instanceof SourceRecord.Unmapped unmapped) {
      return new ReadResult.Rejection(
          unmapped.position(), unmapped.original(), unmapped.reason(), unmapped.message());
    }
    Parsed parsed =
        record instanceof SourceRecord.Checked checked
            ? checked.parsed()
            : contract.fromJson(((SourceRecord.Mapped) record).event());
    if (parsed instanceof Parsed.Valid valid) {
      return new ReadResult.Event(record, valid.event());
    }
    Parsed.Invalid invalid = (Parsed.Invalid) parsed;
    return new ReadResult.Rejection(
        record.position(), record.original(), invalid.reason(), invalid.message());
  }

  /** The outcome for one record: a valid, normalised event or a rejection. */
  public sealed interface ReadResult {

    /** Where the record starts in the file (see {@link SourceRecord#position()}). */
    long position();

    /** The record as read (see {@link SourceRecord#original()}). */
    byte[] original();

    /**
     * @param record the record the event was read from, whose original is made only if asked for
     */
    record Event(SourceRecord record, ScanEvent event) implements ReadResult {

      @Override
      public long position() {
        return record.position();
      }

      @Override
      public byte[] original() {
        return record.original();
      }
    }

    /**
     * @param message one line naming what was wrong, shown to users as-is
     */
    record Rejection(long position, byte[] original, RejectReason reason, String message)
        implements ReadResult {}
  }
}
