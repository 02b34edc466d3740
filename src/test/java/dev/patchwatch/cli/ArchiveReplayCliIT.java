package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.local.LocalRegistry;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.scanner.format.FormatReader;
import dev.patchwatch.scanner.format.InputFormats;
import dev.patchwatch.topology.AggregateJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history commands as a user runs them, in-process, against a running broker and a real local
 * Apicurio registry (the stack `local` runs).
 */
class ArchiveReplayCliIT {

  @TempDir static Path registryDir;
  private static LocalRegistry registry;

  @TempDir Path dir;

  @BeforeAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void startRegistry() {
    registry = LocalRegistry.start(LocalRegistry.defaultHome(), registryDir, 0);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  /** The acceptance of "Replaying history": import, export, replay the archive, same finals. */
  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void shouldReplayAnExportedArchiveIntoExactlyTheFinalsOfTheOriginalFile() throws IOException {
    List<ScanEvent> events =
        RandomEvents.generate(601, RandomEvents.Options.defaults().withHosts(120).withDays(3));
    Path jsonl = dir.resolve("events.jsonl");
    RandomEvents.writeJsonLines(events, jsonl);
    Files.writeString(
        jsonl,
        "{not json\n{\"scanner\":\"s\"}\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    String prefix = SharedKafka.unique("cli-archive");

    Cli imported =
        Cli.run("archive", "import", jsonl.toString(), "--set", "partitions=3", connection(prefix));
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(imported.out())
        .contains(String.format(Locale.ROOT, "%,d events published, 2 rejected", events.size()));
    assertThat(imported.err())
        .contains(jsonl + ":" + (events.size() + 1) + ": NOT_JSON")
        .contains(jsonl + ":" + (events.size() + 2) + ": MISSING_FIELD");

    Path archive = dir.resolve("a.avro");
    Cli exported = Cli.run("archive", "export", "--output", archive.toString(), connection(prefix));
    assertThat(exported.exitCode()).as(exported.err()).isZero();
    assertThat(exported.out())
        .startsWith(
            String.format(Locale.ROOT, "exported %,d events to %s", events.size(), archive));
    assertThat(exported.err()).contains("exporting " + prefix + ".scans (3 partitions");

    Path fromArchive = dir.resolve("f.jsonl");
    Path fromFile = dir.resolve("g.jsonl");
    Cli replayArchive =
        Cli.run(
            "replay",
            "--input",
            archive.toString(),
            "--output",
            fromArchive.toString(),
            "--registry-url",
            registry.url());
    assertThat(replayArchive.exitCode()).as(replayArchive.err()).isZero();
    Cli replayFile =
        Cli.run(
            "replay",
            "--input",
            jsonl.toString(),
            "--output",
            fromFile.toString(),
            "--registry-url",
            registry.url());
    assertThat(replayFile.exitCode()).as(replayFile.err()).isZero();

    List<String> finals = Files.readAllLines(fromArchive);
    assertThat(finals).isNotEmpty().isEqualTo(Files.readAllLines(fromFile));
    FinalsAssert.assertSameFinals(
        FinalsAssert.countLines(finals),
        ReferenceModel.compute(events, 2).finals().stream()
            .sorted(AggregateJson.ORDER)
            .map(AggregateJson::toJson)
            .toList());
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void shouldReprocessListPromoteAndDeleteARunFromTheCommandLine() throws IOException {
    List<ScanEvent> events =
        RandomEvents.generate(602, RandomEvents.Options.defaults().withHosts(60).withDays(2));
    Path jsonl = dir.resolve("events.jsonl");
    RandomEvents.writeJsonLines(events, jsonl);
    String prefix = SharedKafka.unique("cli-runs");
    String[] settings = {
      "--application-id",
      prefix,
      "--set",
      "state.dir=" + dir.resolve("state"),
      "--set",
      "idle.timeout=0s"
    };

    Cli imported =
        Cli.run(
            "archive",
            "import",
            jsonl.toString(),
            "--watermark",
            "--set",
            "partitions=2",
            connection(prefix));
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(imported.out()).contains("then a watermark at");

    Cli bad = Cli.run("reprocess", "--from", "2021-03-09T10:00", connection(prefix));
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("has no offset: add Z for UTC");

    Cli reprocess =
        Cli.run(
            "reprocess",
            "--run-id",
            "cli",
            "--from",
            "2021-03-09",
            "--until-caught-up",
            connection(prefix),
            settings);
    assertThat(reprocess.exitCode()).as(reprocess.err()).isZero();
    assertThat(reprocess.out())
        .contains("run cli started: outputs in " + prefix + ".run-cli.*")
        .contains("run cli caught up");

    Cli list = Cli.run("reprocess", "list", connection(prefix), settings);
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out()).containsPattern("cli +stopped +2021-03-09T00:00:00Z +… ");

    Cli dryRun = Cli.run("reprocess", "promote", "cli", "--dry-run", connection(prefix), settings);
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    // the live application never ran here: every final of the run would be added
    assertThat(dryRun.out())
        .contains("progress none: it never ran")
        .containsPattern(
            prefix.replace(".", "\\.")
                + "\\.counts\\.daily: [1-9][0-9,]* added, 0 changed, 0 removed")
        .contains("    + DAILY 2021-03-09T00:00:00Z")
        .endsWith("dry run: nothing written.\n");

    Cli delete = Cli.run("reprocess", "delete", "cli", connection(prefix), settings);
    assertThat(delete.exitCode()).as(delete.err()).isZero();
    assertThat(delete.out())
        .contains("deleted run cli: ")
        .contains(prefix + ".run-cli.counts.daily")
        .contains("its consumer group");
    assertThat(Cli.run("reprocess", "list", connection(prefix), settings).out())
        .contains("(no runs)");
  }

  /**
   * A Shadowserver report, read as ingest reads it, through replay and import on the real stack.
   */
  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void shouldReplayAndImportAShadowserverReportNamedByFormat() throws IOException {
    Path report = dir.resolve("report.csv");
    try (var in = getClass().getResourceAsStream("/formats/shadowserver-exchange.csv")) {
      Files.write(report, in.readAllBytes());
    }
    List<FormatReader.ReadResult> read = new ArrayList<>();
    try (var in = Files.newInputStream(report)) {
      new FormatReader(
              InputFormats.byName("shadowserver"), new EventContract(java.time.Clock.systemUTC()))
          .read(in, read::add);
    }
    long events = read.stream().filter(r -> r instanceof FormatReader.ReadResult.Event).count();
    List<Long> refused =
        read.stream()
            .filter(r -> r instanceof FormatReader.ReadResult.Rejection)
            .map(FormatReader.ReadResult::position)
            .toList();
    assertThat(events).isPositive();
    assertThat(refused).isNotEmpty();

    Path output = dir.resolve("finals.jsonl");
    Path rejected = dir.resolve("rejected.jsonl");
    Cli replay =
        Cli.run(
            "replay",
            "--input",
            report.toString(),
            "--format",
            "shadowserver",
            "--output",
            output.toString(),
            "--rejected",
            rejected.toString());
    assertThat(replay.exitCode()).as(replay.err()).isZero();
    assertThat(replay.out())
        .startsWith(
            String.format(Locale.ROOT, "accepted %,d, rejected %,d (", events, refused.size()));
    assertThat(Files.readAllLines(output)).isNotEmpty();
    assertThat(Files.readAllLines(rejected))
        .extracting(l -> Long.parseLong(l.replaceAll("^\\{\"line\":(\\d+),.*", "$1")))
        .containsExactlyElementsOf(refused);

    String prefix = SharedKafka.unique("cli-shadowserver");
    Cli imported =
        Cli.run(
            "archive",
            "import",
            report.toString(),
            "--format",
            "shadowserver",
            "--set",
            "partitions=3",
            connection(prefix));
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(imported.err()).contains("importing " + report + " (shadowserver) into");
    assertThat(imported.out())
        .contains(
            String.format(
                Locale.ROOT, "%,d events published, %,d rejected", events, refused.size()));
  }

  private static String[] connection(String prefix) {
    return Cli.connection(SharedKafka.bootstrapServers(), registry.url(), prefix);
  }
}
