package dev.patchwatch.cli;

import dev.patchwatch.replay.TimeRanges;
import java.time.Instant;
import picocli.CommandLine.ITypeConverter;

/** Lets {@code --from} and {@code --to} take a date or an instant (see {@link TimeRanges}). */
final class InstantConverter implements ITypeConverter<Instant> {
  @Override
  public Instant convert(String value) {
    return TimeRanges.parseInstant(value);
  }
}
