package dev.patchwatch.scanner.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One input record mapped to the canonical JSON of a scan event (DESIGN section 2), or why it could
 * not be.
 */
public sealed interface SourceRecord {

  /** Where the record starts: 1-based line number in the file (for XML, of the element's start). */
  long position();

  /**
   * The record as read: a line's bytes without the terminator (a CSV record with a quoted line
   * break spans several lines); for XML the element re-serialised, as the parser does not keep the
   * bytes. Rejections carry it, so a line that is not even valid text is kept intact.
   */
  byte[] original();

  /**
   * A record mapped to canonical JSON field names. It is not validated yet: {@link FormatReader}
   * runs the event contract on it, which may still reject it.
   */
  record Mapped(long position, byte[] original, ObjectNode event) implements SourceRecord {
    public Mapped {
      Objects.requireNonNull(original, "original");
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * A record the format could not map to an event.
   *
   * @param message one line saying what was wrong, shown to users as-is
   */
  record Unmapped(long position, byte[] original, RejectReason reason, String message)
      implements SourceRecord {
    public Unmapped {
      Objects.requireNonNull(original, "original");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A record the format checked against the contract itself, as the formats of canonical events do
   * (JSON lines, Avro archives): {@link FormatReader} passes the outcome on as it is, so the event
   * is neither parsed nor checked twice.
   *
   * @param read the record as read, made only when asked for: an archive record's canonical JSON
   *     costs more than the record, and is needed only for a rejection
   */
  record Checked(long position, Parsed parsed, Supplier<byte[]> read) implements SourceRecord {
    public Checked {
      Objects.requireNonNull(parsed, "parsed");
      Objects.requireNonNull(read, "read");
    }

    /** The record as read; of a record refused as too large, only its first bytes. */
    @Override
    public byte[] original() {
      byte[] original = read.get();
      return parsed instanceof Parsed.Invalid invalid && invalid.reason() == RejectReason.TOO_LARGE
          ? EventContract.head(original)
          : original;
    }
  }
}
