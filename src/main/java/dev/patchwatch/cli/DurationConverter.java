package dev.patchwatch.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Lets options take durations as people write them (see {@link Durations}). */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return Durations.parse(value);
  }
}
