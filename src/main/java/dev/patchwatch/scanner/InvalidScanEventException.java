package dev.patchwatch.scanner;

import dev.patchwatch.avro.RejectReason;

/** A scan event that breaks the contract (DESIGN section 2); it was not sent. */
public final class InvalidScanEventException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient RejectReason reason;

  public InvalidScanEventException(RejectReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public RejectReason reason() {
    return reason;
  }
}
