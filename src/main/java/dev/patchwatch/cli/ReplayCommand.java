package dev.patchwatch.cli;

import dev.patchwatch.event.EventContract;
import dev.patchwatch.local.LocalStack;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.replay.ArchiveCheck;
import dev.patchwatch.replay.AvroArchiveFormat;
import dev.patchwatch.replay.EventFiles;
import dev.patchwatch.replay.Replay;
import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code replay}: the real topology on a fresh embedded broker over a file of events. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the real topology on a fresh embedded broker and local schema registry (free ports, a"
          + " temporary directory removed afterwards) over a file of events, JSON lines, an Avro"
          + " archive from `archive export` or any --format of `ingest`, and writes every final"
          + " aggregate as JSON lines.",
      "Invalid lines (or archive records) are rejected, never counted; --rejected lists them."
    })
final class ReplayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "EVENTS.jsonl|ARCHIVE.avro",
      description =
          "Scan events: one JSON object per line, or an Avro archive (told apart by content), or"
              + " a file in the --format given.")
  Path input;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "Read --input in this format: ${COMPLETION-CANDIDATES}; without it, an Avro archive or"
              + " JSON lines, told apart by content.",
      completionCandidates = EventFormatNames.class)
  String format;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "AGGREGATES.jsonl",
      description = "Where the final aggregates go.")
  Path output;

  @Option(
      names = "--rejected",
      paramLabel = "REJECTED.jsonl",
      description = "Also write every rejected line (or archive record), with its reason.")
  Path rejected;

  @Option(
      names = "--registry-url",
      description = "Use this Confluent-compatible registry instead of starting a local one.")
  String registryUrl;

  @Option(
      names = "--partitions",
      defaultValue = "2",
      description = "Partitions of the scans topic, 1 to 64 (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--max-event-bytes",
      paramLabel = "BYTES",
      description =
          "Largest event (input line, archive record); larger ones are rejected as TOO_LARGE, keeping"
              + " their first "
              + EventContract.KEPT_BYTES
              + " bytes (setting max.event.bytes, default "
              + EventContract.DEFAULT_MAX_EVENT_BYTES
              + "; the embedded broker takes records up to 1 MiB).")
  Integer maxEventBytes;

  @Mixin SettingsOptions options;

  @Override
  public Integer call() throws IOException {
    InputFormat inputFormat = checkedOptions();
    Map<String, String> flags = new LinkedHashMap<>();
    SettingsOptions.put(flags, Config.MAX_EVENT_BYTES, maxEventBytes);
    Config config = options.load(flags);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // a fresh stack of its own: in-memory state, and no idle timeout, so results never depend on
    // timing (DESIGN section 7.3)
    TopologySettings settings =
        config
            .topologySettings(partitions)
            .withApplicationId("patchwatch-replay")
            .withIdleTimeout(Duration.ZERO)
            .withStoreType(TopologySettings.StoreType.IN_MEMORY);
    Path work = Files.createTempDirectory("patchwatch-replay-");
    try (LocalStack stack = LocalStack.start(work, 0, 0, Optional.ofNullable(registryUrl))) {
      SchemaRegistry registry = ConfluentRegistryClient.builder(stack.registryUrl()).build();
      err.printf(
          "replaying %s on a fresh broker at %s, registry %s, %d partition(s)%n",
          input, stack.bootstrapServers(), stack.registryUrl(), partitions);
      Replay.Result result =
          new Replay(
                  stack.bootstrapServers(),
                  registry,
                  work.resolve("streams"),
                  settings,
                  Clock.systemUTC(),
                  err)
              .run(input, inputFormat, output, Optional.ofNullable(rejected));
      double seconds = Math.max(result.elapsed().toMillis(), 1) / 1000.0;
      out.printf(
          "accepted %,d, rejected %,d (%,d accepted events late for some windows); %,d finals,"
              + " %,d transitions and %,d cohort points written to %s in %.1f s (%,.0f events/s)%n",
          result.accepted(),
          result.rejected(),
          result.late(),
          result.finals(),
          result.transitions(),
          result.cohorts(),
          output,
          seconds,
          result.lines() / seconds);
      return 0;
    } finally {
      deleteRecursively(work);
    }
  }

  /** The format to read --input in, once every option is checked, before anything starts. */
  private InputFormat checkedOptions() throws IOException {
    if (maxEventBytes != null && maxEventBytes < EventContract.KEPT_BYTES) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--max-event-bytes must be at least "
              + EventContract.KEPT_BYTES
              + ", got "
              + maxEventBytes);
    }
    if (partitions < 1 || partitions > 64) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--partitions must be 1 to 64, got " + partitions);
    }
    if (!Files.isReadable(input) || Files.isDirectory(input)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "cannot read --input "
              + input
              + (Files.isDirectory(input)
                  ? ": it is a directory"
                  : Files.exists(input) ? ": permission denied" : ": no such file"));
    }
    InputFormat inputFormat = inputFormat(spec, input, format);
    // before a minute of work, not after it
    if (inputFormat instanceof AvroArchiveFormat) {
      ArchiveCheck.verify(input);
    }
    requireDirectoryFor("--output", output);
    if (rejected != null) {
      requireDirectoryFor("--rejected", rejected);
    }
    return inputFormat;
  }

  /**
   * The format named by {@code --format}, or without it the one {@code input}'s content shows.
   *
   * @throws CommandLine.ParameterException naming the known formats if there is none by that name
   */
  static InputFormat inputFormat(CommandSpec spec, Path input, String format) throws IOException {
    try {
      return EventFiles.of(input, Optional.ofNullable(format));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** The names of the formats replay and archive import read, for --help. */
  static final class EventFormatNames extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    EventFormatNames() {
      super(EventFiles.all().stream().map(InputFormat::name).toList());
    }
  }

  private void requireDirectoryFor(String option, Path file) {
    Path directory = file.toAbsolutePath().getParent();
    if (Files.isDirectory(file) || directory == null || !Files.isDirectory(directory)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "cannot write "
              + option
              + " "
              + file
              + (Files.isDirectory(file) ? ": it is a directory" : ": no directory " + directory));
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
