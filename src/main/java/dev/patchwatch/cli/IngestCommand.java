package dev.patchwatch.cli;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.scanner.InvalidScanEventException;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.scanner.format.FormatReader;
import dev.patchwatch.scanner.format.FormatReader.ReadResult;
import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.scanner.format.InputFormats;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
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

  @Mixin ConnectionOptions connection;

  /** What to do with each read result. */
  private interface Sink extends AutoCloseable {
    void event(ScanEvent event) throws IOException;

    void rejected(Path file, ReadResult.Rejection rejection);

    @Override
    void close() throws Exception;
  }

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
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Clock clock = Clock.systemUTC();
    Progress progress = new Progress(err);
    long maxObservedAt = Long.MIN_VALUE;
    try (Sink sink = toJsonl != null ? jsonlSink(toJsonl) : publishingSink(clock)) {
      FormatReader reader = new FormatReader(input, new EventContract(clock));
      for (Path file : files) {
        long[] newest = {maxObservedAt};
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
          reader.read(
              in,
              result -> {
                if (result instanceof ReadResult.Event e) {
                  try {
                    sink.event(e.event());
                  } catch (IOException ioe) {
                    throw new java.io.UncheckedIOException(ioe);
                  }
                  newest[0] = Math.max(newest[0], e.event().getObservedAt().toEpochMilli());
                  progress.event();
                } else {
                  ReadResult.Rejection r = (ReadResult.Rejection) result;
                  sink.rejected(file, r);
                  if (progress.rejected++ < LISTED_REJECTIONS) {
                    err.printf("  %s:%d: %s: %s%n", file, r.position(), r.reason(), r.message());
                  }
                }
                progress.maybeReport(file);
              });
        }
        maxObservedAt = newest[0];
      }
      if (watermark && maxObservedAt != Long.MIN_VALUE) {
        ((PublishingSink) sink).watermark(Instant.ofEpochMilli(maxObservedAt));
        err.printf("  watermark %s sent to every partition%n", Instant.ofEpochMilli(maxObservedAt));
      }
    }
    if (progress.rejected > LISTED_REJECTIONS) {
      err.printf("  ... and %,d more rejections%n", progress.rejected - LISTED_REJECTIONS);
    }
    out.printf(
        "%s %,d events from %d file(s), rejected %,d records, in %.1f s%n",
        toJsonl != null ? "converted" : "published",
        progress.events,
        files.size(),
        progress.rejected,
        progress.seconds());
    return 0;
  }

  private Sink jsonlSink(Path output) throws IOException {
    BufferedWriter writer = Files.newBufferedWriter(output, StandardCharsets.UTF_8);
    return new Sink() {
      @Override
      public void event(ScanEvent event) throws IOException {
        writer.write(EventContract.toJson(event));
        writer.newLine();
      }

      @Override
      public void rejected(Path file, ReadResult.Rejection rejection) {}

      @Override
      public void close() throws IOException {
        writer.close();
      }
    };
  }

  private Sink publishingSink(Clock clock) {
    Config config = connection.load();
    ScanPublisher publisher =
        ScanPublisher.builder()
            .bootstrapServers(config.get(Config.BOOTSTRAP_SERVERS))
            .registry(Registries.client(config))
            .topicPrefix(config.get(Config.TOPIC_PREFIX))
            .properties(config.kafkaProperties())
            .clock(clock)
            .build();
    return new PublishingSink(publisher);
  }

  /** Publishes through the SDK; the first failed send fails the command at the end. */
  private static final class PublishingSink implements Sink {
    private final ScanPublisher publisher;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<CompletableFuture<?>> pending = new ArrayList<>();

    PublishingSink(ScanPublisher publisher) {
      this.publisher = publisher;
    }

    @Override
    public void event(ScanEvent event) {
      try {
        track(publisher.publish(event));
      } catch (InvalidScanEventException e) {
        throw new IllegalStateException("the reader passed an invalid event: " + e.getMessage(), e);
      }
    }

    @Override
    public void rejected(Path file, ReadResult.Rejection r) {
      track(
          publisher.publishRejected(
              file.toString(), r.position(), r.original(), r.reason(), r.message()));
    }

    void watermark(Instant time) throws Exception {
      publisher.watermark(time).get();
    }

    private void track(CompletableFuture<?> sent) {
      sent.whenComplete(
          (m, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            }
          });
    }

    @Override
    public void close() {
      try {
        publisher.flush();
      } finally {
        publisher.close();
      }
      if (failure.get() != null) {
        throw new IllegalStateException(
            "the broker refused records: " + failure.get().getMessage(), failure.get());
      }
    }
  }

  /** Progress on stderr: at most every two seconds. */
  private static final class Progress {
    private final PrintWriter err;
    private final long started = System.nanoTime();
    private long nextReport = System.nanoTime() + 2_000_000_000L;
    long events;
    long rejected;

    Progress(PrintWriter err) {
      this.err = err;
    }

    void event() {
      events++;
    }

    void maybeReport(Path file) {
      if (System.nanoTime() > nextReport) {
        err.printf(
            "  %s: %,d events (%,.0f/s), %,d rejected so far%n",
            file.getFileName(), events, events / seconds(), rejected);
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
