package dev.patchwatch.topology;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/** Validation's "now": the stream thread's wall clock, which tests drive. */
final class ContextClock extends Clock {
  private final ProcessorContext<?, ?> context;

  ContextClock(ProcessorContext<?, ?> context) {
    this.context = context;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("validation always runs in UTC");
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(context.currentSystemTimeMs());
  }
}
