package dev.patchwatch.topology;

import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** The host stage's checks of each record, told to an observer instead of acted on. */
final class PassthroughProcessor implements Processor<byte[], ScanInput, Void, Void> {

  private final TopologySettings settings;
  private final Consumer<PatchWatchTopology.Outcome> seen;
  private ScanCheck check;

  PassthroughProcessor(TopologySettings settings, Consumer<PatchWatchTopology.Outcome> seen) {
    this.settings = settings;
    this.seen = seen;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    check =
        new ScanCheck(
            settings, new EventContract(new ContextClock(context)), context.taskId().partition());
  }

  @Override
  public void process(Record<byte[], ScanInput> record) {
    ScanInput input = record.value();
    PatchWatchTopology.Outcome outcome;
    if (check.size(input) != null) {
      outcome = PatchWatchTopology.Outcome.REJECTED;
    } else if (input instanceof ScanInput.Event e) {
      outcome =
          check.event(record.key(), e.event()) instanceof Parsed.Valid
              ? PatchWatchTopology.Outcome.VALID
              : PatchWatchTopology.Outcome.REJECTED;
    } else if (input instanceof ScanInput.Watermark) {
      outcome = PatchWatchTopology.Outcome.WATERMARK;
    } else {
      outcome = PatchWatchTopology.Outcome.REJECTED;
    }
    seen.accept(outcome);
  }
}
