package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.RejectReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checked-in hostile-input corpus agrees with its index, covers what issue 12 lists, and is
 * still what {@link MalformedScans} makes: a file lost, added, edited or converted by a tool (line
 * endings, encodings) fails here, not as a puzzling pass elsewhere.
 */
class HostileCorpusTest {

  /** What a line of a scan file can be rejected for; the others belong to records on topics. */
  private static final Set<String> LINE_REASONS =
      EnumSet.of(
              RejectReason.NOT_JSON,
              RejectReason.NOT_OBJECT,
              RejectReason.MISSING_FIELD,
              RejectReason.INVALID_FIELD,
              RejectReason.UNKNOWN_FIELD,
              RejectReason.TOO_LARGE)
          .stream()
          .map(Enum::name)
          .collect(Collectors.toSet());

  @Test
  void shouldHoldAtLeast200FilesEachListedOnceWithItsDigest() throws Exception {
    List<HostileCorpus.Entry> entries = HostileCorpus.checkedIn();
    assertThat(entries).hasSizeGreaterThanOrEqualTo(200);

    List<String> problems = new ArrayList<>();
    for (HostileCorpus.Entry entry : entries) {
      if (!Files.isRegularFile(entry.file())) {
        problems.add("missing: " + entry.file().getFileName());
        continue;
      }
      byte[] bytes = Files.readAllBytes(entry.file());
      if (!MalformedScans.sha256(bytes).equals(entry.sha256())) {
        problems.add("changed since indexed: " + entry.file().getFileName());
      }
      // line 1 valid, line 2 malformed, each ended by a newline and nothing after
      long newlines = 0;
      for (byte b : bytes) {
        newlines += b == '\n' ? 1 : 0;
      }
      if (newlines != 2 || bytes[bytes.length - 1] != '\n') {
        problems.add("not two lines: " + entry.file().getFileName());
      }
      if (entry.reasons().isEmpty() || !LINE_REASONS.containsAll(entry.reasons())) {
        problems.add("unexpected reason " + entry.reasons() + ": " + entry.file().getFileName());
      }
    }
    assertThat(problems).isEmpty();
    assertThat(entries.stream().map(HostileCorpus.Entry::name).distinct().count())
        .isEqualTo(entries.size());
    try (Stream<Path> listed = Files.list(HostileCorpus.directory())) {
      assertThat(
              listed
                  .map(p -> p.getFileName().toString())
                  .filter(name -> !name.equals(MalformedScans.INDEX) && !name.equals("README.md")))
          .as(
              "files in the corpus directory the index does not list (after regenerating, old"
                  + " copies may be left in target/test-classes: mvn clean)")
          .containsExactlyInAnyOrderElementsOf(
              entries.stream().map(e -> e.file().getFileName().toString()).toList());
    }
  }

  @Test
  void shouldCoverWhatTheIssueLists() {
    Map<String, Long> covered =
        HostileCorpus.checkedIn().stream()
            .collect(
                Collectors.groupingBy(
                    HostileCorpus.Entry::covers, TreeMap::new, Collectors.counting()));
    assertThat(covered)
        .containsKeys(
            "invalid UTF-8",
            "NUL byte",
            "lone surrogate",
            "deep nesting",
            "duplicated key",
            "number out of range or malformed",
            "year 1970",
            "year 9999",
            "IPv6 zone id",
            "host name");
    System.out.printf("hostile corpus: %s%n", covered);
  }

  @Test
  void shouldBeExactlyWhatTheGeneratorMakes() throws Exception {
    List<MalformedScans.Case> cases = MalformedScans.checkedIn();
    List<HostileCorpus.Entry> entries = HostileCorpus.checkedIn();
    assertThat(entries).hasSameSizeAs(cases);
    for (int i = 0; i < cases.size(); i++) {
      MalformedScans.Case c = cases.get(i);
      HostileCorpus.Entry entry = entries.get(i);
      assertThat(entry.name()).isEqualTo(c.name());
      assertThat(entry.reasons()).as(c.name()).isEqualTo(c.reasons());
      assertThat(entry.covers()).as(c.name()).isEqualTo(MalformedScans.covers(c));
      assertThat(Files.readAllBytes(entry.file()))
          .as(c.name())
          .isEqualTo(MalformedScans.file(i, c));
    }
    // and what is left out is only what is too large to check in
    assertThat(MalformedScans.generatedAtTestTime())
        .allSatisfy(
            c -> assertThat(c.line().length).isGreaterThan(MalformedScans.CHECKED_IN_MAX_BYTES))
        .extracting(MalformedScans.Case::name)
        .containsExactly("nesting-array-60000", "nesting-object-60000", "too-large-hostname");
  }
}
