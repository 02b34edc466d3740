package dev.patchwatch.runtime;

import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.topology.PatchWatchTopology;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way PatchWatch runs its topology: it provisions the topics, registers the schemas, starts
 * the streams, waits for a given progress, exposes their state and closes them. Every command and
 * job ({@code run}, {@code local}, {@code demo}, {@code replay}, {@code reprocess}, {@code bench},
 * {@code archive import}) goes through it.
 *
 * <p>A service ({@code local}, {@code run}) replaces a failed stream thread, which resumes from its
 * last commit, so a transient failure (a registry restarting, a broker failing over) never loses or
 * double-counts an event; a batch job ({@code replay}) stops instead and reports the failure.
 */
public final class Pipeline implements AutoCloseable {

  /** Partitions of a scans topic created without a configured count. */
  public static final int DEFAULT_PARTITIONS = 6;

  /** The commit interval of {@link Builder#catchingUp}. */
  public static final long CATCH_UP_COMMIT_INTERVAL_MS = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  private final TopologySettings settings;
  private final Topics topics;
  private final KafkaStreams streams;
  private final AtomicReference<Throwable> lastFailure = new AtomicReference<>();
  private final AtomicLong runningSince = new AtomicLong();

  private Pipeline(Builder b, Topics topics) {
    this.settings = b.settings;
    this.topics = topics;
    Properties props =
        StreamsProperties.of(settings, b.cluster.bootstrapServers(), b.stateDir, b.overrides());
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        RejectingDeserializationHandler.class);
    props.putAll(RejectingDeserializationHandler.configs(topics));
    this.streams = new KafkaStreams(PatchWatchTopology.build(settings, topics), props);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            runningSince.compareAndSet(0, System.nanoTime());
          }
        });
    StreamThreadExceptionResponse onFailure = b.onFailure;
    streams.setUncaughtExceptionHandler(
        e -> {
          lastFailure.set(e);
          LOG.error("stream thread failed ({})", onFailure, e);
          return onFailure;
        });
  }

  /** A pipeline of {@code settings} on {@code cluster}, its schemas in {@code registry}. */
  public static Builder on(Cluster cluster, SchemaRegistry registry, TopologySettings settings) {
    return new Builder(cluster, registry, settings);
  }

  /**
   * The partition count of a scans topic, the one rule every command follows: the {@code
   * partitions} setting when it is set ({@code configured > 0}; an existing topic with another
   * count is then refused when provisioning, since hosts would move between partitions), else the
   * existing topic's count, else {@link #DEFAULT_PARTITIONS}.
   */
  public static int partitions(Cluster cluster, String scansTopic, int configured) {
    if (configured > 0) {
      return configured;
    }
    try (Admin admin = cluster.admin()) {
      return new TopicProvisioner(admin, ADMIN_TIMEOUT)
          .partitions(scansTopic)
          .orElse(DEFAULT_PARTITIONS);
    }
  }

  /** What to run and how; {@link #provision} and {@link #start} act on it. */
  public static final class Builder {
    private final Cluster cluster;
    private final SchemaRegistry registry;
    private TopologySettings settings;
    private Path stateDir;
    private final Map<String, String> overrides = new HashMap<>();
    private Optional<Short> replicationFactor = Optional.empty();
    private StreamThreadExceptionResponse onFailure = StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    private Duration startTimeout = Duration.ofMinutes(2);
    private Topics topics;
    private boolean provisioned;

    private Builder(Cluster cluster, SchemaRegistry registry, TopologySettings settings) {
      this.cluster = Objects.requireNonNull(cluster, "cluster");
      this.registry = Objects.requireNonNull(registry, "registry");
      this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Where the state stores live; keep it across restarts to avoid full restores. */
    public Builder stateDir(Path dir) {
      this.stateDir = dir;
      return this;
    }

    /** Kafka Streams, consumer, producer or admin properties, applied last. */
    public Builder overrides(Map<String, String> properties) {
      overrides.putAll(properties);
      return this;
    }

    /**
     * For a job that catches up on history no one watches live ({@code replay}, {@code reprocess}):
     * finals only, no live values, and a commit every {@link #CATCH_UP_COMMIT_INTERVAL_MS} ms
     * instead of every 100 ms, so that the record caches absorb more rewrites of the same host. An
     * explicit {@code commit.interval.ms} override still wins.
     */
    public Builder catchingUp() {
      settings = settings.withLiveOutput(false);
      overrides.putIfAbsent(
          StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(CATCH_UP_COMMIT_INTERVAL_MS));
      return this;
    }

    public Builder streamThreads(int threads) {
      overrides.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(threads));
      return this;
    }

    /** Of the topics it creates, internal ones included; empty for the broker's default. */
    public Builder replicationFactor(Optional<Short> factor) {
      this.replicationFactor = factor;
      factor.ifPresent(f -> overrides.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, f.toString()));
      return this;
    }

    /** A service replaces a failed thread; a batch job shuts down (the default). */
    public Builder onFailure(StreamThreadExceptionResponse response) {
      this.onFailure = response;
      return this;
    }

    /**
     * Other topics than the settings' prefix and application id name: a reprocessing run reads the
     * live scans topic and writes its own outputs.
     */
    public Builder topics(Topics topics) {
      this.topics = topics;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Creates the missing topics, checks the existing ones, waits for their leaders, registers the
     * schemas and gives each subject the level in force as its own. Done once: {@link #start} after
     * it does not repeat it.
     */
    public Topics provision() {
      if (!provisioned) {
        try (Admin admin = cluster.admin()) {
          new TopicProvisioner(admin, ADMIN_TIMEOUT)
              .ensure(topics(), settings.inputPartitions(), replicationFactor);
        }
        Topics.registerSchemas(topics(), registry);
        SubjectCompatibility.pin(registry, topics().subjects().keySet());
        provisioned = true;
      }
      return topics();
    }

    /** Provisions, then starts and waits until the streams run. */
    public Pipeline start() {
      Objects.requireNonNull(stateDir, "stateDir");
      Pipeline pipeline = new Pipeline(this, provision());
      try {
        pipeline.awaitRunning(startTimeout);
      } catch (RuntimeException e) {
        pipeline.close();
        throw e;
      }
      return pipeline;
    }

    /**
     * The pipeline, neither provisioned nor started: for a test that starts it while the registry
     * is down.
     */
    Pipeline create() {
      Objects.requireNonNull(stateDir, "stateDir");
      return new Pipeline(this, topics());
    }

    /** The topics given, or those the settings' prefix and application id name. */
    private Topics topics() {
      if (topics == null) {
        topics = Topics.create(settings.topicPrefix(), settings.applicationId(), registry);
      }
      return topics;
    }

    private Map<String, String> overrides() {
      Map<String, String> all = new HashMap<>(cluster.properties());
      all.putAll(overrides);
      return all;
    }
  }

  /** Starts the streams and waits until they run. */
  void awaitRunning(Duration timeout) {
    streams.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (stopped() || System.nanoTime() > deadline) {
        Throwable cause = lastFailure.get();
        throw new IllegalStateException(
            "the topology did not start (state "
                + streams.state()
                + ")"
                + (cause == null ? "" : ": " + cause.getMessage()),
            cause);
      }
      Waits.sleep(50, "the topology to start");
    }
  }

  public TopologySettings settings() {
    return settings;
  }

  public Topics topics() {
    return topics;
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** When the streams first reached RUNNING ({@link System#nanoTime}), for measurements. */
  public long runningSinceNanos() {
    return runningSince.get();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The last exception that stopped a stream thread, if any. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(lastFailure.get());
  }

  /**
   * Whether every window that {@code progress} closes is final: every aggregating partition has
   * heard every input partition reach it (DESIGN section 7.3).
   */
  public boolean reached(long progress) {
    int partitions = settings.inputPartitions();
    return Completion.reached(streams, partitions, progress) == partitions * partitions;
  }

  /** Whether every window the input processed so far closed is final ({@link Completion}). */
  public boolean drained() {
    return Completion.drained(streams, settings);
  }

  /**
   * Waits until {@code progress} is {@link #reached}, however long the input takes, calling {@code
   * onWait} between looks (for progress reports); fails if the streams stop.
   */
  public void awaitProgress(long progress, Runnable onWait) {
    while (!reached(progress)) {
      if (stopped()) {
        throw new IllegalStateException(
            "the topology stopped in state "
                + streams.state()
                + failure().map(e -> ": " + e.getMessage()).orElse(""),
            failure().orElse(null));
      }
      onWait.run();
      Waits.sleep(100, "the topology");
    }
  }

  private boolean stopped() {
    KafkaStreams.State state = streams.state();
    return state == KafkaStreams.State.ERROR
        || state == KafkaStreams.State.PENDING_ERROR
        || state == KafkaStreams.State.NOT_RUNNING
        || state == KafkaStreams.State.PENDING_SHUTDOWN;
  }

  /**
   * Stops the application and leaves its consumer group at once rather than when the session times
   * out, so the rest of the group takes over without waiting, and a stopped application is seen as
   * stopped right away (a promotion and a run's deletion check that). Closing commits the last
   * transaction, so every final is readable afterwards.
   */
  @Override
  public void close() {
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(30)));
  }
}
