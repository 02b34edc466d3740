package dev.patchwatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.EmbeddedKafka;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker (a single embedded one) is stopped while the topology runs, in the middle of the
 * input, and started again on the same data directory and port; the topology is never restarted.
 * The finals must equal the reference: nothing lost, nothing counted twice.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BrokerRestartIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void shouldPublishExactlyTheReferenceFinalsWhenTheBrokerRestartsUnderTheTopology()
      throws Exception {
    int partitions = 3;
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    TopologySettings settings =
        TopologySettings.defaults(partitions)
            .withTopicPrefix("restart-broker")
            .withApplicationId("restart-broker")
            .withIdleTimeout(Duration.ZERO);
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    List<ScanEvent> events =
        RandomEvents.generate(
            1130,
            RandomEvents.Options.defaults()
                .withStart(Instant.parse("2026-11-10T00:00:00Z"))
                .withHosts(150)
                .withDays(2));
    long end = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();
    List<ScanEvent> first = events.subList(0, events.size() / 2);
    List<ScanEvent> second = events.subList(events.size() / 2, events.size());
    Path data = dir.resolve("kafka");

    EmbeddedKafka kafka = EmbeddedKafka.start(data, port, Map.of());
    Cluster cluster = Cluster.of(kafka.bootstrapServers());
    Topics topics;
    long downMillis;
    long recoveryMillis;
    try (Pipeline pipeline =
        Pipeline.on(cluster, registry, settings)
            .stateDir(dir.resolve("state"))
            .onFailure(StreamThreadExceptionResponse.REPLACE_THREAD)
            .overrides(Map.of("commit.interval.ms", "100", "max.poll.records", "200"))
            .start()) {
      topics = pipeline.topics();
      publish(kafka.bootstrapServers(), registry, first, null);
      awaitCommitted(cluster, settings, topics, first.size() / 2);

      // mid-stream: the broker goes away under the running topology, then comes back
      long atStop = committed(cluster, settings, topics);
      long stopped = System.nanoTime();
      kafka.close();
      Thread.sleep(3_000);
      kafka = EmbeddedKafka.start(data, port, Map.of());
      long restarted = System.nanoTime();
      downMillis = Duration.ofNanos(restarted - stopped).toMillis();

      publish(kafka.bootstrapServers(), registry, second, end);
      while (committed(cluster, settings, topics) <= atStop) {
        Thread.sleep(50);
      }
      recoveryMillis = Duration.ofNanos(System.nanoTime() - restarted).toMillis();
      while (Completion.reached(pipeline.streams(), partitions, end) < partitions * partitions) {
        assertThat(pipeline.failure()).as("topology failure").isEmpty();
        Thread.sleep(100);
      }
      assertThat(pipeline.state().isRunningOrRebalancing()).isTrue();
    } finally {
      kafka.close();
    }
    kafka = EmbeddedKafka.start(data, port, Map.of());
    try {
      List<RemediationCount> finals = new ArrayList<>();
      for (Granularity g : Granularity.values()) {
        TopicReader.readAll(
            kafka.bootstrapServers(), Map.of(), topics.finals(g), r -> finals.add(r.value()));
      }
      finals.sort(ReferenceModel.OUTPUT_ORDER);
      assertThat(finals).isNotEmpty();
      FinalsAssert.assertSameFinals(finals, ReferenceModel.compute(events, partitions).finals());
      System.out.printf(
          "broker restart: down %d ms, commits resumed %d ms after the restart, %d events,"
              + " %d finals exact%n",
          downMillis, recoveryMillis, events.size(), finals.size());
    } finally {
      kafka.close();
    }
  }

  private static void publish(
      String bootstrap, InMemorySchemaRegistry registry, List<ScanEvent> events, Long watermark)
      throws Exception {
    try (ScanPublisher publisher =
        ScanPublisher.builder()
            .bootstrapServers(bootstrap)
            .registry(registry)
            .topicPrefix("restart-broker")
            .clock(CLOCK)
            .build()) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      events.forEach(e -> sent.add(publisher.publish(e)));
      if (watermark != null) {
        sent.add(publisher.watermark(Instant.ofEpochMilli(watermark)));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
    }
  }

  private static long committed(Cluster cluster, TopologySettings settings, Topics topics) {
    try (Admin admin = cluster.admin()) {
      return Completion.committed(admin, settings.applicationId(), topics.scans().name());
    }
  }

  private static void awaitCommitted(
      Cluster cluster, TopologySettings settings, Topics topics, long records)
      throws InterruptedException {
    while (committed(cluster, settings, topics) < records) {
      Thread.sleep(20);
    }
  }
}
