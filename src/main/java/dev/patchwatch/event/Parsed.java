package dev.patchwatch.event;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;

/** The outcome of checking one scan event: a normalised event, or why it was rejected. */
public sealed interface Parsed permits Parsed.Valid, Parsed.Invalid {

  /** A validated, normalised event (DESIGN section 2). */
  record Valid(ScanEvent event) implements Parsed {}

  /**
   * A rejected event.
   *
   * @param reason the reason code published with the rejection
   * @param message one line naming the field at fault and what was wrong, shown to users as-is
   */
  record Invalid(RejectReason reason, String message) implements Parsed {}
}
