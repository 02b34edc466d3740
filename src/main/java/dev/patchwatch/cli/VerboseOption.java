package dev.patchwatch.cli;

import dev.patchwatch.local.Logging;
import picocli.CommandLine.Option;

/** {@code --verbose}: INFO logging and stack traces on errors. Quiet (WARN) by default. */
final class VerboseOption {

  private static volatile boolean verbose;

  @Option(names = "--verbose", description = "Log at INFO and print stack traces on errors.")
  void setVerbose(boolean value) {
    verbose = value;
    Logging.setVerbose(value);
  }

  static boolean isVerbose() {
    return verbose;
  }
}
