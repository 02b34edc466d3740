package dev.patchwatch.bench;

import static dev.patchwatch.bench.Failures.checkTimeout;

import dev.patchwatch.runtime.StreamsProperties;
import dev.patchwatch.runtime.Waits;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * {@code minimal}: the ceiling of Kafka Streams on this job, the {@link MinimalTopology} windowed
 * count with exactly_once_v2 and one stream thread. It runs its own {@link KafkaStreams}, not a
 * {@code Pipeline}, which runs only the PatchWatch topology.
 */
final class MinimalPhase {

  private static final String NAME = Bench.PREFIX + "-" + Bench.Phase.MINIMAL.id();
  private static final String WHAT = "the minimal count";

  private final BenchContext context;

  MinimalPhase(BenchContext context) {
    this.context = context;
  }

  /** Wall-clock instants (nanoTime) from RUNNING to completion, and the stream thread's CPU. */
  private record Measured(long started, long ended, long threadCpu) {}

  BenchReport.PhaseResult run(BrokerTopics broker, Input input) {
    String output = NAME + ".counts";
    broker.create(output);
    Path stateDir = context.stateDir(NAME);
    TopologySettings settings = context.topology().withApplicationId(NAME);
    System.gc();
    ResourceSampler sampler = ResourceSampler.start(Optional.of(stateDir));
    Measured measured;
    try (sampler;
        KafkaStreams streams =
            new KafkaStreams(
                MinimalTopology.build(input.scans().name(), output),
                StreamsProperties.of(
                    settings,
                    context.bootstrapServers(),
                    stateDir,
                    Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1")))) {
      measured = measure(streams, sampler, broker, input);
    }
    long stateBytes = sampler.peaks().directory();
    BenchContext.deleteRecursively(stateDir);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("processingGuarantee", StreamsConfig.EXACTLY_ONCE_V2);
    details.put("streamThreads", 1);
    details.put("stateStorePeakMb", stateBytes / BenchReport.MB);
    StreamThreadCpu.put(details, measured.threadCpu(), input.events());
    details.put(
        "completion",
        "the group's committed offsets of the scans topic reach its end (outputs committed with them)");
    return new BenchReport.PhaseResult(
        Bench.Phase.MINIMAL.id(),
        "1-h tumbling count per host, RocksDB, exactly_once_v2, 1 thread",
        input.events(),
        input.records(),
        (measured.ended() - measured.started()) / 1e9,
        -1,
        sampler.peaks(),
        details);
  }

  /** Runs until the group has committed the whole scans topic, then closes the application. */
  private Measured measure(
      KafkaStreams streams, ResourceSampler sampler, BrokerTopics broker, Input input) {
    AtomicReference<Throwable> failed = new AtomicReference<>();
    streams.setUncaughtExceptionHandler(
        e -> {
          failed.set(e);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    long started = startAndAwaitRunning(streams, failed);
    Progress.Ticker ticker = new Progress.Ticker();
    while (broker.committed(NAME, input.scans().name()) < input.records()) {
      checkRunning(streams, failed);
      checkTimeout(started, WHAT);
      if (ticker.due()) {
        context
            .progress()
            .committed(
                Bench.Phase.MINIMAL.id(),
                broker.committed(NAME, input.scans().name()),
                input.records(),
                started);
      }
      Waits.sleep(50, "the bench");
    }
    long ended = System.nanoTime();
    sampler.stopCpuClock();
    long threadCpu = StreamThreadCpu.nanos(NAME);
    streams.close(Duration.ofSeconds(60));
    return new Measured(started, ended, threadCpu);
  }

  /** Starts and returns the instant (nanoTime) it reached RUNNING, taken as its first record's. */
  private static long startAndAwaitRunning(
      KafkaStreams streams, AtomicReference<Throwable> failed) {
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
      checkRunning(streams, failed);
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            WHAT + " did not reach RUNNING within 120 s (state " + streams.state() + ")");
      }
      Waits.sleep(5, "the bench");
    }
    return runningAt.get();
  }

  private static void checkRunning(KafkaStreams streams, AtomicReference<Throwable> failed) {
    KafkaStreams.State state = streams.state();
    if (failed.get() != null
        || state == KafkaStreams.State.ERROR
        || state == KafkaStreams.State.NOT_RUNNING
        || state == KafkaStreams.State.PENDING_ERROR) {
      throw new IllegalStateException(
          WHAT
              + " stopped in state "
              + state
              + (failed.get() == null ? "" : ": " + failed.get().getMessage()),
          failed.get());
    }
  }
}
