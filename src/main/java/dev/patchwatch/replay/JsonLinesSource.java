package dev.patchwatch.replay;

import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.JsonLine;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.scanner.format.Lines;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file of JSON lines, one scan event per line (DESIGN section 2), parsed by {@link JsonLine} as
 * {@code ingest} parses them; a line over the limit is never held whole.
 */
final class JsonLinesSource implements EventSource {

  private final EventContract contract;
  private final CountingInputStream in;
  private final Lines lines;
  private long position;

  JsonLinesSource(Path file, EventContract contract) throws IOException {
    this.contract = contract;
    this.in = new CountingInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    this.lines = new Lines(in, contract.maxEventBytes());
  }

  @Override
  public Item next() throws IOException {
    byte[] line = lines.next();
    if (line == null) {
      return null;
    }
    position++;
    Parsed parsed = JsonLine.event(line, lines.length(), contract);
    return new Item(position, parsed, line, null);
  }

  @Override
  public long bytesRead() {
    return in.count();
  }

  @Override
  public ArchiveFormat format() {
    return ArchiveFormat.JSON_LINES;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
