package dev.patchwatch.registry;

/**
 * A registry answered with an error, or could not be reached; carries the Confluent error code
 * ({@code error_code} of the response body, or the HTTP status when the body has none) and the
 * registry's message. The subclasses name the errors a caller may want to handle on its own.
 */
public class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** No HTTP answer at all: see {@link RegistryUnreachableException}. */
  public static final int NO_RESPONSE = 0;

  /** Confluent error code: subject not found. */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** Confluent error code: version not found. */
  public static final int VERSION_NOT_FOUND = 40402;

  /** Confluent error code: schema not found. */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** Confluent error code: the subject has no compatibility level of its own. */
  public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;

  /** Confluent error code: incompatible schema. */
  public static final int INCOMPATIBLE_SCHEMA = 409;

  /** Error code some registries give an incompatible schema instead of 409. */
  public static final int INCOMPATIBLE_SCHEMA_DETAILED = 40901;

  /** Confluent error code: invalid schema. */
  public static final int INVALID_SCHEMA = 42201;

  /** Confluent error code: invalid compatibility level. */
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

  /** Confluent error code: error in the backend data store. */
  public static final int SERVER_ERROR = 50001;

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
