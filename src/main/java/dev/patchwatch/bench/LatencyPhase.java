package dev.patchwatch.bench;

import static dev.patchwatch.bench.Failures.failure;

import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.StreamsProperties;
import dev.patchwatch.runtime.Waits;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One {@code latency} run: a fresh application with the live interval under test on a scans topic
 * of its own, offered events at a fixed rate, each timed from produce to the first committed live
 * update that counts it (see {@link LiveEvents} and {@link LatencyTracker}).
 */
final class LatencyPhase {

  /**
   * Live events' simulated time starts on an hour, so a run of up to 30 min stays in one window.
   */
  private static final Instant LIVE_BASE = Instant.parse("2021-03-15T10:00:00Z");

  /** Wall-clock instants (nanoTime) of the run, and the stream thread's CPU over it. */
  private record Timing(long producedFrom, long producedTo, long waitedUntil, long threadCpu) {}

  private final BenchContext context;
  private final int rate;
  private final Duration duration;
  private final Duration liveInterval;
  private final String name;
  private final TopologySettings settings;
  private final Path stateDir;
  private final int total;
  private final LiveEvents events;
  private final LatencyTracker tracker;
  private final double warmup;
  private final AtomicReference<Throwable> refused = new AtomicReference<>();

  LatencyPhase(BenchContext context, Bench.Options options, Duration liveInterval) {
    this.context = context;
    this.rate = options.rate();
    this.duration = options.latencyDuration();
    this.liveInterval = liveInterval;
    this.name = Bench.PREFIX + "-live-" + liveInterval.toMillis() + "ms";
    this.settings =
        context
            .topology()
            .withTopicPrefix(name)
            .withApplicationId(name)
            .withLiveInterval(liveInterval);
    this.stateDir = context.stateDir(name);
    this.total = (int) (rate * duration.toMillis() / 1000);
    long seed = options.input().seed();
    int capacity =
        Arrays.stream(new LiveEvents(context.partitions(), seed).partitionCounts(total))
            .max()
            .orElse(0);
    this.tracker = new LatencyTracker(context.partitions(), capacity);
    this.events = new LiveEvents(context.partitions(), seed);
    this.warmup = Math.min(2.0, duration.toMillis() / 1000.0 / 5);
  }

  BenchReport.LatencyResult run() {
    Pipeline.Builder builder =
        Pipeline.on(context.cluster(), context.registry(), settings).stateDir(stateDir);
    Topics topics = builder.provision();
    context
        .progress()
        .printf(
            "latency: offering %,d events/s for %s, live interval %s%n",
            rate, BenchReport.human(duration), BenchReport.human(liveInterval));
    Duration commitInterval;
    Timing timing;
    System.gc();
    ResourceSampler sampler = ResourceSampler.start(Optional.of(stateDir));
    try (sampler;
        Pipeline streams = builder.start();
        LiveReader reader = new LiveReader(context, topics.countsLive(), tracker);
        ScanPublisher publisher =
            ScanPublisher.builder()
                .bootstrapServers(context.bootstrapServers())
                .registry(context.registry())
                .topicPrefix(name)
                .build()) {
      commitInterval = commitInterval();
      reader.start();
      long producedFrom = System.nanoTime();
      offer(publisher, streams, producedFrom);
      long producedTo = System.nanoTime();
      publisher.flush();
      awaitTheRest(reader);
      timing = new Timing(producedFrom, producedTo, System.nanoTime(), StreamThreadCpu.nanos(name));
    }
    BenchContext.deleteRecursively(stateDir);
    if (refused.get() != null) {
      throw failure("the broker refused live events", refused.get());
    }
    return result(commitInterval, timing, sampler.peaks());
  }

  private Duration commitInterval() {
    return Duration.ofMillis(
        new StreamsConfig(
                StreamsProperties.of(settings, context.bootstrapServers(), stateDir, Map.of()))
            .getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
  }

  /** Produces every event, each when the wall clock says it is due at the offered rate. */
  private void offer(ScanPublisher publisher, Pipeline streams, long producedFrom) {
    long base = LIVE_BASE.toEpochMilli();
    Progress.Ticker ticker = new Progress.Ticker();
    for (int sent = 0; sent < total; ) {
      long elapsed = System.nanoTime() - producedFrom;
      long due = Math.min(total, elapsed * rate / 1_000_000_000L + 1);
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
        context
            .progress()
            .printf("  produced %,d of %,d, %,d seen live%n", sent, total, tracker.matched());
      }
      LockSupport.parkNanos(200_000);
    }
  }

  /** Two live intervals (both stages) and a few commits past the last event, with room to spare. */
  private void awaitTheRest(LiveReader reader) {
    long deadline =
        System.nanoTime() + Duration.ofSeconds(10).plus(liveInterval.multipliedBy(4)).toNanos();
    while (tracker.matched() < tracker.produced() && System.nanoTime() < deadline) {
      reader.check();
      Waits.sleep(20, "the bench");
    }
    reader.check();
  }

  private BenchReport.LatencyResult result(
      Duration commitInterval, Timing timing, ResourceSampler.Peaks peaks) {
    long measuredFrom = timing.producedFrom() + (long) (warmup * 1e9);
    List<LatencyStats> bySecond =
        tracker.latenciesByBucket(measuredFrom, timing.waitedUntil(), 1_000_000_000L).stream()
            .map(LatencyStats::of)
            .toList();
    return new BenchReport.LatencyResult(
        liveInterval,
        commitInterval,
        rate,
        total / ((timing.producedTo() - timing.producedFrom()) / 1e9),
        tracker.produced(),
        warmup,
        tracker.unmatched(measuredFrom),
        LatencyStats.of(tracker.latencies(measuredFrom, timing.waitedUntil())),
        bySecond,
        timing.threadCpu() / ((timing.waitedUntil() - timing.producedFrom()) / 1e9) / 1e9,
        peaks);
  }
}
