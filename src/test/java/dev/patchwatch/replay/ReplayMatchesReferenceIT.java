package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.topology.AggregateJson;
import dev.patchwatch.topology.TopologySettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Randomized event files through the real topology on the real broker, 1 to 6 partitions: the
 * finals written (counts, then transitions, then cohort points) must equal the independent
 * reference, line for line, and the rejected file must list exactly the rejected lines.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReplayMatchesReferenceIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}, {1} partition(s)")
  @CsvSource({"101, 1", "102, 2", "103, 3", "104, 4", "105, 6"})
  void shouldWriteExactlyTheReferenceFinals(long seed, int partitions) throws Exception {
    List<ScanEvent> events =
        RandomEvents.generate(seed, RandomEvents.Options.defaults().withHosts(150).withDays(4));
    Run run = replay(events, partitions, List.of());
    FinalsAssert.assertSameFinals(run.finals, expectedFinals(events, partitions));
    FinalsAssert.assertSameFinals(run.lines, expectedLines(events, partitions));
    assertThat(run.rejected).isEmpty();
    assertThat(run.result.accepted()).isEqualTo(events.size());
  }

  /**
   * A month of hosts rescanned every 12 h to 5 days, some regressing, a fifth compromised, with
   * ties, duplicates and disorder inside the grace, and in half the cases 3% of the events up to 30
   * h late: every transition and cohort point (ages 0 to 28, also those nobody was observed at)
   * must be the reference's, on any partition count.
   */
  @ParameterizedTest(name = "seed {0}, {1} partition(s), late {2}")
  @CsvSource({
    "501, 1, false",
    "502, 2, true",
    "503, 3, false",
    "504, 4, true",
    "505, 5, false",
    "506, 6, true"
  })
  void shouldWriteExactlyTheReferenceTransitionsAndCohorts(long seed, int partitions, boolean late)
      throws Exception {
    RandomEvents.Options options =
        RandomEvents.Options.forTransitions(Instant.parse("2021-02-20T09:30:00Z"), 31)
            .withHosts(60);
    if (late) {
      options = options.withLate(0.03, Duration.ofHours(30));
    }
    List<ScanEvent> events = RandomEvents.generate(seed, options);
    ReferenceModel.Result expected = ReferenceModel.compute(events, partitions);
    assertThat(expected.transitions()).anyMatch(t -> t.getRegressed() > 0);
    assertThat(expected.transitions()).anyMatch(t -> t.getCompromisedButRemediated() > 0);
    assertThat(expected.cohorts()).anyMatch(c -> c.getAgeDays() == 28);
    assertThat(expected.cohorts()).anyMatch(c -> c.getObserved() == 0);
    assertThat(expected.late().isEmpty()).isEqualTo(!late);

    Run run = replay(events, partitions, List.of());

    FinalsAssert.assertSameFinals(run.lines, expectedLines(events, partitions));
    assertThat(run.result.transitions()).isEqualTo(expected.transitions().size());
    assertThat(run.result.cohorts()).isEqualTo(expected.cohorts().size());
    assertThat(run.result.late()).isEqualTo(expected.late().size());
  }

  @ParameterizedTest(name = "seed {0}, {1} partition(s)")
  @CsvSource({"201, 1", "202, 3", "203, 5"})
  void shouldRejectExactlyTheLateLinesTheReferenceRejects(long seed, int partitions)
      throws Exception {
    List<ScanEvent> events =
        RandomEvents.generate(
            seed, RandomEvents.Options.withLateEvents().withHosts(150).withDays(4));
    Run run = replay(events, partitions, List.of());
    ReferenceModel.Result expected = ReferenceModel.compute(events, partitions);
    FinalsAssert.assertSameFinals(run.finals, expectedFinals(events, partitions));
    FinalsAssert.assertSameFinals(run.lines, expectedLines(events, partitions));
    Map<Long, List<String>> expectedLate = new TreeMap<>();
    expected
        .late()
        .forEach(
            l ->
                expectedLate.put(
                    l.index() + 1L, l.granularities().stream().map(Enum::name).toList()));
    Map<Long, List<String>> late = new TreeMap<>();
    for (JsonNode r : run.rejected) {
      assertThat(r.get("reason").asText()).isEqualTo("LATE");
      List<String> granularities = new ArrayList<>();
      r.get("granularities").forEach(g -> granularities.add(g.asText()));
      late.put(r.get("line").asLong(), granularities);
    }
    assertThat(expectedLate).isNotEmpty();
    assertThat(late).isEqualTo(expectedLate);
    assertThat(run.result.late()).isEqualTo(expectedLate.size());
  }

  @Test
  void shouldListEveryInvalidLineAndCountTheRest() throws Exception {
    List<ScanEvent> events =
        RandomEvents.generate(301, RandomEvents.Options.defaults().withHosts(40).withDays(2));
    List<String> bad =
        List.of(
            "{not json",
            "[1,2]",
            "{\"scanner\":\"s\",\"observedAt\":\"2021-03-08T10:00:00Z\",\"ip\":\"mail.example.com\",\"vulnerability\":\"CVE-2021-26855\",\"status\":\"VULNERABLE\"}",
            "{\"scanner\":\"s\",\"observedAt\":\"2021-03-08T10:00:00Z\",\"ip\":\"192.0.2.1\",\"vulnerability\":\"CVE-2021-26855\"}",
            "");
    Run run = replay(events, 3, bad);
    FinalsAssert.assertSameFinals(run.finals, expectedFinals(events, 3));
    assertThat(run.rejected)
        .extracting(r -> r.get("reason").asText())
        .containsExactly("NOT_JSON", "NOT_OBJECT", "INVALID_FIELD", "MISSING_FIELD", "NOT_JSON");
    // the bad lines were appended after the events
    assertThat(run.rejected)
        .extracting(r -> r.get("line").asLong())
        .containsExactly(
            events.size() + 1L,
            events.size() + 2L,
            events.size() + 3L,
            events.size() + 4L,
            events.size() + 5L);
    assertThat(run.rejected.get(2).get("input").asText()).isEqualTo(bad.get(2));
    assertThat(run.result.rejected()).isEqualTo(5);
    assertThat(run.result.accepted()).isEqualTo(events.size());
  }

  /**
   * @param finals the count lines of the output file
   * @param lines every line of it
   */
  private record Run(
      Replay.Result result, List<String> finals, List<String> lines, List<JsonNode> rejected) {}

  private Run replay(List<ScanEvent> events, int partitions, List<String> extraLines)
      throws Exception {
    Path input = dir.resolve("events.jsonl");
    RandomEvents.writeJsonLines(events, input);
    if (!extraLines.isEmpty()) {
      Files.writeString(
          input,
          String.join("\n", extraLines) + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
    }
    Path output = dir.resolve("finals.jsonl");
    Path rejected = dir.resolve("rejected.jsonl");
    String id = SharedKafka.unique("replay");
    TopologySettings settings =
        TopologySettings.defaults(partitions)
            .withTopicPrefix(id)
            .withApplicationId(id)
            .withIdleTimeout(Duration.ZERO)
            .withStoreType(TopologySettings.StoreType.IN_MEMORY);
    StringWriter progress = new StringWriter();
    Replay.Result result =
        new Replay(
                SharedKafka.bootstrapServers(),
                new InMemorySchemaRegistry(),
                dir.resolve("state"),
                settings,
                CLOCK,
                new PrintWriter(progress))
            .run(input, output, Optional.of(rejected));
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> rejectedLines = new ArrayList<>();
    for (String line : Files.readAllLines(rejected)) {
      rejectedLines.add(mapper.readTree(line));
    }
    List<String> lines = Files.readAllLines(output);
    return new Run(result, FinalsAssert.countLines(lines), lines, rejectedLines);
  }

  /** The whole output file: counts, then transitions, then cohort points (DESIGN 7.9). */
  private static List<String> expectedLines(List<ScanEvent> events, int partitions) {
    ReferenceModel.Result expected = ReferenceModel.compute(events, partitions);
    List<String> lines = new ArrayList<>(expectedFinals(events, partitions));
    expected.transitions().forEach(t -> lines.add(AggregateJson.toJson(t)));
    expected.cohorts().forEach(c -> lines.add(AggregateJson.toJson(c)));
    return lines;
  }

  private static List<String> expectedFinals(List<ScanEvent> events, int partitions) {
    return ReferenceModel.compute(events, partitions).finals().stream()
        .sorted(AggregateJson.ORDER)
        .map(AggregateJson::toJson)
        .toList();
  }
}
