package dev.patchwatch.registry;

/** A registry answered with an error, or could not be reached; carries the Confluent error code. */
public class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Confluent error code: subject not found. */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** Confluent error code: version not found. */
  public static final int VERSION_NOT_FOUND = 40402;

  /** Confluent error code: schema not found. */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** Confluent error code: incompatible schema. */
  public static final int INCOMPATIBLE_SCHEMA = 409;

  /** Confluent error code: invalid schema. */
  public static final int INVALID_SCHEMA = 42201;

  private final int errorCode;

  public SchemaRegistryException(int errorCode, String message) {
    super(message);
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
  }

  public int errorCode() {
    return errorCode;
  }
}
