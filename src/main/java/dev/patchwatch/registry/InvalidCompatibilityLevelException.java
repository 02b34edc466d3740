package dev.patchwatch.registry;

/** The registry does not know that compatibility level (error code 42203). */
public class InvalidCompatibilityLevelException extends SchemaRegistryException {

  private static final long serialVersionUID = 1L;

  public InvalidCompatibilityLevelException(int errorCode, String message) {
    super(errorCode, message);
  }

  public InvalidCompatibilityLevelException(int errorCode, String message, Throwable cause) {
    super(errorCode, message, cause);
  }
}
