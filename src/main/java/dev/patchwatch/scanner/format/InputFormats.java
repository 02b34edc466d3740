package dev.patchwatch.scanner.format;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** The input formats on the class path, registered as {@link InputFormat} services. */
public final class InputFormats {

  private InputFormats() {}

  /**
   * Every registered format, sorted by name.
   *
   * @throws IllegalStateException if two formats have the same name
   */
  public static List<InputFormat> all() {
    List<InputFormat> formats = new ArrayList<>();
    // the interface's own loader rather than the thread's, so the shaded jar and tests see the same
    ServiceLoader.load(InputFormat.class, InputFormat.class.getClassLoader()).forEach(formats::add);
    formats.sort(Comparator.comparing(InputFormat::name));
    for (int i = 1; i < formats.size(); i++) {
      if (formats.get(i).name().equals(formats.get(i - 1).name())) {
        throw new IllegalStateException(
            "two input formats are named \""
                + formats.get(i).name()
                + "\": "
                + formats.get(i - 1).getClass().getName()
                + " and "
                + formats.get(i).getClass().getName());
      }
    }
    return List.copyOf(formats);
  }

  /**
   * The format called exactly {@code name}.
   *
   * @throws IllegalArgumentException naming the known formats if there is none by that name
   */
  public static InputFormat byName(String name) {
    List<InputFormat> formats = all();
    for (InputFormat format : formats) {
      if (format.name().equals(name)) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "unknown input format "
            + Text.quote(String.valueOf(name))
            + "; known formats: "
            + formats.stream().map(InputFormat::name).collect(Collectors.joining(", ")));
  }
}
