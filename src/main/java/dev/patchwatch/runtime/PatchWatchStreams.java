package dev.patchwatch.runtime;

import dev.patchwatch.topology.PatchWatchTopology;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology running in this process. A service ({@code local}, {@code run}) replaces a failed
 * stream thread, which resumes from its last commit, so a transient failure (a registry restarting,
 * a broker failing over) never loses or double-counts an event; a batch job ({@code replay}) stops
 * instead and reports the failure.
 */
public final class PatchWatchStreams implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PatchWatchStreams.class);

  private final KafkaStreams streams;
  private final AtomicReference<Throwable> lastFailure = new AtomicReference<>();

  public PatchWatchStreams(
      TopologySettings settings,
      Topics topics,
      String bootstrapServers,
      Path stateDir,
      Map<String, String> overrides,
      StreamThreadExceptionResponse onFailure) {
    Properties props = StreamsProperties.of(settings, bootstrapServers, stateDir, overrides);
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        RejectingDeserializationHandler.class);
    props.putAll(RejectingDeserializationHandler.configs(topics));
    this.streams = new KafkaStreams(PatchWatchTopology.build(settings, topics), props);
    streams.setUncaughtExceptionHandler(
        e -> {
          lastFailure.set(e);
          LOG.error("stream thread failed ({})", onFailure, e);
          return onFailure;
        });
  }

  /** Starts and waits until the application is running or {@code timeout} passes. */
  public void start(Duration timeout) {
    streams.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (streams.state() == KafkaStreams.State.ERROR
          || streams.state() == KafkaStreams.State.NOT_RUNNING
          || System.nanoTime() > deadline) {
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

  public KafkaStreams.State state() {
    return streams.state();
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** The last exception that stopped a stream thread, if any. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(lastFailure.get());
  }

  /**
   * Stops the application and leaves its consumer group at once rather than when the session times
   * out, so the rest of the group takes over without waiting, and a stopped application is seen as
   * stopped right away (a promotion and a run's deletion check that).
   */
  @Override
  public void close() {
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(30)));
  }
}
