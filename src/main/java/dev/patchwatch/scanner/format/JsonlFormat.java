package dev.patchwatch.scanner.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;

/**
 * JSON Lines of canonical scan events (DESIGN section 2), the format {@code replay} reads: each
 * line is one event; every line is a record, an empty one included, so nothing is skipped silently.
 * Mapping is parsing only; the event contract checks the fields.
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
    Lines lines = new Lines(in);
    for (byte[] line = lines.next(); line != null; line = lines.next()) {
      ObjectNode event = JsonLines.object(lines.number(), line, sink);
      if (event != null) {
        sink.accept(new SourceRecord.Mapped(lines.number(), line, event));
      }
    }
  }
}
