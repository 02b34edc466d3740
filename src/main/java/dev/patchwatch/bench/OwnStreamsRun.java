package dev.patchwatch.bench;

import static dev.patchwatch.bench.Failures.checkTimeout;

import dev.patchwatch.runtime.Waits;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Runs one of the bench's own Kafka Streams applications ({@code passthrough}, {@code minimal}; the
 * PatchWatch topology runs through {@code Pipeline} instead) over the scans topic: timed from
 * RUNNING until the group's committed offsets reach the topic's end, with the steady state after
 * the first 10% of the input marked on the way.
 */
final class OwnStreamsRun {

  /**
   * Wall-clock instants (nanoTime) from RUNNING to completion, the stream thread's CPU over the
   * run, the measured stretch, and the scan records processed by the end, as the stretch's start
   * counted them.
   */
  record Measured(
      long started, long ended, long threadCpu, SteadyState steady, long processedAtEnd) {

    double seconds() {
      return (ended - started) / 1e9;
    }
  }

  private final BenchContext context;
  private final String applicationId;
  private final String phase;

  /**
   * @param phase its id, for progress and failures
   */
  OwnStreamsRun(BenchContext context, String applicationId, String phase) {
    this.context = context;
    this.applicationId = applicationId;
    this.phase = phase;
  }

  /** Runs until the group has committed the whole scans topic, then closes the application. */
  Measured measure(
      KafkaStreams streams, ResourceSampler sampler, BrokerTopics broker, Input input) {
    AtomicReference<Throwable> failed = new AtomicReference<>();
    streams.setUncaughtExceptionHandler(
        e -> {
          failed.set(e);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    long started = startAndAwaitRunning(streams, failed);
    SteadyState.Watch watch =
        new SteadyState.Watch(
            input.events(), input.records(), started, ResourceSampler.processCpuNanos());
    Progress.Ticker ticker = new Progress.Ticker();
    long committed;
    while ((committed = broker.committed(applicationId, input.scans().name())) < input.records()) {
      checkRunning(streams, failed);
      checkTimeout(started, phase);
      if (watch.waiting()) {
        watch.look(
            ProcessedRecords.of(streams), System.nanoTime(), ResourceSampler.processCpuNanos());
      }
      if (ticker.due()) {
        context.progress().committed(phase, committed, input.records(), started);
      }
      Waits.sleep(50, "the bench");
    }
    long ended = System.nanoTime();
    SteadyState steady = watch.end(ended, ResourceSampler.processCpuNanos());
    sampler.stopCpuClock();
    long threadCpu = StreamThreadCpu.nanos(applicationId);
    long processed = ProcessedRecords.of(streams);
    streams.close(Duration.ofSeconds(60));
    return new Measured(started, ended, threadCpu, steady, processed);
  }

  /** Starts and returns the instant (nanoTime) it reached RUNNING, taken as its first record's. */
  private long startAndAwaitRunning(KafkaStreams streams, AtomicReference<Throwable> failed) {
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
            phase + " did not reach RUNNING within 120 s (state " + streams.state() + ")");
      }
      Waits.sleep(5, "the bench");
    }
    return runningAt.get();
  }

  private void checkRunning(KafkaStreams streams, AtomicReference<Throwable> failed) {
    KafkaStreams.State state = streams.state();
    if (failed.get() != null
        || state == KafkaStreams.State.ERROR
        || state == KafkaStreams.State.NOT_RUNNING
        || state == KafkaStreams.State.PENDING_ERROR) {
      throw new IllegalStateException(
          phase
              + " stopped in state "
              + state
              + (failed.get() == null ? "" : ": " + failed.get().getMessage()),
          failed.get());
    }
  }
}
