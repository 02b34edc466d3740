package dev.patchwatch.cli;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.scanner.InvalidScanEventException;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.scanner.format.FormatReader;
import dev.patchwatch.scanner.format.FormatReader.ReadResult;
import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.scanner.format.InputFormats;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

  /** What to do with each read result. */
  private interface Sink extends AutoCloseable {
    /** Takes the event, or says why it cannot (too large once serialized). */
    Parsed.Invalid event(ScanEvent event) throws IOException;

    void rejected(Path file, ReadResult.Rejection rejection);

    /** Every file was read: what {@link #close} finishes is complete. */
    default void complete() {}

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
    Config config = config();
    int maxBytes = config.get(Config.MAX_EVENT_BYTES);
    try (Sink sink =
        toJsonl != null ? jsonlSink(toJsonl, maxBytes) : publishingSink(config, clock)) {
      FormatReader reader = new FormatReader(input, new EventContract(clock, maxBytes));
      for (Path file : files) {
        long[] newest = {maxObservedAt};
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
          reader.read(
              in,
              read -> {
                ReadResult result = read;
                if (result instanceof ReadResult.Event e) {
                  Parsed.Invalid refused;
                  try {
                    refused = sink.event(e.event());
                  } catch (IOException ioe) {
                    throw new java.io.UncheckedIOException(ioe);
                  }
                  if (refused == null) {
                    newest[0] = Math.max(newest[0], e.event().getObservedAt().toEpochMilli());
                    progress.event();
                  } else {
                    result =
                        new ReadResult.Rejection(
                            e.position(),
                            EventContract.head(e.original()),
                            refused.reason(),
                            refused.message());
                  }
                }
                if (result instanceof ReadResult.Rejection r) {
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
      sink.complete();
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

  /** The settings: --max-event-bytes over the connection options over environment and file. */
  private Config config() {
    Map<String, String> flags = new LinkedHashMap<>();
    if (maxEventBytes != null) {
      flags.put(Config.MAX_EVENT_BYTES.key(), String.valueOf(maxEventBytes));
    }
    return connection.load(flags);
  }

  /**
   * Writes {@code OUT.part} and moves it to {@code OUT} once complete, so a failure never leaves a
   * half-written file; each line is encoded whole before any of it is written.
   */
  private Sink jsonlSink(Path output, int maxBytes) throws IOException {
    Path part = output.resolveSibling(output.getFileName() + ".part");
    OutputStream stream = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16);
    CharsetEncoder utf8 =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    return new Sink() {
      private boolean failed = true;

      @Override
      public Parsed.Invalid event(ScanEvent event) throws IOException {
        ByteBuffer line = utf8.encode(CharBuffer.wrap(EventContract.toJson(event) + "\n"));
        // a converted file is read again by replay, which would refuse the line then
        Parsed.Invalid tooLarge =
            EventContract.sizeProblem("event", line.remaining() - 1, maxBytes);
        if (tooLarge != null) {
          return tooLarge;
        }
        stream.write(line.array(), line.arrayOffset() + line.position(), line.remaining());
        return null;
      }

      @Override
      public void rejected(Path file, ReadResult.Rejection rejection) {}

      @Override
      public void complete() {
        failed = false;
      }

      @Override
      public void close() throws IOException {
        try {
          stream.close();
        } catch (IOException e) {
          Files.deleteIfExists(part);
          throw e;
        }
        if (failed) {
          Files.deleteIfExists(part);
        } else {
          Files.move(part, output, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    };
  }

  private Sink publishingSink(Config config, Clock clock) {
    ScanPublisher publisher =
        ScanPublisher.builder()
            .bootstrapServers(config.get(Config.BOOTSTRAP_SERVERS))
            .registry(Registries.client(config))
            .topicPrefix(config.get(Config.TOPIC_PREFIX))
            .properties(config.kafkaProperties())
            .clock(clock)
            .maxEventBytes(config.get(Config.MAX_EVENT_BYTES))
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
    public Parsed.Invalid event(ScanEvent event) {
      try {
        track(publisher.publish(event));
        return null;
      } catch (InvalidScanEventException e) {
        if (e.reason() != RejectReason.TOO_LARGE) {
          throw new IllegalStateException(
              "the reader passed an invalid event: " + e.getMessage(), e);
        }
        return new Parsed.Invalid(e.reason(), e.getMessage());
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
