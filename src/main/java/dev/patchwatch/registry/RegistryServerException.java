package dev.patchwatch.registry;

/**
 * The registry failed (HTTP 5xx, e.g. error code 50001), even after the retries; worth retrying
 * later.
 */
public class RegistryServerException extends SchemaRegistryException {

  private static final long serialVersionUID = 1L;

  public RegistryServerException(int errorCode, String message) {
    super(errorCode, message);
  }

  public RegistryServerException(int errorCode, String message, Throwable cause) {
    super(errorCode, message, cause);
  }
}
