package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.local.SharedRegistry;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input corpus through {@code replay} on the real embedded broker and registry: every
 * corpus file's lines (the checked-in ones, then those written at test time) in one input (replay
 * starts a stack per run, so one run, not one per file), with a single line of 50 MB generated at
 * its end. Each malformed line is rejected with one of its reasons and its line number, the valid
 * ones are counted, and the run ends.
 */
class MalformedCorpusReplayCliIT {

  @TempDir Path dir;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void shouldRejectEveryMalformedLineWithItsReasonAndCountTheValidOnes() throws Exception {
    List<HostileCorpus.Entry> files = new ArrayList<>(HostileCorpus.checkedIn());
    files.addAll(HostileCorpus.generatedAtTestTime(Files.createDirectory(dir.resolve("large"))));
    Path input = dir.resolve("corpus.jsonl");
    Map<Long, HostileCorpus.Entry> expected = new HashMap<>();
    long line = 0;
    try (OutputStream out = Files.newOutputStream(input)) {
      for (HostileCorpus.Entry file : files) {
        // each file is its valid line, then its malformed line
        out.write(Files.readAllBytes(file.file()));
        line += 2;
        expected.put(line, file);
      }
      // one line of 50 MB, generated here: a valid event's start, then 50 MiB inside a string
      out.write("{\"scanner\":\"corpus\",\"hostname\":\"".getBytes(StandardCharsets.UTF_8));
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) 'a');
      for (int i = 0; i < 50; i++) {
        out.write(chunk);
      }
      out.write("\"}\n".getBytes(StandardCharsets.UTF_8));
      line++;
      expected.put(
          line,
          new HostileCorpus.Entry(
              input, "50-megabytes", "line over the limit", java.util.Set.of("TOO_LARGE"), ""));
    }
    Path output = dir.resolve("finals.jsonl");
    Path rejected = dir.resolve("rejected.jsonl");

    Cli cli =
        Cli.run(
            "replay",
            "--input",
            input.toString(),
            "--format",
            "jsonl",
            "--output",
            output.toString(),
            "--rejected",
            rejected.toString(),
            "--partitions",
            "2",
            "--registry-url",
            SharedRegistry.url());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out())
        .startsWith("accepted " + files.size() + ", rejected " + expected.size() + " ");
    ObjectMapper json = new ObjectMapper();
    List<String> rejections = Files.readAllLines(rejected, StandardCharsets.UTF_8);
    assertThat(rejections).hasSize(expected.size());
    for (String text : rejections) {
      JsonNode rejection = json.readTree(text);
      HostileCorpus.Entry c = expected.remove(rejection.get("line").asLong());
      assertThat(c).as("a rejection of a line that is not malformed: " + text).isNotNull();
      assertThat(c.reasons()).as(c.name() + ": " + text).contains(rejection.get("reason").asText());
      assertThat(rejection.get("message").asText()).as(c.name()).isNotBlank();
    }
    assertThat(expected).as("malformed lines never rejected").isEmpty();
    // the valid lines are counted: their hosts are in the daily GLOBAL final
    assertThat(Files.readAllLines(output))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"granularity\":\"DAILY\"")
                    .contains("\"dimension\":\"GLOBAL\""));
  }
}
