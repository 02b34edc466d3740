package dev.patchwatch.registry;

/**
 * The registry refused the schema itself, or returned one that is not usable Avro (error code
 * 42201).
 */
public class InvalidSchemaException extends SchemaRegistryException {

  private static final long serialVersionUID = 1L;

  public InvalidSchemaException(int errorCode, String message) {
    super(errorCode, message);
  }

  public InvalidSchemaException(int errorCode, String message, Throwable cause) {
    super(errorCode, message, cause);
  }
}
