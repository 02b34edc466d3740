package dev.patchwatch.replay;

import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.TopicProvisioner;
import dev.patchwatch.runtime.Waits;
import dev.patchwatch.topology.EventTimeRange;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * A reprocessing run: the topology, as configured now, over the retained scans topic from its
 * beginning, under its own application id and into its own output topics, so the live application
 * and its outputs are never touched (DESIGN section 7.5). It keeps following the scans topic, like
 * the live application, until closed; {@link #awaitCaughtUp} says when it has processed the whole
 * history present when it started and published every final that history implies.
 */
public final class Reprocess implements AutoCloseable {

  private final Admin admin;
  private final Runs runs;
  private final RunId id;
  private final TopologySettings settings;
  private final Topics topics;
  private final Map<Integer, Long> endAtStart;
  private final long alreadyCommitted;
  private final Pipeline pipeline;
  private final Clock clock;
  private final ProgressBar bar;
  private RunRecord record;
  private boolean caughtUp;

  private Reprocess(
      Admin admin,
      Runs runs,
      RunId id,
      TopologySettings settings,
      Topics topics,
      Map<Integer, Long> endAtStart,
      long alreadyCommitted,
      Pipeline pipeline,
      RunRecord record,
      Clock clock,
      PrintWriter progress) {
    this.admin = admin;
    this.runs = runs;
    this.id = id;
    this.settings = settings;
    this.topics = topics;
    this.endAtStart = endAtStart;
    this.alreadyCommitted = alreadyCommitted;
    this.pipeline = pipeline;
    this.record = record;
    this.clock = clock;
    this.bar = new ProgressBar(progress);
  }

  /**
   * Starts a run, or resumes it if {@code id} names one that exists.
   *
   * @param id the run's id; empty for one made from the clock ({@link RunId#generate}), which must
   *     be new
   * @param live the live application's settings: its topic prefix, application id, windows and
   *     graces; the run's application id and range are derived from it
   * @param range the observedAt range to count; empty when resuming takes the recorded one
   * @param overrides Kafka Streams and client properties, applied last
   * @param onFailure what a failed stream thread does: replaced in a service, the run stops in a
   *     batch
   * @throws IllegalStateException if the scans topic does not exist, or the run exists with another
   *     range, or exists without a record
   */
  public static Reprocess start(
      Cluster cluster,
      SchemaRegistry registry,
      TopologySettings live,
      Optional<RunId> given,
      Optional<EventTimeRange> range,
      Path stateDir,
      Map<String, String> overrides,
      Optional<Short> replicationFactor,
      StreamThreadExceptionResponse onFailure,
      Clock clock,
      PrintWriter progress) {
    Runs runs = new Runs(cluster, live.topicPrefix(), live.applicationId(), Duration.ofSeconds(60));
    RunId id = given.orElseGet(() -> RunId.generate(clock));
    Topics topics = runs.topics(id, registry);
    String scans = topics.scans().name();
    RunRecord record = record(runs, id, given.isPresent(), range, live, scans, clock, progress);

    History history = history(cluster, live, record, scans);
    TopologySettings settings = history.settings();
    Map<Integer, Long> end = history.end();
    Pipeline.Builder builder =
        Pipeline.on(cluster, registry, settings)
            .catchingUp()
            .topics(topics)
            .stateDir(stateDir)
            .overrides(overrides)
            .replicationFactor(replicationFactor)
            .onFailure(onFailure)
            .startTimeout(Duration.ofMinutes(5));
    builder.provision();
    runs.save(record);

    Admin admin = cluster.admin();
    Pipeline pipeline = null;
    try {
      long committed = sum(committedOffsets(admin, settings.applicationId(), scans));
      pipeline = builder.start();
      progress.printf(
          Locale.ROOT,
          "run %s: application %s reads %s (%,d records) and counts observedAt in %s into %s.*%n",
          id,
          settings.applicationId(),
          scans,
          sum(end),
          record.range(),
          id.topicPrefix(live.topicPrefix()));
      progress.flush();
      return new Reprocess(
          admin, runs, id, settings, topics, end, committed, pipeline, record, clock, progress);
    } catch (RuntimeException e) {
      if (pipeline != null) {
        pipeline.close();
      }
      admin.close();
      throw e;
    }
  }

  /**
   * The run's settings, with the scans topic's partition count, and the end of the history it must
   * process.
   */
  private record History(TopologySettings settings, Map<Integer, Long> end) {}

  private static History history(
      Cluster cluster, TopologySettings live, RunRecord record, String scans) {
    try (Admin admin = cluster.admin()) {
      TopicProvisioner provisioner = new TopicProvisioner(admin, Duration.ofSeconds(60));
      int partitions =
          provisioner
              .partitions(scans)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "topic "
                              + scans
                              + " does not exist on "
                              + cluster.bootstrapServers()
                              + ": there is no history to reprocess"));
      TopologySettings settings =
          live.withInputPartitions(partitions)
              .withApplicationId(record.applicationId())
              .withEventTimeRange(record.range());
      return new History(settings, endOffsets(admin, scans, partitions));
    }
  }

  /**
   * The record of the run to resume, or of a new one: a run that exists is resumed only when named,
   * with its own range, and when no instance of it is running.
   */
  private static RunRecord record(
      Runs runs,
      RunId id,
      boolean named,
      Optional<EventTimeRange> range,
      TopologySettings live,
      String scans,
      Clock clock,
      PrintWriter progress) {
    Optional<Runs.Listed> existing = runs.find(id);
    if (existing.isPresent()) {
      if (!named) {
        throw new IllegalStateException(
            "run "
                + id
                + " already exists (started within the same second): retry, or give --run-id");
      }
      if (existing.get().record().isEmpty()) {
        throw new IllegalStateException(
            "run "
                + id
                + " has topics or a consumer group but no record in "
                + runs.recordsTopic()
                + ": delete it (reprocess delete "
                + id
                + ") or choose another --run-id");
      }
      RunRecord record = existing.get().record().get();
      if (range.isPresent() && !range.get().equals(record.range())) {
        throw new IllegalStateException(
            "run "
                + id
                + " counts observedAt in "
                + record.range()
                + ", not "
                + range.get()
                + ": resume it without --from/--to, or choose another --run-id");
      }
      if (existing.get().running()) {
        throw new IllegalStateException("run " + id + " is already running");
      }
      progress.printf(Locale.ROOT, "resuming run %s (observedAt in %s)%n", id, record.range());
      return record;
    }
    return RunRecord.started(
        id,
        id.applicationId(live.applicationId()),
        scans,
        range.orElse(EventTimeRange.ALL),
        clock.instant());
  }

  public RunId id() {
    return id;
  }

  /** The run's settings: the live ones with the run's application id and range. */
  public TopologySettings settings() {
    return settings;
  }

  /** The run's topics: the live scans topic as input, its own outputs. */
  public Topics topics() {
    return topics;
  }

  /**
   * Whether the run has committed every record the scans topic held when it started, and every
   * final that history implies has reached the output topics' producer (it is committed within a
   * commit interval, or on close). Once true it stays true, and the run's record says when.
   */
  public boolean caughtUp() {
    if (caughtUp) {
      return true;
    }
    Map<Integer, Long> committed =
        committedOffsets(admin, settings.applicationId(), topics.scans().name());
    boolean inputDone =
        endAtStart.entrySet().stream()
            .allMatch(
                e -> e.getValue() == 0 || committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
    if (inputDone && pipeline.drained()) {
      caughtUp = true;
      if (record.caughtUpAt().isEmpty()) {
        record = record.withCaughtUp(clock.instant());
        runs.save(record);
      }
    }
    return caughtUp;
  }

  /**
   * Waits until the run has caught up, at most {@code max}, printing progress every couple of
   * seconds.
   *
   * @return whether it has
   * @throws IllegalStateException if the topology stopped
   */
  public boolean awaitCaughtUp(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    long total = sum(endAtStart) - alreadyCommitted;
    while (!caughtUp()) {
      KafkaStreams.State state = pipeline.state();
      if (state == KafkaStreams.State.ERROR
          || state == KafkaStreams.State.NOT_RUNNING
          || state == KafkaStreams.State.PENDING_SHUTDOWN
          || state == KafkaStreams.State.PENDING_ERROR) {
        throw new IllegalStateException(
            "run "
                + id
                + " stopped in state "
                + state
                + pipeline.failure().map(e -> ": " + e.getMessage()).orElse(""),
            pipeline.failure().orElse(null));
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      long done =
          sum(committedOffsets(admin, settings.applicationId(), topics.scans().name()))
              - alreadyCommitted;
      bar.update(Math.max(0, Math.min(done, total)), total, "history records processed");
      Waits.sleep(200, "the run to catch up");
    }
    return true;
  }

  /** The run's record: its range, and when it started and caught up. */
  public RunRecord record() {
    return record;
  }

  /** Stops the run; everything it processed is committed, and a later start resumes from there. */
  @Override
  public void close() {
    try {
      pipeline.close();
    } finally {
      admin.close();
    }
  }

  private static long sum(Map<Integer, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The scans topic's end as of now, committed records only: the history the run must process. */
  private static Map<Integer, Long> endOffsets(Admin admin, String topic, int partitions) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
        Waits.await(
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(),
            Duration.ofSeconds(60),
            "list the offsets of " + topic);
    Map<Integer, Long> end = new HashMap<>();
    result.forEach((tp, info) -> end.put(tp.partition(), info.offset()));
    return end;
  }

  private static Map<Integer, Long> committedOffsets(Admin admin, String groupId, String topic) {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        Waits.await(
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(),
            Duration.ofSeconds(60),
            "read the offsets of group " + groupId);
    Map<Integer, Long> committed = new HashMap<>();
    offsets.forEach(
        (tp, offset) -> {
          if (tp.topic().equals(topic) && offset != null) {
            committed.put(tp.partition(), offset.offset());
          }
        });
    return committed;
  }
}
