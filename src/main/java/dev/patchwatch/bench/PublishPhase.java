package dev.patchwatch.bench;

import static dev.patchwatch.bench.Failures.failure;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.runtime.Waits;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The input: generates the events and publishes them once, followed by the watermark that closes
 * every window, to the scans topic every throughput phase then reads.
 */
final class PublishPhase {

  /** The input, and the publishing phase's own figures. */
  record Published(Input input, BenchReport.PhaseResult result) {}

  private final BenchContext context;
  private final BenchEvents.Options options;

  PublishPhase(BenchContext context, BenchEvents.Options options) {
    this.context = context;
    this.options = options;
  }

  Published run(BrokerTopics broker) {
    TopicSpec<String, ScanEvent> scans =
        Topics.create(Bench.PREFIX, Bench.PREFIX, context.registry()).scans();
    broker.create(scans.name(), scans.configs());
    broker.awaitLeaders(scans.name());

    BenchEvents generator = new BenchEvents(options);
    context
        .progress()
        .printf(
            "publishing %,d events from %,d hosts over %d days to %s (%d partitions)%n",
            options.events(), options.hosts(), options.days(), scans.name(), context.partitions());
    System.gc();
    Sender sender;
    long started = System.nanoTime();
    long endWatermark;
    BenchEvents.Summary summary;
    ResourceSampler sampler = ResourceSampler.start(Optional.empty());
    try (sampler;
        ScanPublisher publisher =
            ScanPublisher.builder()
                .bootstrapServers(context.bootstrapServers())
                .registry(context.registry())
                .topicPrefix(Bench.PREFIX)
                .build()) {
      sender = new Sender(context.progress(), options.events());
      summary = generator.generate(event -> sender.send(publisher, event));
      endWatermark = context.topology().closingProgress(summary.maxObservedAt());
      Waits.await(
          publisher.watermark(Instant.ofEpochMilli(endWatermark)),
          BrokerTopics.ADMIN_TIMEOUT,
          "send the closing watermark");
      publisher.flush();
      sampler.stopCpuClock();
    }
    long ended = System.nanoTime();
    if (sender.refused.get() != null) {
      throw failure("the broker refused events", sender.refused.get());
    }
    long records = checkedRecords(broker, scans.name(), summary.events());
    long onDisk = broker.bytesOnDisk(scans.name());
    return new Published(
        new Input(scans, summary.events(), records, endWatermark, onDisk),
        new BenchReport.PhaseResult(
            "publish",
            "generate, then ScanPublisher: validated, idempotent, acks=all, lz4",
            summary.events(),
            records,
            (ended - started) / 1e9,
            -1,
            sampler.peaks(),
            SteadyState.whole(summary.events(), started, ended, sampler.peaks().cpuNanos()),
            details(summary, (sender.firstEventAt - started) / 1e9, endWatermark, onDisk)));
  }

  private static Map<String, Object> details(
      BenchEvents.Summary summary, double setupSeconds, long endWatermark, long onDisk) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("generateSetupSeconds", setupSeconds);
    details.put("delayedEvents", summary.delayed());
    details.put("firstObservedAt", Instant.ofEpochMilli(summary.minObservedAt()).toString());
    details.put("lastObservedAt", Instant.ofEpochMilli(summary.maxObservedAt()).toString());
    details.put("endWatermark", Instant.ofEpochMilli(endWatermark).toString());
    details.put("scansTopicMbOnDisk", onDisk < 0 ? null : onDisk / BenchReport.MB);
    return details;
  }

  /** The topic's records, which must be every event and one watermark per partition. */
  private long checkedRecords(BrokerTopics broker, String topic, long events) {
    long records = broker.endOffsetSum(topic);
    long expected = events + context.partitions();
    if (records != expected) {
      throw new IllegalStateException(
          topic
              + " holds "
              + records
              + " records, expected "
              + expected
              + " (events and watermarks)");
    }
    return records;
  }

  /** Publishes each event as it is generated, keeping the first refusal and showing progress. */
  private static final class Sender {
    private final Progress progress;
    private final long total;
    private final AtomicReference<Throwable> refused = new AtomicReference<>();
    private final Progress.Ticker ticker = new Progress.Ticker();
    private long sent;
    private long firstEventAt;

    Sender(Progress progress, long total) {
      this.progress = progress;
      this.total = total;
    }

    void send(ScanPublisher publisher, ScanEvent event) {
      if (sent == 0) {
        firstEventAt = System.nanoTime();
      }
      publisher
          .publish(event)
          .whenComplete(
              (m, e) -> {
                if (e != null) {
                  refused.compareAndSet(null, e);
                }
              });
      sent++;
      if (ticker.due()) {
        progress.printf(
            "  published %,d of %,d events (%.0f%%)%n", sent, total, 100.0 * sent / total);
      }
    }
  }
}
