package dev.patchwatch.replay;

import dev.patchwatch.avro.Origin;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Scan events read one at a time from a file, whichever its format, each already checked against
 * the contract, so replay and import treat JSON lines and Avro archives alike. Memory does not grow
 * with the file.
 */
interface EventSource extends Closeable {

  /**
   * One record of the file.
   *
   * @param position 1-based: the line of a JSON-lines file, the record number of an Avro archive
   * @param parsed the normalised event, or why it was refused
   * @param line the line's bytes exactly as read (JSON lines), else null
   * @param record the record as decoded (Avro), else null
   */
  record Item(long position, Parsed parsed, byte[] line, ScanEvent record) {

    /**
     * What a rejection carries as the original: the line, or the record in canonical JSON; of a
     * record refused as too large, only the first bytes.
     */
    byte[] original() {
      byte[] original =
          line != null ? line : EventContract.toJson(record).getBytes(StandardCharsets.UTF_8);
      return parsed instanceof Parsed.Invalid invalid && invalid.reason() == RejectReason.TOO_LARGE
          ? EventContract.head(original)
          : original;
    }

    /** The rejection of this record of {@code file}, refused for {@code invalid}, at {@code at}. */
    Rejected rejection(Path file, Parsed.Invalid invalid, Instant at) {
      byte[] original = original();
      if (invalid.reason() == RejectReason.TOO_LARGE) {
        // the publisher refused an event the reader let through: its bytes are just as large
        original = EventContract.head(original);
      }
      return Rejected.newBuilder()
          .setReason(invalid.reason())
          .setMessage(invalid.message())
          .setOriginal(ByteBuffer.wrap(original))
          .setOrigin(Origin.newBuilder().setFile(file.toString()).setLine(position).build())
          .setRejectedAt(at)
          .build();
    }
  }

  /** The next record, or null at the end of the file. */
  Item next() throws IOException;

  /** What the reader should know about how far the file could be checked, if anything. */
  default Optional<String> warning() {
    return Optional.empty();
  }

  /** Bytes of the file consumed so far, for progress. */
  long bytesRead();

  ArchiveFormat format();

  /**
   * Opens {@code file} in the format its first bytes show; an archive is read whole first, and
   * refused if damaged ({@link DamagedArchiveException}).
   */
  static EventSource open(Path file, EventContract contract) throws IOException {
    return ArchiveFormat.detect(file) == ArchiveFormat.AVRO
        ? new AvroArchiveSource(file, contract)
        : new JsonLinesSource(file, contract);
  }
}
