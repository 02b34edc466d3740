package dev.patchwatch.cli;

import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.replay.ScanArchive;
import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.topology.EventTimeRange;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.avro.file.CodecFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code archive}: the scans topic to and from Avro files. */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description =
        "Archives of the scans topic: export to an Avro file, import from one (or from JSON lines).",
    subcommands = {ArchiveCommand.Export.class, ArchiveCommand.Import.class})
final class ArchiveCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: export or import");
  }

  /** {@code archive export}. */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Writes the scan events of the scans topic, selected by observedAt (--from inclusive, --to"
            + " exclusive), to an Avro object container file with its schema embedded.",
        "Reads every partition from its beginning to its end as of the start (committed records"
            + " only) and merges them by observedAt, keeping each partition's own order. Watermarks"
            + " are not archived. A record that cannot be decoded fails the export (exit 1, no file"
            + " written) unless --skip-undecodable is given. The file appears only once complete."
      })
  static final class Export implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;
    @Mixin ConnectionOptions connection;

    @Option(
        names = "--output",
        required = true,
        paramLabel = "FILE.avro",
        description = "The archive to write.")
    Path output;

    @Option(
        names = "--from",
        paramLabel = "TIME",
        converter = InstantConverter.class,
        description =
            "Only events observed at or after this: a date (midnight UTC) or an instant, e.g. 2021-03-01 or 2021-03-01T10:00:00Z.")
    Instant from;

    @Option(
        names = "--to",
        paramLabel = "TIME",
        converter = InstantConverter.class,
        description = "Only events observed before this.")
    Instant to;

    /** The Avro codecs whose libraries PatchWatch ships (bzip2 and xz would need more jars). */
    private static final List<String> CODECS = List.of("deflate", "snappy", "zstandard", "null");

    @Option(
        names = "--codec",
        defaultValue = "deflate",
        description =
            "Avro compression: deflate, snappy, zstandard or null (default: ${DEFAULT-VALUE}).")
    String codec;

    @Option(
        names = "--skip-undecodable",
        description =
            "Write the archive without the records that cannot be decoded (counted in the last"
                + " line) instead of failing.")
    boolean skipUndecodable;

    @Override
    public Integer call() throws IOException {
      EventTimeRange range = range(spec, from, to);
      if (!CODECS.contains(codec)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--codec must be one of " + CODECS + ", got " + codec);
      }
      CodecFactory compression = CodecFactory.fromString(codec);
      Config config = connection.load();
      ConfluentRegistryClient registry = Registries.client(config);
      String topic =
          Topics.create(
                  config.get(Config.TOPIC_PREFIX), config.get(Config.APPLICATION_ID), registry)
              .scans()
              .name();
      PrintWriter err = spec.commandLine().getErr();
      ScanArchive.Exported result;
      try {
        result =
            new ScanArchive(ConnectionOptions.cluster(config), registry, Clock.systemUTC(), err)
                .export(topic, range, output, compression, skipUndecodable);
      } catch (ScanArchive.UndecodableRecordsException e) {
        throw new IOException(
            e.getMessage()
                + ": make them decodable (is every schema still in the registry?), or pass"
                + " --skip-undecodable to archive the rest",
            e);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "exported %,d events to %s in %.1f s (%,d records read: %,d outside the range, %,d watermarks, %,d undecodable, skipped)%n",
          result.exported(),
          output,
          result.elapsed().toMillis() / 1000.0,
          result.read(),
          result.outsideRange(),
          result.watermarks(),
          result.undecodable());
      out.flush();
      return 0;
    }
  }

  /** {@code archive import}. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Publishes the events of an Avro archive or a JSON-lines file (told apart by content), or"
            + " of a file in the --format given, to the scans topic with their original"
            + " observedAt, validated like any scanner's.",
        "An archive is read whole first: a damaged one (cut short, corrupt) is refused, naming"
            + " the record where reading failed, before anything is published.",
        "Invalid records are listed with their file and position and published to the rejected"
            + " topic. Missing topics are created (the scans topic with the `partitions` setting, 6 by"
            + " default). A line or record larger than the `max.event.bytes` setting (512 KiB by"
            + " default) is rejected as TOO_LARGE."
      })
  static final class Import implements Callable<Integer> {

    /** Stands for "the watermark that closes every imported window". */
    private static final String CLOSING = "closing";

    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;
    @Mixin ConnectionOptions connection;

    @Parameters(paramLabel = "FILE", description = "FILE.avro or FILE.jsonl.")
    Path input;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        description =
            "Read FILE in this format: ${COMPLETION-CANDIDATES}; without it, an Avro archive or"
                + " JSON lines, told apart by content.",
        completionCandidates = ReplayCommand.EventFormatNames.class)
    String format;

    @Option(
        names = "--watermark",
        arity = "0..1",
        fallbackValue = CLOSING,
        paramLabel = "TIME",
        description =
            "Then send a watermark: at TIME, or without TIME one that closes every window"
                + " holding an imported event (on a live stack, events observed before it are then LATE).")
    String watermark;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Any other setting (see `run --help`), e.g. partitions=12.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
      if (!Files.isReadable(input) || Files.isDirectory(input)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + input);
      }
      InputFormat inputFormat = ReplayCommand.inputFormat(spec, input, format);
      Config config = connection.load(settings);
      TopologySettings topology = config.topologySettings(ConnectionOptions.cluster(config));
      Optional<ScanArchive.ImportWatermark> after = importWatermark(topology);
      short replication = config.get(Config.REPLICATION_FACTOR);
      ScanArchive.Imported result =
          new ScanArchive(
                  ConnectionOptions.cluster(config),
                  Registries.client(config),
                  Clock.systemUTC(),
                  spec.commandLine().getErr(),
                  config.get(Config.MAX_EVENT_BYTES))
              .importFile(
                  input,
                  inputFormat,
                  topology,
                  replication > 0 ? Optional.of(replication) : Optional.empty(),
                  after);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "imported %s: %,d events published, %,d rejected (in %s.rejected), %s, in %.1f s%n",
          input,
          result.published(),
          result.rejected(),
          topology.topicPrefix(),
          result
              .watermark()
              .map(w -> "then a watermark at " + w)
              .orElse(
                  CLOSING.equals(watermark)
                      ? "no closing watermark (no event was published, so no window to close)"
                      : "no watermark"),
          result.elapsed().toMillis() / 1000.0);
      out.flush();
      return 0;
    }

    /** The watermark {@code --watermark} asks for, if any. */
    private Optional<ScanArchive.ImportWatermark> importWatermark(TopologySettings topology) {
      if (CLOSING.equals(watermark)) {
        return Optional.of(
            new ScanArchive.ImportWatermark.Closing(
                ScanArchive.closingWatermark(topology, Clock.systemUTC())));
      }
      if (watermark == null) {
        return Optional.empty();
      }
      try {
        return Optional.of(
            new ScanArchive.ImportWatermark.At(new InstantConverter().convert(watermark)));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--watermark: " + e.getMessage());
      }
    }
  }

  /** The range of {@code --from} and {@code --to}, refused when empty. */
  static EventTimeRange range(CommandSpec spec, Instant from, Instant to) {
    try {
      return EventTimeRange.of(from, to);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--from and --to: " + e.getMessage());
    }
  }
}
