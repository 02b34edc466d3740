package dev.patchwatch.replay;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Watermark;
import dev.patchwatch.registry.AvroSerde;
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.registry.WireFormatException;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.scanner.FilePublisher;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.scanner.format.FormatReader.ReadResult;
import dev.patchwatch.scanner.format.InputFile;
import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.topology.EventTimeRange;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.avro.file.CodecFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Archives of the scans topic: {@link #export} writes its scan events to an Avro object container
 * file, schema embedded; {@link #importFile} publishes an archive (or a file in any input format)
 * again with the events' own observedAt. Both stream, in memory that does not grow with the
 * history.
 */
public final class ScanArchive {

  /** File metadata: where and when an archive was taken, so a file explains itself. */
  public static final String META_TOPIC = "patchwatch.topic";

  public static final String META_PARTITIONS = "patchwatch.partitions";
  public static final String META_RANGE = "patchwatch.observedAt";
  public static final String META_EXPORTED_AT = "patchwatch.exportedAt";
  public static final String META_ORDER = "patchwatch.order";

  /**
   * Events held per partition while merging: enough to keep every partition fetching in batches,
   * small enough that memory stays flat however far apart the partitions are in time.
   */
  private static final int MERGE_BUFFER = 10_000;

  /** Rejections listed one by one before only counting them, so a bad file cannot flood stderr. */
  private static final int LISTED_REJECTIONS = 20;

  private final Cluster cluster;
  private final SchemaRegistry registry;
  private final Clock clock;
  private final PrintWriter progress;
  private final int maxEventBytes;

  /**
   * @param clock for the "observedAt at most a day ahead" rule and the export's timestamp
   * @param progress where progress and rejected records are reported (stderr in the CLI)
   */
  public ScanArchive(Cluster cluster, SchemaRegistry registry, Clock clock, PrintWriter progress) {
    this(cluster, registry, clock, progress, EventContract.DEFAULT_MAX_EVENT_BYTES);
  }

  /**
   * @param maxEventBytes the largest event imported ({@code max.event.bytes}); larger lines and
   *     records are rejected as {@code TOO_LARGE}
   */
  public ScanArchive(
      Cluster cluster,
      SchemaRegistry registry,
      Clock clock,
      PrintWriter progress,
      int maxEventBytes) {
    this.cluster = cluster;
    this.registry = registry;
    this.clock = clock;
    this.progress = progress;
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * What an export read and wrote.
   *
   * @param read records of the topic read, watermarks included
   * @param exported scan events written to the file
   * @param outsideRange events skipped because their observedAt is outside the range
   * @param watermarks watermark records skipped
   * @param undecodable records that are neither a watermark nor a decodable ScanEvent, skipped
   */
  public record Exported(
      long read,
      long exported,
      long outsideRange,
      long watermarks,
      long undecodable,
      Duration elapsed) {}

  /**
   * Writes the scan events of {@code scansTopic} whose observedAt is in {@code range} to {@code
   * output}: every partition from its beginning to its end as of the start, committed records only.
   * The file appears only once complete, its header declaring how many records it holds.
   *
   * <p>Order: the partitions are merged by observedAt, always taking the earliest of their next
   * events, so each partition's own order is kept and no event comes later, relative to the events
   * before it, than it did on its partition. Imported into a scans topic with the same partition
   * count, every partition gets exactly its original sequence; replayed on another count, the merge
   * adds no lateness (partition after partition would make every partition but the first arrive
   * days late).
   *
   * @param skipUndecodable write the archive without the records that cannot be decoded; without
   *     it, such records fail the export and no file is written, since an archive missing part of
   *     the history must not look like all of it
   * @throws IllegalStateException if the topic does not exist
   * @throws UndecodableRecordsException if records could not be decoded and {@code skipUndecodable}
   *     is false
   */
  public Exported export(
      String scansTopic,
      EventTimeRange range,
      Path output,
      CodecFactory codec,
      boolean skipUndecodable)
      throws IOException {
    Instant started = clock.instant();
    AvroSerde<ScanEvent> events = new AvroSerde<>(registry, ScanEvent.class, false);
    Counts counts = new Counts();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            exportConsumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = partitionsOf(consumer, scansTopic);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long total = partitions.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
      progress.printf(
          Locale.ROOT,
          "exporting %s (%d partitions, %,d records), %s, to %s%n",
          scansTopic,
          partitions.size(),
          total,
          range.isAll() ? "every event" : "events observed in " + range,
          output);
      progress.flush();

      try (ArchiveWriter writer =
          new ArchiveWriter(output, codec, exportMetadata(scansTopic, partitions, range))) {
        Merge merge =
            new Merge(
                consumer,
                partitions,
                begin,
                end,
                record -> decode(events, scansTopic, record, range, counts));
        writeMerged(merge, writer, total, counts);
        if (counts.undecodable > 0 && !skipUndecodable) {
          throw undecodableRecords(scansTopic, counts);
        }
        writer.commit();
      }
    }
    return new Exported(
        counts.read,
        counts.exported,
        counts.outside,
        counts.watermarks,
        counts.undecodable,
        Duration.between(started, clock.instant()));
  }

  private Map<String, Object> exportConsumerConfig() {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    return config;
  }

  /** The topic's partitions, by number; refused if the topic does not exist. */
  private List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (info == null || info.isEmpty()) {
      throw new IllegalStateException(
          "topic " + topic + " does not exist on " + cluster.bootstrapServers());
    }
    return info.stream()
        .map(p -> new TopicPartition(p.topic(), p.partition()))
        .sorted(Comparator.comparingInt(TopicPartition::partition))
        .toList();
  }

  private Map<String, String> exportMetadata(
      String scansTopic, List<TopicPartition> partitions, EventTimeRange range) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put(META_TOPIC, scansTopic);
    metadata.put(META_PARTITIONS, String.valueOf(partitions.size()));
    metadata.put(META_RANGE, range.toString());
    metadata.put(META_EXPORTED_AT, clock.instant().toString());
    metadata.put(META_ORDER, "observedAt, partitions merged, each partition's own order kept");
    return metadata;
  }

  /** Appends the merge's events to {@code writer}, earliest observedAt first. */
  private void writeMerged(Merge merge, ArchiveWriter writer, long total, Counts counts)
      throws IOException {
    ProgressBar bar = new ProgressBar(progress);
    while (true) {
      // an event can be written once every partition still fetching has one to compare with
      while (merge.waiting()) {
        merge.fetch();
        bar.update(
            counts.read,
            total,
            String.format(Locale.ROOT, "records read, %,d exported", counts.exported));
      }
      ScanEvent earliest = merge.pollEarliest();
      if (earliest == null) {
        break;
      }
      writer.append(earliest);
      counts.exported++;
    }
  }

  private static UndecodableRecordsException undecodableRecords(String scansTopic, Counts counts) {
    return new UndecodableRecordsException(
        String.format(
            Locale.ROOT,
            "%,d of the %,d records read from %s could not be decoded (the first at %s);"
                + " no archive written, as it would miss them",
            counts.undecodable,
            counts.read,
            scansTopic,
            counts.firstUndecodable),
        counts.undecodable);
  }

  /**
   * The partitions of an export, each read from its beginning to its end as of the start into a
   * buffer of its own, so that the earliest of their next events can always be taken.
   */
  private static final class Merge {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> end;
    private final Function<ConsumerRecord<byte[], byte[]>, ScanEvent> decode;
    private final Map<TopicPartition, ArrayDeque<ScanEvent>> buffered = new HashMap<>();
    private final Set<TopicPartition> fetching;

    /**
     * @param decode the record's event, or null if it is not one to export
     */
    Merge(
        KafkaConsumer<byte[], byte[]> consumer,
        List<TopicPartition> partitions,
        Map<TopicPartition, Long> begin,
        Map<TopicPartition, Long> end,
        Function<ConsumerRecord<byte[], byte[]>, ScanEvent> decode) {
      this.consumer = consumer;
      this.partitions = partitions;
      this.end = end;
      this.decode = decode;
      consumer.assign(partitions);
      begin.forEach(consumer::seek);
      partitions.forEach(tp -> buffered.put(tp, new ArrayDeque<>()));
      fetching = new HashSet<>(partitions);
      fetching.removeIf(tp -> begin.get(tp) >= end.get(tp));
    }

    /** Whether a partition still fetching has no event buffered to compare with. */
    boolean waiting() {
      return fetching.stream().anyMatch(tp -> buffered.get(tp).isEmpty());
    }

    /** One poll, from the partitions still fetching whose buffer is not full. */
    void fetch() {
      List<TopicPartition> full = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        if (!fetching.contains(tp) || buffered.get(tp).size() >= MERGE_BUFFER) {
          full.add(tp);
        }
      }
      consumer.pause(full);
      consumer.resume(partitions.stream().filter(tp -> !full.contains(tp)).toList());
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (record.offset() < end.get(tp)) {
          ScanEvent event = decode.apply(record);
          if (event != null) {
            buffered.get(tp).add(event);
          }
        }
      }
      fetching.removeIf(tp -> consumer.position(tp) >= end.get(tp));
    }

    /** Takes the buffered event with the earliest observedAt; null when none is left. */
    ScanEvent pollEarliest() {
      TopicPartition earliest = null;
      for (TopicPartition tp : partitions) {
        ScanEvent head = buffered.get(tp).peek();
        if (head != null
            && (earliest == null
                || head.getObservedAt().isBefore(buffered.get(earliest).peek().getObservedAt()))) {
          earliest = tp;
        }
      }
      return earliest == null ? null : buffered.get(earliest).poll();
    }
  }

  /** Records that could not be decoded, which an export refuses to leave out silently. */
  public static final class UndecodableRecordsException extends IOException {

    private static final long serialVersionUID = 1L;

    private final long undecodable;

    UndecodableRecordsException(String message, long undecodable) {
      super(message);
      this.undecodable = undecodable;
    }

    public long undecodable() {
      return undecodable;
    }
  }

  /** What an export has seen so far. */
  private static final class Counts {
    long read;
    long exported;
    long outside;
    long watermarks;
    long undecodable;
    String firstUndecodable;
  }

  /** The record's event if it is one in the range; otherwise counts why not and returns null. */
  private static ScanEvent decode(
      AvroSerde<ScanEvent> events,
      String topic,
      ConsumerRecord<byte[], byte[]> record,
      EventTimeRange range,
      Counts counts) {
    counts.read++;
    if (record.value() == null) {
      if (record.headers().lastHeader(Watermark.HEADER) != null) {
        counts.watermarks++;
      } else {
        undecodable(counts, record, "a null value without a watermark header");
      }
      return null;
    }
    ScanEvent event;
    try {
      event = events.deserialize(topic, record.value());
    } catch (WireFormatException e) {
      undecodable(counts, record, e.getMessage());
      return null;
    }
    if (event.getObservedAt() == null || !range.contains(event.getObservedAt().toEpochMilli())) {
      counts.outside++;
      return null;
    }
    return event;
  }

  private static void undecodable(
      Counts counts, ConsumerRecord<byte[], byte[]> record, String why) {
    counts.undecodable++;
    if (counts.firstUndecodable == null) {
      counts.firstUndecodable =
          String.format(
              Locale.ROOT, "partition %d, offset %d: %s", record.partition(), record.offset(), why);
    }
  }

  /**
   * What an import read and published.
   *
   * @param records records (lines) of the file
   * @param published events published to the scans topic
   * @param rejected records refused by the contract, published to the rejected topic instead
   * @param watermark the watermark sent after the events, if any
   */
  public record Imported(
      long records, long published, long rejected, Optional<Instant> watermark, Duration elapsed) {}

  /**
   * After an import, a watermark closing every window that holds an imported event (DESIGN 7.4),
   * but never past {@code clock}'s now: a live application keeps counting the windows that have not
   * ended yet, and they close as its live data moves on.
   */
  public static UnaryOperator<Instant> closingWatermark(TopologySettings settings, Clock clock) {
    return maxObservedAt -> {
      Instant closing =
          Instant.ofEpochMilli(Replay.closingWatermark(settings, maxObservedAt.toEpochMilli()));
      Instant now = clock.instant();
      return closing.isAfter(now) ? now : closing;
    };
  }

  /** The watermark an import sends once its events are stored. */
  public sealed interface ImportWatermark {

    /** At a given instant, whether or not the file held any event. */
    record At(Instant at) implements ImportWatermark {}

    /**
     * Computed from the greatest observedAt published (see {@link #closingWatermark}); none when no
     * event was published, as there is then no window to close.
     */
    record Closing(UnaryOperator<Instant> fromMaxObservedAt) implements ImportWatermark {}
  }

  /**
   * Publishes the events of {@code input} (an Avro archive or JSON lines, told apart by content):
   * see {@link #importFile(Path, InputFormat, TopologySettings, Optional, Optional)}.
   */
  public Imported importFile(
      Path input,
      TopologySettings settings,
      Optional<Short> replicationFactor,
      Optional<ImportWatermark> watermark)
      throws IOException {
    return importFile(
        input, EventFiles.of(input, Optional.empty()), settings, replicationFactor, watermark);
  }

  /**
   * Publishes the events of {@code input}, read in {@code format} (see {@link EventFiles}), to the
   * scans topic of {@code settings}' prefix, with their own observedAt, through {@link
   * ScanPublisher}, which validates them. A record the contract refuses is reported with its file
   * and position and published to the rejected topic, like {@code replay} does. Creates the topics
   * that are missing, the scans topic with {@code settings.inputPartitions()} partitions. An
   * archive is read whole first: a damaged one is refused before anything is created or published.
   *
   * @param watermark what watermark to send once every event is stored; empty for none
   * @throws DamagedArchiveException naming the record where reading the archive failed
   */
  public Imported importFile(
      Path input,
      InputFormat format,
      TopologySettings settings,
      Optional<Short> replicationFactor,
      Optional<ImportWatermark> watermark)
      throws IOException {
    Instant started = clock.instant();
    EventContract contract = new EventContract(clock, maxEventBytes);
    try (InputFile file = format.open(input, contract)) {
      file.warning().ifPresent(w -> progress.println("note: " + w));
      Topics topics =
          Pipeline.on(cluster, registry, settings).replicationFactor(replicationFactor).provision();
      progress.printf(
          Locale.ROOT,
          "importing %s (%s) into %s%n",
          input,
          EventFiles.describe(format),
          topics.scans().name());
      progress.flush();
      return publish(input, file, contract, settings.topicPrefix(), watermark, started);
    } finally {
      progress.flush();
    }
  }

  private Imported publish(
      Path input,
      InputFile file,
      EventContract contract,
      String topicPrefix,
      Optional<ImportWatermark> watermark,
      Instant started)
      throws IOException {
    try (ScanPublisher publisher =
        ScanPublisher.builder()
            .bootstrapServers(cluster.bootstrapServers())
            .properties(cluster.properties())
            .registry(registry)
            .topicPrefix(topicPrefix)
            .clock(clock)
            .maxEventBytes(maxEventBytes)
            .build()) {
      FilePublisher files =
          new FilePublisher(publisher, contract, new ImportProgress(Files.size(input)));
      files.publish(input, file);
      if (files.rejected() > LISTED_REJECTIONS) {
        progress.printf(
            Locale.ROOT,
            "  … and %,d more rejected records%n",
            files.rejected() - LISTED_REJECTIONS);
      }
      Optional<Instant> at = Optional.empty();
      if (watermark.orElse(null) instanceof ImportWatermark.At fixed) {
        at = Optional.of(fixed.at());
      } else if (watermark.orElse(null) instanceof ImportWatermark.Closing closing) {
        at = files.maxObservedAt().map(closing.fromMaxObservedAt());
      }
      files.finish(at);
      return new Imported(
          files.read(),
          files.accepted(),
          files.rejected(),
          at,
          Duration.between(started, clock.instant()));
    }
  }

  /** Lists the first rejections and draws a progress bar over the bytes of the file. */
  private final class ImportProgress implements FilePublisher.Listener {
    private final ProgressBar bar = new ProgressBar(progress);
    private final long size;

    ImportProgress(long size) {
      this.size = size;
    }

    @Override
    public void rejected(Path file, ReadResult.Rejection r, FilePublisher counts) {
      if (counts.rejected() <= LISTED_REJECTIONS) {
        progress.printf(
            Locale.ROOT, "  %s:%d: %s %s%n", file, r.position(), r.reason(), r.message());
      }
    }

    @Override
    public void read(Path file, InputFile input, FilePublisher counts) {
      bar.update(
          input.bytesRead(),
          size,
          String.format(
              Locale.ROOT,
              "bytes read: %,d events published, %,d rejected",
              counts.accepted(),
              counts.rejected()));
    }
  }
}
