package dev.patchwatch.bench;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Completion;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.StreamsProperties;
import dev.patchwatch.runtime.TopicProvisioner;
import dev.patchwatch.runtime.Waits;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.PatchWatchTopology;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * The benchmark: publishes one generated input to a scans topic, then reads that same topic in
 * every throughput phase, each from the beginning with its own application id (or no group) and a
 * fresh state directory, and finally measures live latency at a fixed offered rate on a topic of
 * its own. See BENCHMARKS.md for what each phase measures and why.
 */
public final class Bench {

  /** The phases after publishing, in the order they run. */
  public enum Phase {
    RAW("raw"),
    MINIMAL("minimal"),
    FULL("full"),
    FULL_ALOS("full-alos"),
    FULL_2_THREADS("full-2threads"),
    FULL_IN_MEMORY("full-in-memory"),
    LATENCY("latency");

    private final String id;

    Phase(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    public static Phase of(String id) {
      return Arrays.stream(values())
          .filter(p -> p.id.equals(id))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "unknown phase \""
                          + id
                          + "\"; phases: "
                          + String.join(", ", Arrays.stream(values()).map(Phase::id).toList())));
    }
  }

  /**
   * @param input what to generate
   * @param partitions partitions of every scans topic
   * @param rate events per second offered in the latency phase
   * @param latencyDuration how long each latency run produces
   * @param liveIntervals one latency run per live interval; the first is the headline
   * @param skip phases not to run
   */
  public record Options(
      BenchEvents.Options input,
      int partitions,
      int rate,
      Duration latencyDuration,
      List<Duration> liveIntervals,
      Set<Phase> skip) {

    public Options {
      Objects.requireNonNull(input, "input");
      if (partitions < 1 || partitions > 64) {
        throw new IllegalArgumentException("partitions must be 1 to 64, got " + partitions);
      }
      if (rate < 1 || rate > 1_000_000) {
        throw new IllegalArgumentException("rate must be 1 to 1,000,000 events/s, got " + rate);
      }
      // every live event must fall in one HOURLY window, whose count the method reads
      if (latencyDuration.compareTo(Duration.ofSeconds(1)) < 0
          || latencyDuration.compareTo(Duration.ofMinutes(30)) > 0) {
        throw new IllegalArgumentException(
            "latency duration must be 1 to 1800 s, got " + latencyDuration.toSeconds() + " s");
      }
      if ((long) rate * latencyDuration.toSeconds() > 50_000_000) {
        throw new IllegalArgumentException(
            "rate × latency duration must stay under 50,000,000 events");
      }
      if (liveIntervals.isEmpty()) {
        throw new IllegalArgumentException("at least one live interval is needed");
      }
      liveIntervals = List.copyOf(liveIntervals);
      skip = skip.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(skip));
    }
  }

  private static final String PREFIX = "bench";
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(20);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Live events' simulated time starts on an hour, so a run of up to 30 min stays in one window.
   */
  private static final Instant LIVE_BASE = Instant.parse("2021-03-15T10:00:00Z");

  private static final double MB = 1e6;

  private final String bootstrapServers;
  private final SchemaRegistry registry;
  private final Path workDir;
  private final Options options;
  private final PrintWriter progress;
  private final BenchReport report = new BenchReport();

  /**
   * @param workDir state directories go here, each deleted once its phase is measured
   * @param progress progress and each phase's line as it ends
   */
  public Bench(
      String bootstrapServers,
      SchemaRegistry registry,
      Path workDir,
      Options options,
      PrintWriter progress) {
    this.bootstrapServers = bootstrapServers;
    this.registry = registry;
    this.workDir = workDir;
    this.options = options;
    this.progress = progress;
  }

  /** The scans topic every throughput phase reads, as published. */
  private record Input(
      TopicSpec<String, ScanEvent> scans,
      long events,
      long records,
      long endWatermark,
      long bytesOnDisk) {}

  public BenchReport run() {
    long started = System.nanoTime();
    describeMachine();
    describeOptions();
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    if (load > cores / 2.0) {
      progress.printf(
          Locale.ROOT,
          "note: load average %.1f on %d cores before starting: other work competes for the CPU%n",
          load,
          cores);
    }
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Input input = publish(admin);
      if (runs(Phase.RAW)) {
        finished(raw(input));
      }
      if (runs(Phase.MINIMAL)) {
        finished(minimal(admin, input));
      }
      List<Finals> finals = new ArrayList<>();
      List<BenchReport.PhaseResult> fulls = new ArrayList<>();
      for (Phase phase :
          List.of(Phase.FULL, Phase.FULL_ALOS, Phase.FULL_2_THREADS, Phase.FULL_IN_MEMORY)) {
        if (runs(phase)) {
          PhaseResultWithFinals run = full(admin, input, phase);
          finished(run.result());
          fulls.add(run.result());
          finals.add(run.finals());
        }
      }
      // every run of the same input must publish the same finals, whatever the guarantee, threads
      // or store
      boolean identical = finals.stream().distinct().count() <= 1;
      fulls.forEach(f -> f.details().put("finalsIdenticalAcrossFullRuns", identical));
      if (!identical) {
        progress.println(
            "WARNING: the full runs published different finals: the topology is not deterministic");
      }
      if (runs(Phase.LATENCY)) {
        for (Duration interval : options.liveIntervals()) {
          BenchReport.LatencyResult result = latency(admin, interval);
          report.add(result);
          progress.println(BenchReport.line(result));
          progress.flush();
        }
      }
    }
    report.machine("loadAverageAfter", loadAverage());
    report.totalSeconds((System.nanoTime() - started) / 1e9);
    return report;
  }

  private boolean runs(Phase phase) {
    return !options.skip().contains(phase);
  }

  private void finished(BenchReport.PhaseResult result) {
    report.add(result);
    progress.println(BenchReport.line(result));
    progress.flush();
  }

  // ---------------------------------------------------------------------------------------------
  // publish

  private Input publish(Admin admin) {
    TopicSpec<String, ScanEvent> scans = Topics.create(PREFIX, PREFIX, registry).scans();
    try {
      admin
          .createTopics(
              List.of(
                  new NewTopic(scans.name(), Optional.of(options.partitions()), Optional.empty())
                      .configs(scans.configs())))
          .all()
          .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      throw failure("cannot create " + scans.name(), e);
    }
    new TopicProvisioner(admin, ADMIN_TIMEOUT)
        .awaitLeaders(Map.of(scans.name(), options.partitions()));

    BenchEvents generator = new BenchEvents(options.input());
    progress.printf(
        Locale.ROOT,
        "publishing %,d events from %,d hosts over %d days to %s (%d partitions)%n",
        options.input().events(),
        options.input().hosts(),
        options.input().days(),
        scans.name(),
        options.partitions());
    progress.flush();
    System.gc();
    AtomicReference<Throwable> refused = new AtomicReference<>();
    long[] sent = {0};
    long[] firstEventAt = {0};
    long started = System.nanoTime();
    long endWatermark;
    BenchEvents.Summary summary;
    ResourceSampler sampler = ResourceSampler.start(Optional.empty());
    try (sampler;
        ScanPublisher publisher =
            ScanPublisher.builder()
                .bootstrapServers(bootstrapServers)
                .registry(registry)
                .topicPrefix(PREFIX)
                .build()) {
      Ticker ticker = new Ticker();
      summary =
          generator.generate(
              event -> {
                if (sent[0] == 0) {
                  firstEventAt[0] = System.nanoTime();
                }
                publisher
                    .publish(event)
                    .whenComplete(
                        (m, e) -> {
                          if (e != null) {
                            refused.compareAndSet(null, e);
                          }
                        });
                sent[0]++;
                if (ticker.due()) {
                  progress.printf(
                      Locale.ROOT,
                      "  published %,d of %,d events (%.0f%%)%n",
                      sent[0],
                      options.input().events(),
                      100.0 * sent[0] / options.input().events());
                  progress.flush();
                }
              });
      endWatermark =
          TopologySettings.defaults(options.partitions()).closingProgress(summary.maxObservedAt());
      Waits.await(
          publisher.watermark(Instant.ofEpochMilli(endWatermark)),
          ADMIN_TIMEOUT,
          "send the closing watermark");
      publisher.flush();
      sampler.stopCpuClock();
    }
    long ended = System.nanoTime();
    if (refused.get() != null) {
      throw failure("the broker refused events", refused.get());
    }
    long records = endOffsetSum(admin, scans.name());
    long expected = summary.events() + options.partitions();
    if (records != expected) {
      throw new IllegalStateException(
          scans.name()
              + " holds "
              + records
              + " records, expected "
              + expected
              + " (events and watermarks)");
    }
    long onDisk = bytesOnDisk(admin, scans.name());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("generateSetupSeconds", (firstEventAt[0] - started) / 1e9);
    details.put("delayedEvents", summary.delayed());
    details.put("firstObservedAt", Instant.ofEpochMilli(summary.minObservedAt()).toString());
    details.put("lastObservedAt", Instant.ofEpochMilli(summary.maxObservedAt()).toString());
    details.put("endWatermark", Instant.ofEpochMilli(endWatermark).toString());
    details.put("scansTopicMbOnDisk", onDisk < 0 ? null : onDisk / MB);
    finished(
        new BenchReport.PhaseResult(
            "publish",
            "generate, then ScanPublisher: validated, idempotent, acks=all, lz4",
            summary.events(),
            records,
            (ended - started) / 1e9,
            -1,
            sampler.peaks(),
            details));
    return new Input(scans, summary.events(), records, endWatermark, onDisk);
  }

  // ---------------------------------------------------------------------------------------------
  // raw consume

  private BenchReport.PhaseResult raw(Input input) {
    System.gc();
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long records = 0;
    long bytes = 0;
    long started;
    long ended;
    ResourceSampler sampler = ResourceSampler.start(Optional.empty());
    try (sampler;
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = partitions(input.scans().name());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Ticker ticker = new Ticker();
      started = System.nanoTime();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          records++;
          bytes +=
              (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        }
        if (ticker.due()) {
          progress.printf(
              Locale.ROOT, "  raw consume: %,d of %,d records%n", records, input.records());
          progress.flush();
        }
        checkTimeout(started, "raw consume");
      }
      ended = System.nanoTime();
      sampler.stopCpuClock();
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("recordsPerSecond", records / ((ended - started) / 1e9));
    details.put("payloadMb", bytes / MB);
    return new BenchReport.PhaseResult(
        Phase.RAW.id(),
        "KafkaConsumer, read_committed, byte[], no decoding",
        input.events(),
        records,
        (ended - started) / 1e9,
        bytes,
        sampler.peaks(),
        details);
  }

  // ---------------------------------------------------------------------------------------------
  // minimal windowed count

  private BenchReport.PhaseResult minimal(Admin admin, Input input) {
    String appId = PREFIX + "-" + Phase.MINIMAL.id();
    String output = appId + ".counts";
    try {
      admin
          .createTopics(
              List.of(new NewTopic(output, Optional.of(options.partitions()), Optional.empty())))
          .all()
          .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      throw failure("cannot create " + output, e);
    }
    Path stateDir = workDir.resolve(appId);
    TopologySettings settings =
        TopologySettings.defaults(options.partitions()).withApplicationId(appId);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    System.gc();
    ResourceSampler sampler = ResourceSampler.start(Optional.of(stateDir));
    long started;
    long ended;
    long threadCpu;
    try (sampler;
        KafkaStreams streams =
            new KafkaStreams(
                MinimalTopology.build(input.scans().name(), output),
                StreamsProperties.of(
                    settings,
                    bootstrapServers,
                    stateDir,
                    Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1")))) {
      streams.setUncaughtExceptionHandler(
          e -> {
            failed.set(e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          });
      started = startAndAwaitRunning(streams, failed, "the minimal count");
      Ticker ticker = new Ticker();
      while (Completion.committed(admin, appId, input.scans().name()) < input.records()) {
        checkRunning(streams, failed, "the minimal count");
        checkTimeout(started, "the minimal count");
        if (ticker.due()) {
          reportProgress(Phase.MINIMAL.id(), admin, appId, input, started);
        }
        Waits.sleep(50, "the bench");
      }
      ended = System.nanoTime();
      sampler.stopCpuClock();
      threadCpu = streamThreadCpuNanos(appId);
      streams.close(Duration.ofSeconds(60));
    }
    long stateBytes = sampler.peaks().directory();
    deleteRecursively(stateDir);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("processingGuarantee", StreamsConfig.EXACTLY_ONCE_V2);
    details.put("streamThreads", 1);
    details.put("stateStorePeakMb", stateBytes / MB);
    putThreadCpu(details, threadCpu, input.events());
    details.put(
        "completion",
        "the group's committed offsets of the scans topic reach its end (outputs committed with them)");
    return new BenchReport.PhaseResult(
        Phase.MINIMAL.id(),
        "1-h tumbling count per host, RocksDB, exactly_once_v2, 1 thread",
        input.events(),
        input.records(),
        (ended - started) / 1e9,
        -1,
        sampler.peaks(),
        details);
  }

  // ---------------------------------------------------------------------------------------------
  // the full topology

  /** The finals a full run published: how many, and an order-independent digest of their bytes. */
  private record Finals(long count, long digest) {}

  private record PhaseResultWithFinals(BenchReport.PhaseResult result, Finals finals) {}

  private PhaseResultWithFinals full(Admin admin, Input input, Phase phase) {
    String guarantee =
        phase == Phase.FULL_ALOS ? StreamsConfig.AT_LEAST_ONCE : StreamsConfig.EXACTLY_ONCE_V2;
    int threads = phase == Phase.FULL_2_THREADS ? 2 : 1;
    TopologySettings.StoreType store =
        phase == Phase.FULL_IN_MEMORY
            ? TopologySettings.StoreType.IN_MEMORY
            : TopologySettings.StoreType.ROCKSDB;
    String name = PREFIX + "-" + phase.id();
    // the shared scans topic, and outputs of its own so its finals can be read and compared
    Topics own = Topics.create(name, name, registry);
    Topics topics =
        new Topics(
            input.scans(),
            own.countsHourly(),
            own.countsDaily(),
            own.exposureDaily(),
            own.countsLive(),
            own.rejected(),
            own.progress());
    TopologySettings settings =
        TopologySettings.defaults(options.partitions())
            .withTopicPrefix(name)
            .withApplicationId(name)
            .withIdleTimeout(Duration.ZERO)
            .withStoreType(store);
    Path stateDir = workDir.resolve(name);
    Pipeline.Builder builder =
        Pipeline.on(Cluster.of(bootstrapServers), registry, settings)
            .topics(topics)
            .stateDir(stateDir)
            .overrides(Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee))
            .streamThreads(threads);
    builder.provision();
    System.gc();
    ResourceSampler sampler = ResourceSampler.start(Optional.of(stateDir));
    long started;
    long ended;
    long threadCpu;
    long closeNanos;
    try (sampler) {
      Pipeline streams = builder.start();
      try {
        started = streams.runningSinceNanos();
        Ticker ticker = new Ticker();
        while (!streams.reached(input.endWatermark())) {
          if (streams.failure().isPresent()
              || streams.state() != KafkaStreams.State.RUNNING
                  && streams.state() != KafkaStreams.State.REBALANCING) {
            throw new IllegalStateException(
                phase.id()
                    + ": the topology stopped in state "
                    + streams.state()
                    + streams.failure().map(e -> ": " + e.getMessage()).orElse(""),
                streams.failure().orElse(null));
          }
          checkTimeout(started, phase.id());
          if (ticker.due()) {
            reportProgress(phase.id(), admin, name, input, started);
          }
          // often enough for a 0.1% error on a 50-second phase, rarely enough to cost no CPU
          Waits.sleep(50, "the bench");
        }
        ended = System.nanoTime();
        sampler.stopCpuClock();
        threadCpu = streamThreadCpuNanos(name);
      } finally {
        long closing = System.nanoTime();
        streams.close();
        closeNanos = System.nanoTime() - closing;
      }
    }
    long afterClose = ResourceSampler.sizeOf(stateDir);
    long partials = endOffsetSum(admin, name + "-" + PatchWatchTopology.PARTIALS + "-repartition");
    long live = endOffsetSum(admin, topics.countsLive().name());
    long peak = sampler.peaks().directory();
    Finals finals = readFinals(topics);
    deleteRecursively(stateDir);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("processingGuarantee", guarantee);
    details.put("streamThreads", threads);
    details.put("storeType", store.name());
    details.put("liveIntervalMs", settings.liveInterval().toMillis());
    details.put(
        "completion",
        "from RUNNING until every aggregating task has every input partition's progress at the closing watermark");
    putThreadCpu(details, threadCpu, input.events());
    details.put("closeSeconds", closeNanos / 1e9);
    details.put("finals", finals.count());
    details.put("finalsDigest", Long.toHexString(finals.digest()));
    // offsets, so with exactly_once_v2 they include a transaction marker per partition and commit
    details.put("partialsRepartitionOffsets", partials);
    details.put("liveTopicOffsets", live);
    details.put("stateStorePeakMb", peak / MB);
    details.put("stateStoreAfterCloseMb", afterClose / MB);
    details.put("stateStoreMbPerMillionEvents", peak / MB / (input.events() / 1e6));
    String what =
        String.format(
            Locale.ROOT,
            "PatchWatch topology, %s, %s, %d thread%s",
            store == TopologySettings.StoreType.ROCKSDB ? "RocksDB" : "in-memory",
            guarantee,
            threads,
            threads == 1 ? "" : "s");
    return new PhaseResultWithFinals(
        new BenchReport.PhaseResult(
            phase.id(),
            what,
            input.events(),
            input.records(),
            (ended - started) / 1e9,
            -1,
            sampler.peaks(),
            details),
        finals);
  }

  /**
   * Reads every final a full run published, with read_committed, and digests their Avro payloads.
   */
  private Finals readFinals(Topics topics) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long count = 0;
    long digest = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (Granularity g : Granularity.values()) {
        partitions.addAll(partitions(topics.finals(g).name()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long started = System.nanoTime();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          count++;
          // past the 5-byte wire-format header: schema ids differ between runs' topics
          digest += BenchEvents.mix(hash(r.key(), hash(r.value(), 17)));
        }
        checkTimeout(started, "reading the finals");
      }
    }
    return new Finals(count, digest);
  }

  private static long hash(byte[] bytes, long seed) {
    long h = seed ^ 0xcbf29ce484222325L;
    for (int i = Math.min(5, bytes == null ? 0 : bytes.length);
        bytes != null && i < bytes.length;
        i++) {
      h = (h ^ bytes[i]) * 0x100000001b3L;
    }
    return h;
  }

  // ---------------------------------------------------------------------------------------------
  // live latency

  private BenchReport.LatencyResult latency(Admin admin, Duration liveInterval) {
    String name = PREFIX + "-live-" + liveInterval.toMillis() + "ms";
    TopologySettings settings =
        TopologySettings.defaults(options.partitions())
            .withTopicPrefix(name)
            .withApplicationId(name)
            .withLiveInterval(liveInterval);
    Path stateDir = workDir.resolve(name);
    Pipeline.Builder builder =
        Pipeline.on(Cluster.of(bootstrapServers), registry, settings).stateDir(stateDir);
    Topics topics = builder.provision();
    int total = (int) (options.rate() * options.latencyDuration().toMillis() / 1000);
    long seed = options.input().seed();
    int capacity =
        Arrays.stream(new LiveEvents(options.partitions(), seed).partitionCounts(total))
            .max()
            .orElse(0);
    LatencyTracker tracker = new LatencyTracker(options.partitions(), capacity);
    LiveEvents events = new LiveEvents(options.partitions(), seed);
    double warmup = Math.min(2.0, options.latencyDuration().toMillis() / 1000.0 / 5);
    Duration commitInterval;
    progress.printf(
        Locale.ROOT,
        "latency: offering %,d events/s for %s, live interval %s%n",
        options.rate(),
        BenchReport.human(options.latencyDuration()),
        BenchReport.human(liveInterval));
    progress.flush();
    AtomicReference<Throwable> refused = new AtomicReference<>();
    long producedFrom;
    long producedTo;
    long waitedUntil;
    long threadCpu;
    System.gc();
    ResourceSampler sampler = ResourceSampler.start(Optional.of(stateDir));
    try (sampler;
        Pipeline streams = builder.start();
        LiveReader reader = new LiveReader(topics.countsLive(), tracker);
        ScanPublisher publisher =
            ScanPublisher.builder()
                .bootstrapServers(bootstrapServers)
                .registry(registry)
                .topicPrefix(name)
                .build()) {
      commitInterval =
          Duration.ofMillis(
              new StreamsConfig(
                      StreamsProperties.of(settings, bootstrapServers, stateDir, Map.of()))
                  .getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
      reader.start();
      producedFrom = System.nanoTime();
      long base = LIVE_BASE.toEpochMilli();
      Ticker ticker = new Ticker();
      for (int sent = 0; sent < total; ) {
        long elapsed = System.nanoTime() - producedFrom;
        long due = Math.min(total, elapsed * options.rate() / 1_000_000_000L + 1);
        while (sent < due) {
          long now = System.nanoTime();
          LiveEvents.Live live = events.next(base + (now - producedFrom) / 1_000_000);
          tracker.produced(live.partition(), now);
          publisher
              .publish(live.event())
              .whenComplete(
                  (m, e) -> {
                    if (e != null) {
                      refused.compareAndSet(null, e);
                    }
                  });
          sent++;
        }
        if (streams.failure().isPresent()) {
          throw failure("the topology failed during the latency run", streams.failure().get());
        }
        if (ticker.due()) {
          progress.printf(
              Locale.ROOT,
              "  produced %,d of %,d, %,d seen live%n",
              sent,
              total,
              tracker.matched());
          progress.flush();
        }
        LockSupport.parkNanos(200_000);
      }
      producedTo = System.nanoTime();
      publisher.flush();
      // two live intervals (both stages) and a few commits past the last event, with room to spare
      long deadline =
          System.nanoTime() + Duration.ofSeconds(10).plus(liveInterval.multipliedBy(4)).toNanos();
      while (tracker.matched() < tracker.produced() && System.nanoTime() < deadline) {
        reader.check();
        Waits.sleep(20, "the bench");
      }
      reader.check();
      waitedUntil = System.nanoTime();
      threadCpu = streamThreadCpuNanos(name);
    }
    deleteRecursively(stateDir);
    if (refused.get() != null) {
      throw failure("the broker refused live events", refused.get());
    }
    long measuredFrom = producedFrom + (long) (warmup * 1e9);
    List<LatencyStats> bySecond =
        tracker.latenciesByBucket(measuredFrom, waitedUntil, 1_000_000_000L).stream()
            .map(LatencyStats::of)
            .toList();
    return new BenchReport.LatencyResult(
        liveInterval,
        commitInterval,
        options.rate(),
        total / ((producedTo - producedFrom) / 1e9),
        tracker.produced(),
        warmup,
        tracker.unmatched(measuredFrom),
        LatencyStats.of(tracker.latencies(measuredFrom, waitedUntil)),
        bySecond,
        threadCpu / ((waitedUntil - producedFrom) / 1e9) / 1e9,
        sampler.peaks());
  }

  /** Reads the live topic on a thread of its own and tells the tracker what each update counts. */
  private final class LiveReader implements AutoCloseable {
    private final KafkaConsumer<CountKey, RemediationCount> consumer;
    private final LatencyTracker tracker;
    private final Thread thread;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicReference<Throwable> failed = new AtomicReference<>();
    private volatile boolean running = true;

    LiveReader(TopicSpec<CountKey, RemediationCount> live, LatencyTracker tracker) {
      Map<String, Object> config = new HashMap<>();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      // what a consumer of an exactly-once application sees: committed results only
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      this.consumer =
          new KafkaConsumer<>(
              config, live.keySerde().deserializer(), live.valueSerde().deserializer());
      this.tracker = tracker;
      List<TopicPartition> partitions = partitions(live.name());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      this.thread = new Thread(this::read, "bench-live-reader");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
      try {
        if (!ready.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the live topic's reader did not start within 60 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the live reader", e);
      }
      check();
    }

    private void read() {
      try {
        // resolves the starting positions now, so the first event is not measured against it
        consumer.assignment().forEach(consumer::position);
        ready.countDown();
        while (running) {
          ConsumerRecords<CountKey, RemediationCount> batch = consumer.poll(Duration.ofMillis(100));
          long now = System.nanoTime();
          for (ConsumerRecord<CountKey, RemediationCount> r : batch) {
            CountKey key = r.key();
            if (r.value() != null
                && key.getGranularity() == Granularity.HOURLY
                && key.getDimension() == Dimension.SCANNER
                && key.getValue().startsWith(LiveEvents.SCANNER_PREFIX)) {
              int partition =
                  Integer.parseInt(key.getValue().substring(LiveEvents.SCANNER_PREFIX.length()));
              tracker.observed(partition, r.value().getHosts(), now);
            }
          }
        }
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException e) {
        failed.set(e);
        ready.countDown();
      }
    }

    void check() {
      if (failed.get() != null) {
        throw failure("reading the live topic failed", failed.get());
      }
    }

    @Override
    public void close() {
      running = false;
      consumer.wakeup();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      consumer.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  /** Starts and returns the instant (nanoTime) it reached RUNNING, taken as its first record's. */
  private long startAndAwaitRunning(
      KafkaStreams streams, AtomicReference<Throwable> failed, String what) {
    AtomicLong runningAt = new AtomicLong();
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            runningAt.compareAndSet(0, System.nanoTime());
          }
        });
    streams.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (runningAt.get() == 0) {
      checkRunning(streams, failed, what);
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            what + " did not reach RUNNING within 120 s (state " + streams.state() + ")");
      }
      Waits.sleep(5, "the bench");
    }
    return runningAt.get();
  }

  /**
   * CPU time of the application's stream threads so far: the topology's own work, without the
   * broker's, the producers' I/O threads' or anything else in this process.
   */
  private static long streamThreadCpuNanos(String applicationId) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Pattern streamThread =
        Pattern.compile(Pattern.quote(applicationId) + "-[0-9a-f-]{36}-StreamThread-[0-9]+");
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (streamThread.matcher(t.getName()).matches()) {
        sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
      }
    }
    return sum;
  }

  private static void putThreadCpu(Map<String, Object> details, long nanos, long events) {
    details.put("streamThreadCpuSeconds", nanos / 1e9);
    details.put("eventsPerStreamThreadCpuSecond", nanos <= 0 ? null : events / (nanos / 1e9));
  }

  private static void checkRunning(
      KafkaStreams streams, AtomicReference<Throwable> failed, String what) {
    KafkaStreams.State state = streams.state();
    if (failed.get() != null
        || state == KafkaStreams.State.ERROR
        || state == KafkaStreams.State.NOT_RUNNING
        || state == KafkaStreams.State.PENDING_ERROR) {
      throw new IllegalStateException(
          what
              + " stopped in state "
              + state
              + (failed.get() == null ? "" : ": " + failed.get().getMessage()),
          failed.get());
    }
  }

  private static void checkTimeout(long started, String what) {
    if (System.nanoTime() - started > PHASE_TIMEOUT.toNanos()) {
      throw new IllegalStateException(
          what + " did not finish within " + PHASE_TIMEOUT.toMinutes() + " min");
    }
  }

  /**
   * Committed scan records: at_least_once commits only every 30 s, and the aggregating stage may
   * still be working through the partials once all are committed.
   */
  private void reportProgress(
      String phase, Admin admin, String applicationId, Input input, long started) {
    long committed = Completion.committed(admin, applicationId, input.scans().name());
    double seconds = (System.nanoTime() - started) / 1e9;
    progress.printf(
        Locale.ROOT,
        "  %s: %,d of %,d scan records committed (%.0f%%) after %.0f s%n",
        phase,
        committed,
        input.records(),
        100.0 * committed / input.records(),
        seconds);
    progress.flush();
  }

  private List<TopicPartition> partitions(String topic) {
    List<TopicPartition> list = new ArrayList<>();
    for (int p = 0; p < options.partitions(); p++) {
      list.add(new TopicPartition(topic, p));
    }
    return list;
  }

  /** The sum of a topic's end offsets: its record count, transaction markers included. */
  private long endOffsetSum(Admin admin, String topic) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions(topic).forEach(tp -> request.put(tp, OffsetSpec.latest()));
    try {
      return admin
          .listOffsets(request)
          .all()
          .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          .values()
          .stream()
          .mapToLong(info -> info.offset())
          .sum();
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      throw failure("cannot read the end offsets of " + topic, e);
    }
  }

  /** Bytes the topic takes in the broker's log directories (compressed batches), or -1. */
  private long bytesOnDisk(Admin admin, String topic) {
    try {
      List<Integer> brokers =
          admin.describeCluster().nodes().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
              .map(n -> n.id())
              .toList();
      long sum = 0;
      var descriptions =
          admin
              .describeLogDirs(brokers)
              .allDescriptions()
              .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      for (var dirs : descriptions.values()) {
        for (var dir : dirs.values()) {
          for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
            if (replica.getKey().topic().equals(topic)) {
              sum += replica.getValue().size();
            }
          }
        }
      }
      return sum;
    } catch (ExecutionException | TimeoutException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private void describeMachine() {
    Runtime runtime = Runtime.getRuntime();
    report.machine("cores", runtime.availableProcessors());
    report.machine(
        "cpu",
        firstValue(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch")));
    report.machine("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal").orElse("unknown"));
    report.machine("maxHeapMb", runtime.maxMemory() / MB);
    report.machine(
        "jdk",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    report.machine(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    report.machine("kafka", org.apache.kafka.common.utils.internals.AppInfoParser.getVersion());
    report.machine("loadAverageBefore", loadAverage());
  }

  private void describeOptions() {
    report.option("events", options.input().events());
    report.option("hosts", options.input().hosts());
    report.option("days", options.input().days());
    report.option("seed", options.input().seed());
    report.option("partitions", options.partitions());
    report.option("rate", options.rate());
    report.option("latencySeconds", options.latencyDuration().toMillis() / 1000.0);
    report.option(
        "liveIntervalsMs", options.liveIntervals().stream().map(Duration::toMillis).toList());
    report.option("skipped", options.skip().stream().map(Phase::id).sorted().toList());
  }

  /** The 1, 5 and 15-minute load averages, from /proc/loadavg or else the JVM's 1-minute figure. */
  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return String.format(
          Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static Optional<String> firstValue(Path file, String key) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines
          .filter(l -> l.startsWith(key))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst();
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private static IllegalStateException failure(String what, Throwable e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return new IllegalStateException(what + ": " + cause.getMessage(), cause);
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** True once every {@link #PROGRESS_EVERY}. */
  private static final class Ticker {
    private long next = System.nanoTime() + PROGRESS_EVERY.toNanos();

    boolean due() {
      long now = System.nanoTime();
      if (now < next) {
        return false;
      }
      next = now + PROGRESS_EVERY.toNanos();
      return true;
    }
  }
}
