package dev.patchwatch.cli;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.scanner.FilePublisher;
import dev.patchwatch.scanner.InvalidScanEventException;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.scanner.ScanSink;
import dev.patchwatch.scanner.format.FormatReader.ReadResult;
import dev.patchwatch.scanner.format.InputFile;
import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.scanner.format.InputFormats;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ingest}: publishes scanner output, or converts it to canonical JSON lines offline. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes scanner output to PatchWatch, validated against the event contract, with"
          + " progress and a summary; records that cannot be mapped or are invalid are listed and"
          + " sent to the rejected topic, never counted.",
      "With --to-jsonl it converts offline to canonical JSON lines and needs no broker."
    })
final class IngestCommand implements Callable<Integer> {

  /** Rejections listed one by one; the rest are counted (and all are on the rejected topic). */
  private static final int LISTED_REJECTIONS = 20;

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Option(
      names = "--format",
      required = true,
      description = "Input format: ${COMPLETION-CANDIDATES}.",
      completionCandidates = FormatNames.class)
  String format;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Files to read, in order.")
  List<Path> files;

  @Option(
      names = "--to-jsonl",
      paramLabel = "OUT",
      description = "Write canonical JSON lines here instead of publishing.")
  Path toJsonl;

  @Option(
      names = "--watermark",
      description =
          "After the files, promise that nothing older than the newest event ingested will follow, so its windows can close.")
  boolean watermark;

  @Option(
      names = "--max-event-bytes",
      paramLabel = "BYTES",
      description =
          "Largest event (input line, serialized event); larger ones are rejected as TOO_LARGE"
              + " (setting max.event.bytes, default "
              + EventContract.DEFAULT_MAX_EVENT_BYTES
              + ").")
  Integer maxEventBytes;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    InputFormat input;
    try {
      input = InputFormats.byName(format);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    for (Path file : files) {
      if (!Files.isReadable(file) || Files.isDirectory(file)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file);
      }
    }
    if (toJsonl != null && watermark) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--watermark needs a broker; it cannot go with --to-jsonl");
    }
    PrintWriter err = spec.commandLine().getErr();
    Clock clock = Clock.systemUTC();
    Config config = config();
    EventContract contract = new EventContract(clock, config.get(Config.MAX_EVENT_BYTES));
    Progress progress = new Progress(err);
    FilePublisher published;
    if (toJsonl != null) {
      try (JsonlFile sink = new JsonlFile(toJsonl, contract.maxEventBytes())) {
        published = publish(input, new FilePublisher(sink, contract, progress));
        sink.complete();
      }
    } else {
      try (ScanPublisher publisher = publisher(config, clock)) {
        published = publish(input, new FilePublisher(publisher, contract, progress));
        Optional<Instant> at = watermark ? published.maxObservedAt() : Optional.empty();
        published.finish(at);
        at.ifPresent(t -> err.printf("  watermark %s sent to every partition%n", t));
      }
    }
    if (published.rejected() > LISTED_REJECTIONS) {
      err.printf("  ... and %,d more rejections%n", published.rejected() - LISTED_REJECTIONS);
    }
    spec.commandLine()
        .getOut()
        .printf(
            "%s %,d events from %d file(s), rejected %,d records, in %.1f s%n",
            toJsonl != null ? "converted" : "published",
            published.accepted(),
            files.size(),
            published.rejected(),
            progress.seconds());
    return 0;
  }

  /** Reads every file, in order, through {@code publisher}. */
  private FilePublisher publish(InputFormat input, FilePublisher publisher) throws IOException {
    for (Path file : files) {
      try (InputFile in = input.open(file, publisher.contract())) {
        publisher.publish(file, in);
      }
    }
    return publisher;
  }

  /** The settings: --max-event-bytes over the connection options over environment and file. */
  private Config config() {
    Map<String, String> flags = new LinkedHashMap<>();
    if (maxEventBytes != null) {
      flags.put(Config.MAX_EVENT_BYTES.key(), String.valueOf(maxEventBytes));
    }
    return connection.load(flags);
  }

  private static ScanPublisher publisher(Config config, Clock clock) {
    return ScanPublisher.builder()
        .bootstrapServers(config.get(Config.BOOTSTRAP_SERVERS))
        .registry(Registries.client(config))
        .topicPrefix(config.get(Config.TOPIC_PREFIX))
        .properties(config.kafkaProperties())
        .clock(clock)
        .maxEventBytes(config.get(Config.MAX_EVENT_BYTES))
        .build();
  }

  /**
   * Canonical JSON lines in place of the topics: writes {@code OUT.part} and moves it to {@code
   * OUT} once complete, so a failure never leaves a half-written file; each line is encoded whole
   * before any of it is written.
   */
  private static final class JsonlFile implements ScanSink, AutoCloseable {
    private final Path output;
    private final Path part;
    private final int maxBytes;
    private final OutputStream stream;
    private final CharsetEncoder utf8 =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private boolean complete;

    JsonlFile(Path output, int maxBytes) throws IOException {
      this.output = output;
      this.part = output.resolveSibling(output.getFileName() + ".part");
      this.maxBytes = maxBytes;
      this.stream = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16);
    }

    @Override
    public CompletableFuture<RecordMetadata> publish(ScanEvent event) throws IOException {
      ByteBuffer line = utf8.encode(CharBuffer.wrap(EventContract.toJson(event) + "\n"));
      // a converted file is read again by replay, which would refuse the line then
      Parsed.Invalid tooLarge = EventContract.sizeProblem("event", line.remaining() - 1, maxBytes);
      if (tooLarge != null) {
        throw new InvalidScanEventException(tooLarge.reason(), tooLarge.message());
      }
      stream.write(line.array(), line.arrayOffset() + line.position(), line.remaining());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<RecordMetadata> publishRejected(
        String file, long position, byte[] original, RejectReason reason, String message) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> watermark(Instant time) {
      throw new IllegalStateException("a file has no partitions to send a watermark to");
    }

    @Override
    public void flush() {}

    /** Every file was read: the output is complete. */
    void complete() {
      complete = true;
    }

    @Override
    public void close() throws IOException {
      try {
        stream.close();
      } catch (IOException e) {
        Files.deleteIfExists(part);
        throw e;
      }
      if (complete) {
        Files.move(part, output, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(part);
      }
    }
  }

  /** Lists the first rejections, and progress on stderr at most every two seconds. */
  private static final class Progress implements FilePublisher.Listener {
    private final PrintWriter err;
    private final long started = System.nanoTime();
    private long nextReport = System.nanoTime() + 2_000_000_000L;

    Progress(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void rejected(Path file, ReadResult.Rejection r, FilePublisher counts) {
      if (counts.rejected() <= LISTED_REJECTIONS) {
        err.printf("  %s:%d: %s: %s%n", file, r.position(), r.reason(), r.message());
      }
    }

    @Override
    public void read(Path file, InputFile input, FilePublisher counts) {
      if (System.nanoTime() > nextReport) {
        err.printf(
            "  %s: %,d events (%,.0f/s), %,d rejected so far%n",
            file.getFileName(),
            counts.accepted(),
            counts.accepted() / seconds(),
            counts.rejected());
        err.flush();
        nextReport = System.nanoTime() + 2_000_000_000L;
      }
    }

    double seconds() {
      return Math.max(1, System.nanoTime() - started) / 1e9;
    }
  }

  /** The format names, for --help. */
  static final class FormatNames extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    FormatNames() {
      super(InputFormats.all().stream().map(InputFormat::name).collect(Collectors.toList()));
    }
  }
}
