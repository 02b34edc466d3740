package dev.patchwatch.registry;

/** The subject has no such version (error code 40402). */
public class VersionNotFoundException extends SchemaRegistryException {

  private static final long serialVersionUID = 1L;

  public VersionNotFoundException(int errorCode, String message) {
    super(errorCode, message);
  }

  public VersionNotFoundException(int errorCode, String message, Throwable cause) {
    super(errorCode, message, cause);
  }
}
