package dev.patchwatch.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The checked-in hostile-input corpus ({@code src/test/resources/hostile-corpus/}) as its index
 * describes it, and the few cases too large to check in, written at test time.
 */
final class HostileCorpus {

  /**
   * One corpus file: a valid event on line 1, the malformed line on line 2.
   *
   * @param reasons the reasons line 2 may be rejected for
   * @param sha256 the file's digest as the index records it; empty for generated files
   */
  record Entry(Path file, String name, String covers, Set<String> reasons, String sha256) {}

  private HostileCorpus() {}

  /** The corpus directory on the test class path. */
  static Path directory() {
    URL index = HostileCorpus.class.getResource("/hostile-corpus/" + MalformedScans.INDEX);
    if (index == null) {
      throw new IllegalStateException("hostile-corpus/index.tsv is not on the test class path");
    }
    try {
      return Path.of(index.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The checked-in files, in index order. */
  static List<Entry> checkedIn() {
    Path dir = directory();
    List<Entry> entries = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(dir.resolve(MalformedScans.INDEX))) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] columns = line.split("\t", -1);
        if (columns.length != 5) {
          throw new IllegalStateException("index line without 5 columns: " + line);
        }
        entries.add(
            new Entry(
                dir.resolve(columns[0]),
                columns[1],
                columns[2],
                Set.of(columns[3].split("\\|")),
                columns[4]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  /**
   * Writes the cases too large to check in (the single 50 MB line aside) into {@code dir}, in the
   * corpus's file format, numbered after the checked-in ones.
   */
  static List<Entry> generatedAtTestTime(Path dir) throws IOException {
    List<Entry> entries = new ArrayList<>();
    // numbered on from the checked-in files: every valid line stays a host of its own
    int n = MalformedScans.checkedIn().size();
    for (MalformedScans.Case c : MalformedScans.generatedAtTestTime()) {
      Path file = dir.resolve(MalformedScans.fileName(n, c));
      Files.write(file, MalformedScans.file(n, c));
      entries.add(new Entry(file, c.name(), MalformedScans.covers(c), c.reasons(), ""));
      n++;
    }
    return entries;
  }

  /** The malformed line of a corpus file: its second line, without the newline. */
  static byte[] malformedLine(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int first = indexOf(bytes, 0);
    return java.util.Arrays.copyOfRange(bytes, first + 1, bytes.length - 1);
  }

  /** The valid first line, as text. */
  static String validLine(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return new String(bytes, 0, indexOf(bytes, 0), StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
