package dev.patchwatch.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.Origin;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Completion;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.FilePublisher;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.scanner.format.FormatReader;
import dev.patchwatch.scanner.format.InputFile;
import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.topology.AggregateJson;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Runs the real topology over a file of events (in any format of {@link EventFiles}; without one
 * named, JSON lines or an Avro archive, told apart by content) on a given (fresh) cluster and
 * writes every final aggregate: publishes the file, ends it with a watermark that closes every
 * window, waits until the aggregating stage has closed them all, stops the topology so everything
 * is committed, and reads the results back (DESIGN sections 5 and 7.3).
 */
public final class Replay {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  private final String bootstrapServers;
  private final SchemaRegistry registry;
  private final Path stateDir;
  private final TopologySettings settings;
  private final Clock clock;
  private final PrintWriter progress;

  /**
   * @param settings the topology settings; {@code inputPartitions} is the partition count used, and
   *     the idle timeout should be 0 so results never depend on timing (DESIGN section 7.3)
   * @param progress where progress lines go (stderr in the CLI)
   */
  public Replay(
      String bootstrapServers,
      SchemaRegistry registry,
      Path stateDir,
      TopologySettings settings,
      Clock clock,
      PrintWriter progress) {
    this.bootstrapServers = bootstrapServers;
    this.registry = registry;
    this.stateDir = stateDir;
    // Events may be a day ahead of the clock, so the closing watermark of current data is up to
    // a day past that, plus the closing offset: the replay's own topology accepts it.
    this.settings =
        settings.withWatermarkAhead(EventContract.MAX_AHEAD.plus(settings.closingOffset()));
    this.clock = clock;
    this.progress = progress;
  }

  /**
   * What a replay read, counted and wrote; {@code lines} counts an archive's records, {@code
   * finals} the count records written, then {@code transitions} and {@code cohorts} the records of
   * DESIGN section 7.9.
   */
  public record Result(
      long lines,
      long accepted,
      long rejected,
      long late,
      long finals,
      long transitions,
      long cohorts,
      Duration elapsed) {}

  /** Replays {@code input} in the format its content shows (an Avro archive, else JSON lines). */
  public Result run(Path input, Path output, Optional<Path> rejectedOutput) throws IOException {
    return run(input, EventFiles.of(input, Optional.empty()), output, rejectedOutput);
  }

  /** Replays {@code input}, read in {@code format} (see {@link EventFiles}). */
  public Result run(Path input, InputFormat format, Path output, Optional<Path> rejectedOutput)
      throws IOException {
    Instant started = clock.instant();
    Pipeline.Builder pipeline =
        Pipeline.on(Cluster.of(bootstrapServers), registry, settings)
            .catchingUp()
            .stateDir(stateDir)
            .streamThreads(threads());
    Topics topics = pipeline.provision();
    Published published = publish(input, format);
    progress.printf(
        "published %,d events (%,d input records rejected) in %.1f s; running the topology%n",
        published.accepted, published.rejected, seconds(started));
    progress.flush();
    if (published.accepted > 0) {
      process(pipeline, published.accepted, published.endWatermark);
    }

    Instant readingBack = clock.instant();
    progress.println("reading the aggregates back");
    progress.flush();
    List<RemediationCount> finals = new ArrayList<>();
    for (Granularity g : Granularity.values()) {
      TopicReader.readAll(bootstrapServers, Map.of(), topics.finals(g), r -> finals.add(r.value()));
    }
    List<TransitionCount> transitions = new ArrayList<>();
    TopicReader.readAll(
        bootstrapServers, Map.of(), topics.transitionsDaily(), r -> transitions.add(r.value()));
    List<CohortCount> cohorts = new ArrayList<>();
    TopicReader.readAll(
        bootstrapServers, Map.of(), topics.cohortsDaily(), r -> cohorts.add(r.value()));
    try (BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      writeSorted(out, finals, AggregateJson.ORDER, AggregateJson::toJson);
      writeSorted(out, transitions, AggregateJson.TRANSITION_ORDER, AggregateJson::toJson);
      writeSorted(out, cohorts, AggregateJson.COHORT_ORDER, AggregateJson::toJson);
    }
    progress.printf(
        "wrote %,d aggregates in %.1f s%n",
        finals.size() + transitions.size() + cohorts.size(), seconds(readingBack));
    progress.flush();

    List<Rejected> rejected = new ArrayList<>();
    TopicReader.readAll(
        bootstrapServers, Map.of(), topics.rejected(), r -> rejected.add(r.value()));
    long late = rejected.stream().filter(r -> r.getReason() == RejectReason.LATE).count();
    long rejectedLines = rejected.size() - late;
    if (rejectedOutput.isPresent()) {
      writeRejected(input, format, rejectedOutput.get(), rejected, published.lineOf);
    }
    return new Result(
        published.accepted + published.rejected,
        published.accepted - (rejectedLines - published.rejected),
        rejectedLines,
        late,
        finals.size(),
        transitions.size(),
        cohorts.size(),
        Duration.between(started, clock.instant()));
  }

  /** Writes {@code records} as JSON lines in {@code order}. */
  private static <T> void writeSorted(
      BufferedWriter out, List<T> records, Comparator<T> order, Function<T, String> json)
      throws IOException {
    records.sort(order);
    for (T record : records) {
      out.write(json.apply(record));
      out.newLine();
    }
  }

  /** What publishing the file produced. */
  private record Published(long accepted, long rejected, long endWatermark, LineIndex lineOf) {}

  private Published publish(Path input, InputFormat format) throws IOException {
    EventContract contract = new EventContract(clock, settings.maxEventBytes());
    LineIndex lineOf = new LineIndex(settings.inputPartitions());
    try (ScanPublisher publisher =
            ScanPublisher.builder()
                .bootstrapServers(bootstrapServers)
                .registry(registry)
                .topicPrefix(settings.topicPrefix())
                .clock(clock)
                .maxEventBytes(settings.maxEventBytes())
                .build();
        InputFile file = format.open(input, contract)) {
      file.warning().ifPresent(w -> progress.println("note: " + w));
      FilePublisher files =
          new FilePublisher(publisher, contract, new Progress(lineOf, EventFiles.unit(format)));
      files.publish(input, file);
      Optional<Instant> end =
          files
              .maxObservedAt()
              .map(max -> Instant.ofEpochMilli(closingWatermark(settings, max.toEpochMilli())));
      files.finish(end);
      return new Published(
          files.accepted(),
          files.rejected(),
          end.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE),
          lineOf);
    }
  }

  /** Indexes the published events by (partition, offset) and prints progress now and then. */
  private final class Progress implements FilePublisher.Listener {
    private final LineIndex lineOf;
    private final String unit;
    private long nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();

    Progress(LineIndex lineOf, String unit) {
      this.lineOf = lineOf;
      this.unit = unit;
    }

    @Override
    public void stored(long position, RecordMetadata metadata) {
      lineOf.put(metadata.partition(), metadata.offset(), position);
    }

    @Override
    public void read(Path file, InputFile input, FilePublisher counts) {
      if (System.nanoTime() > nextReport) {
        progress.printf(
            "  read %,d %s: %,d accepted, %,d rejected%n",
            counts.read(), unit, counts.accepted(), counts.rejected());
        progress.flush();
        nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
      }
    }
  }

  /**
   * The watermark that ends an input whose greatest observedAt is {@code maxObservedAt}: late
   * enough to close every window holding an event (DESIGN section 7.4).
   */
  public static long closingWatermark(TopologySettings settings, long maxObservedAt) {
    return settings.closingProgress(maxObservedAt);
  }

  private void process(Pipeline.Builder builder, long events, long endWatermark) {
    long startedNanos = System.nanoTime();
    long[] nextReport = {startedNanos + PROGRESS_EVERY.toNanos()};
    try (Admin admin = Cluster.of(bootstrapServers).admin();
        Pipeline pipeline = builder.start()) {
      String scans = pipeline.topics().scans().name();
      pipeline.awaitProgress(
          endWatermark,
          () -> {
            if (System.nanoTime() > nextReport[0]) {
              // Records of the scans topic, watermarks included: one per partition on top of the
              // events.
              long done =
                  Math.min(events, Completion.committed(admin, settings.applicationId(), scans));
              double seconds = (System.nanoTime() - startedNanos) / 1e9;
              progress.printf(
                  "  processed %,d of %,d events (%.0f%%, %,.0f events/s)%n",
                  done, events, 100.0 * done / events, done / seconds);
              progress.flush();
              nextReport[0] = System.nanoTime() + PROGRESS_EVERY.toNanos();
            }
          });
    }
  }

  /** One stream thread per core, but no more than there are partitions to share out. */
  private int threads() {
    return Math.min(settings.inputPartitions(), Runtime.getRuntime().availableProcessors());
  }

  /**
   * One JSON line per rejection, by input position (line, or record of an archive), with the
   * input's text (an archive's record in canonical JSON).
   */
  private void writeRejected(
      Path input, InputFormat format, Path output, List<Rejected> rejected, LineIndex lineOf)
      throws IOException {
    TreeMap<Long, List<Rejected>> byLine = new TreeMap<>();
    for (Rejected r : rejected) {
      Origin o = r.getOrigin();
      long line = o.getLine() != null ? o.getLine() : lineOf.get(o.getPartition(), o.getOffset());
      byLine.computeIfAbsent(line, l -> new ArrayList<>()).add(r);
    }
    EventContract contract = new EventContract(clock, settings.maxEventBytes());
    try (InputFile file = format.open(input, contract);
        BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      new FormatReader(format, contract)
          .read(
              file,
              record -> {
                List<Rejected> here = byLine.remove(record.position());
                if (here != null) {
                  writeRejected(out, record.position(), record.original(), here);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void writeRejected(
      BufferedWriter out, long number, byte[] line, List<Rejected> here) {
    try {
      for (Rejected r : here) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("line", number);
        node.put("reason", r.getReason().name());
        node.put("message", r.getMessage());
        if (!r.getGranularities().isEmpty()) {
          r.getGranularities().forEach(g -> node.withArray("granularities").add(g.name()));
        }
        node.put("input", lenientText(line));
        out.write(node.toString());
        out.newLine();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String lenientText(byte[] line) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .decode(ByteBuffer.wrap(line));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private double seconds(Instant since) {
    return Duration.between(since, clock.instant()).toMillis() / 1000.0;
  }
}
