package dev.patchwatch.bench;

import static dev.patchwatch.bench.Failures.failure;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.topology.TopicSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/** Reads the live topic on a thread of its own and tells the tracker what each update counts. */
final class LiveReader implements AutoCloseable {
  private final KafkaConsumer<CountKey, RemediationCount> consumer;
  private final LatencyTracker tracker;
  private final Thread thread;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final AtomicReference<Throwable> failed = new AtomicReference<>();
  private volatile boolean running = true;

  LiveReader(
      BenchContext context, TopicSpec<CountKey, RemediationCount> live, LatencyTracker tracker) {
    // what a consumer of an exactly-once application sees: committed results only
    this.consumer =
        new KafkaConsumer<>(
            context.readCommittedConsumer(),
            live.keySerde().deserializer(),
            live.valueSerde().deserializer());
    this.tracker = tracker;
    List<TopicPartition> partitions = context.topicPartitions(live.name());
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
