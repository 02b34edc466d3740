package dev.patchwatch.registry;

/**
 * The registry refused a schema that breaks the subject's compatibility level (error code 409 or
 * 40901).
 */
public class IncompatibleSchemaException extends SchemaRegistryException {

  private static final long serialVersionUID = 1L;

  public IncompatibleSchemaException(int errorCode, String message) {
    super(errorCode, message);
  }

  public IncompatibleSchemaException(int errorCode, String message, Throwable cause) {
    super(errorCode, message, cause);
  }
}
