package dev.patchwatch.registry;

/**
 * No answer from the registry: connection refused or reset, a timeout, a TLS failure. The message
 * names the URL; the cause is the last failure.
 */
public class RegistryUnreachableException extends SchemaRegistryException {

  private static final long serialVersionUID = 1L;

  public RegistryUnreachableException(String message, Throwable cause) {
    super(NO_RESPONSE, message, cause);
  }
}
