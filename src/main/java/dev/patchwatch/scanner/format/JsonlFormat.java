package dev.patchwatch.scanner.format;

import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.JsonLine;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;

/**
 * JSON Lines of canonical scan events (DESIGN section 2), the format {@code replay} reads: each
 * line is one event; every line is a record, an empty one included, so nothing is skipped silently.
 * Lines are read by {@link dev.patchwatch.event.JsonLine} as {@code replay} reads them, so a line
 * gets the same reason from both.
 */
public final class JsonlFormat implements InputFormat {

  @Override
  public String name() {
    return "jsonl";
  }

  @Override
  public String description() {
    return "canonical scan events, one JSON object per line (the replay format)";
  }

  @Override
  public void read(InputStream in, RecordSink sink) throws IOException {
    read(in, sink, new EventContract(Clock.systemUTC()));
  }

  @Override
  public void read(InputStream in, RecordSink sink, EventContract contract) throws IOException {
    Lines lines = new Lines(in, contract.maxEventBytes());
    for (byte[] line = lines.next(); line != null; line = lines.next()) {
      byte[] read = line;
      sink.accept(
          new SourceRecord.Checked(
              lines.number(), JsonLine.event(line, lines.length(), contract), () -> read));
    }
  }
}
