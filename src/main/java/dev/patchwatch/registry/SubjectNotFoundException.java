package dev.patchwatch.registry;

/** The subject does not exist (error code 40401). */
public class SubjectNotFoundException extends SchemaRegistryException {

  private static final long serialVersionUID = 1L;

  public SubjectNotFoundException(int errorCode, String message) {
    super(errorCode, message);
  }

  public SubjectNotFoundException(int errorCode, String message, Throwable cause) {
    super(errorCode, message, cause);
  }
}
