package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input corpus through {@code ingest --to-jsonl}, one file at a time: the checked-in
 * files of {@code src/test/resources/hostile-corpus/} and the few written at test time. Each file's
 * malformed line is rejected with one of its expected reasons, its valid line is converted, and
 * nothing takes the command down.
 */
class MalformedCorpusTest {

  @TempDir Path dir;

  @Test
  void shouldRejectEveryMalformedLineWithItsReasonAndKeepTheValidOne() throws Exception {
    List<HostileCorpus.Entry> files = new java.util.ArrayList<>(HostileCorpus.checkedIn());
    assertThat(files).hasSizeGreaterThanOrEqualTo(200);
    files.addAll(HostileCorpus.generatedAtTestTime(Files.createDirectory(dir.resolve("large"))));
    Map<String, Integer> reasons = new java.util.TreeMap<>();
    List<String> wrong = new java.util.ArrayList<>();

    for (HostileCorpus.Entry c : files) {
      Path out = dir.resolve("out.jsonl");
      Cli cli =
          Cli.run("ingest", "--format", "jsonl", "--to-jsonl", out.toString(), c.file().toString());

      assertThat(cli.exitCode()).as(c.name() + ": " + cli.err()).isZero();
      assertThat(cli.out())
          .as(c.name())
          .startsWith("converted 1 events from 1 file(s), rejected 1");
      Matcher rejection =
          Pattern.compile(Pattern.quote(c.file().toString()) + ":2: ([A-Z_]+): (.+)")
              .matcher(cli.err());
      assertThat(rejection.find()).as(c.name() + ": " + cli.err()).isTrue();
      if (!c.reasons().contains(rejection.group(1))) {
        wrong.add(c.name() + " expected " + c.reasons() + ": " + rejection.group(0));
      }
      assertThat(rejection.group(2)).as(c.name()).isNotBlank();
      reasons.merge(rejection.group(1), 1, Integer::sum);
      List<String> converted = Files.readAllLines(out, StandardCharsets.UTF_8);
      assertThat(converted).as(c.name()).hasSize(1);
      assertThat(converted.get(0)).contains("\"scanner\":\"corpus\"");
    }
    assertThat(wrong).as("rejected for another reason than expected").isEmpty();
    System.out.printf(
        "corpus: %d malformed files (%d checked in), each rejected: %s%n",
        files.size(), HostileCorpus.checkedIn().size(), reasons);
  }

  @Test
  void shouldRejectASingleLineOf50MegabytesAsTooLarge() throws Exception {
    // generated here, never checked in: a valid event's line padded to 50 MB inside a string
    Path input = dir.resolve("huge.jsonl");
    byte[] head = "{\"scanner\":\"corpus\",\"hostname\":\"".getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(input)) {
      out.write(MalformedScans.validLine(1));
      out.write('\n');
      out.write(head);
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) 'a');
      for (int i = 0; i < 50; i++) {
        out.write(chunk);
      }
      out.write("\"}\n".getBytes(StandardCharsets.UTF_8));
      out.write(MalformedScans.validLine(2));
      out.write('\n');
    }
    Path out = dir.resolve("out.jsonl");

    Cli cli =
        Cli.run("ingest", "--format", "jsonl", "--to-jsonl", out.toString(), input.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out()).startsWith("converted 2 events from 1 file(s), rejected 1");
    long length = head.length + 50L * (1 << 20) + 2;
    assertThat(cli.err())
        .contains(
            input + ":2: TOO_LARGE: line is " + length + " bytes, more than the limit of 524288");
    assertThat(Files.readAllLines(out)).hasSize(2);
  }
}
