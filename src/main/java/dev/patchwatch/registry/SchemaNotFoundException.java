package dev.patchwatch.registry;

/**
 * No schema with that id, or the schema is not registered under that subject (error code 40403).
 */
public class SchemaNotFoundException extends SchemaRegistryException {

  private static final long serialVersionUID = 1L;

  public SchemaNotFoundException(int errorCode, String message) {
    super(errorCode, message);
  }

  public SchemaNotFoundException(int errorCode, String message, Throwable cause) {
    super(errorCode, message, cause);
  }
}
