package dev.patchwatch.scanner.simulator;

/**
 * A scenario file that is not JSON, has an unknown or missing field, or breaks a rule of {@link
 * Scenario}. The message names the field by its path, e.g. {@code scanners[2].coverage}, and is
 * meant to be shown to users as-is.
 */
public final class InvalidScenarioException extends IllegalArgumentException {

  InvalidScenarioException(String message) {
    super(message);
  }

  InvalidScenarioException(String message, Throwable cause) {
    super(message, cause);
  }
}
