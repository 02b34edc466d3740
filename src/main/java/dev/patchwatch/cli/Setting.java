package dev.patchwatch.cli;

import java.util.Locale;
import java.util.function.Function;

/**
 * One typed setting: its key in a properties file, its default, a one-line description and how it
 * is parsed and validated. The environment variable is {@code PATCHWATCH_} and the key upper-cased
 * with dots and dashes as underscores.
 */
record Setting<T>(String key, T defaultValue, String description, Function<String, T> parser) {

  String environmentVariable() {
    return "PATCHWATCH_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Parses {@code raw}, naming this setting and where the value came from if it is invalid. */
  T parse(String raw, String source) {
    try {
      return parser.apply(raw.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " (" + source + "): " + e.getMessage(), e);
    }
  }
}
