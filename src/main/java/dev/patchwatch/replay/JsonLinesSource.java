package dev.patchwatch.replay;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.scanner.format.Lines;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A file of JSON lines, one scan event per line (DESIGN section 2). */
final class JsonLinesSource implements EventSource {

  private final EventContract contract;
  private final CountingInputStream in;
  private final Lines lines;
  private long position;

  JsonLinesSource(Path file, EventContract contract) throws IOException {
    this.contract = contract;
    this.in = new CountingInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    this.lines = new Lines(in);
  }

  @Override
  public Item next() throws IOException {
    byte[] line = lines.next();
    if (line == null) {
      return null;
    }
    position++;
    return new Item(position, parse(line), line, null);
  }

  private Parsed parse(byte[] line) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(line))
              .toString();
      return contract.parseJson(text);
    } catch (CharacterCodingException e) {
      return new Parsed.Invalid(RejectReason.NOT_JSON, "line is not valid UTF-8");
    }
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
