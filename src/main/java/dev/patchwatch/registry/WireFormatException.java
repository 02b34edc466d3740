package dev.patchwatch.registry;

import org.apache.kafka.common.errors.SerializationException;

/** Bytes that are not a record in the Confluent wire format this registry can decode. */
public final class WireFormatException extends SerializationException {

  private static final long serialVersionUID = 1L;

  /** What is wrong with the bytes. */
  public enum Kind {
    /** Wrong magic byte, truncated, trailing bytes, or Avro that does not decode. */
    UNDECODABLE,
    /** The schema id is not in the registry. */
    UNKNOWN_SCHEMA
  }

  private final Kind kind;

  public WireFormatException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
