package dev.patchwatch.scanner.format;

import dev.patchwatch.event.EventContract;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Shared fixtures: a fixed clock, reading samples, and results rendered as comparable text. */
final class Formats {

  /** "Now" for every test: two weeks after the last sample event. */
  static final Instant NOW = Instant.parse("2021-04-01T00:00:00Z");

  static final EventContract CONTRACT = new EventContract(Clock.fixed(NOW, ZoneOffset.UTC));

  private Formats() {}

  static byte[] resource(String name) {
    try (InputStream in = Formats.class.getResourceAsStream("/formats/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /formats/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static List<FormatReader.ReadResult> read(InputFormat format, byte[] input) throws IOException {
    List<FormatReader.ReadResult> results = new ArrayList<>();
    new FormatReader(format, CONTRACT).read(new ByteArrayInputStream(input), results::add);
    return results;
  }

  static List<SourceRecord> records(InputFormat format, byte[] input) throws IOException {
    List<SourceRecord> records = new ArrayList<>();
    format.read(new ByteArrayInputStream(input), records::add);
    return records;
  }

  /**
   * Each result as one line: its position, then the event's canonical JSON or the rejection's
   * reason and message; exact, so a changed field or message shows in the diff.
   */
  static List<String> render(List<FormatReader.ReadResult> results) {
    List<String> lines = new ArrayList<>(results.size());
    for (FormatReader.ReadResult result : results) {
      if (result instanceof FormatReader.ReadResult.Event event) {
        lines.add(event.position() + " " + EventContract.toJson(event.event()));
      } else {
        FormatReader.ReadResult.Rejection rejection = (FormatReader.ReadResult.Rejection) result;
        lines.add(rejection.position() + " " + rejection.reason() + " " + rejection.message());
      }
    }
    return lines;
  }

  static List<String> renderRead(InputFormat format, byte[] input) throws IOException {
    return render(read(format, input));
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
