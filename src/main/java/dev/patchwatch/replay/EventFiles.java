package dev.patchwatch.replay;

import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.scanner.format.InputFormats;
import dev.patchwatch.scanner.format.JsonlFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The formats {@code replay} and {@code archive import} read: every registered {@link InputFormat}
 * and Avro archives. Without a format named, a file is taken for what its first bytes show: an Avro
 * archive, else JSON lines.
 */
public final class EventFiles {

  private EventFiles() {}

  /** Every format, sorted by name. */
  public static List<InputFormat> all() {
    List<InputFormat> formats = new ArrayList<>(InputFormats.all());
    formats.add(new AvroArchiveFormat());
    formats.sort(Comparator.comparing(InputFormat::name));
    return List.copyOf(formats);
  }

  /**
   * The format called exactly {@code name}.
   *
   * @throws IllegalArgumentException naming the known formats if there is none by that name
   */
  public static InputFormat byName(String name) {
    List<InputFormat> formats = all();
    return formats.stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown input format \""
                        + name
                        + "\"; known formats: "
                        + formats.stream()
                            .map(InputFormat::name)
                            .collect(Collectors.joining(", "))));
  }

  /** The format called {@code name}, or without one, the format {@code file}'s content shows. */
  public static InputFormat of(Path file, Optional<String> name) throws IOException {
    if (name.isPresent()) {
      return byName(name.get());
    }
    return ArchiveFormat.detect(file) == ArchiveFormat.AVRO
        ? new AvroArchiveFormat()
        : new JsonlFormat();
  }

  /** The format as progress names it: "Avro archive", "JSON lines" or the format's name. */
  static String describe(InputFormat format) {
    return switch (format.name()) {
      case AvroArchiveFormat.NAME -> "Avro archive";
      case "jsonl" -> "JSON lines";
      default -> format.name();
    };
  }

  /** What a format's records are called in progress lines. */
  static String unit(InputFormat format) {
    return format.name().equals("jsonl") ? "lines" : "records";
  }
}
