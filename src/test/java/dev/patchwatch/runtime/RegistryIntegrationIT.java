package dev.patchwatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.LocalRegistry;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.nio.ByteBuffer;
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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The topology end to end against a real registry (Apicurio), including the registry failing. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RegistryIntegrationIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC);
  private static final long END = Instant.parse("2021-03-30T00:00:00Z").toEpochMilli();

  @TempDir Path dir;

  @Test
  void shouldFrameEveryRecordWithASchemaIdRegisteredThere() throws Exception {
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    String id = SharedKafka.unique("framed");
    Fixture f = new Fixture(id, 2, registry);
    List<ScanEvent> events =
        f.publish(
            RandomEvents.generate(
                11, RandomEvents.Options.withLateEvents().withHosts(60).withDays(3)));
    f.runToCompletion(dir.resolve("state"));
    FinalsAssert.assertSameFinals(f.finals(), ReferenceModel.compute(events, 2).finals());

    for (TopicSpec<?, ?> spec : f.topics.all()) {
      if (spec == f.topics.progress()) {
        continue; // internal to the application, not Avro
      }
      List<byte[]> values = new ArrayList<>();
      TopicReader.readAll(
          SharedKafka.bootstrapServers(),
          Map.of(),
          new TopicSpec<>(spec.name(), Serdes.ByteArray(), Serdes.ByteArray(), Map.of()),
          r -> {
            if (r.value() != null) {
              values.add(r.value());
            }
          });
      assertThat(values).as(spec.name()).isNotEmpty();
      for (byte[] value : values) {
        assertThat(value[0]).as("magic byte of a record of " + spec.name()).isZero();
        int schemaId = ByteBuffer.wrap(value, 1, 4).getInt();
        assertThat(registry.schemaById(schemaId)).isNotNull();
      }
    }
    assertThat(registry.subjects())
        .contains(
            id + ".scans-value",
            id + ".counts.daily-key",
            id + ".counts.daily-value",
            id + ".counts.hourly-key",
            id + ".exposure.daily-value",
            id + ".counts.live-value",
            id + ".rejected-value");
  }

  @Test
  void shouldFailClearlyWhenTheRegistryIsUnreachableAtStart() {
    ConfluentRegistryClient unreachable =
        ConfluentRegistryClient.builder("http://127.0.0.1:9/apis/ccompat/v7")
            .maxAttempts(2)
            .build();
    String id = SharedKafka.unique("unreachable");
    Topics topics = Topics.create(id, id, unreachable);
    assertThatThrownBy(() -> Topics.registerSchemas(topics, unreachable))
        .hasMessageContaining("cannot register ScanEvent as " + id + ".scans-value")
        .hasMessageContaining("127.0.0.1:9");
  }

  @Test
  void shouldLoseNothingWhenTheRegistryIsGoneDuringARun() throws Exception {
    Path registryDir = dir.resolve("registry");
    LocalRegistry own = LocalRegistry.start(LocalRegistry.defaultHome(), registryDir, 0);
    int port = own.port();
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(own.url())
            .maxAttempts(3)
            .backoff(Duration.ofMillis(100), Duration.ofMillis(500))
            .build();
    String id = SharedKafka.unique("outage");
    Fixture f = new Fixture(id, 3, registry);
    List<ScanEvent> events;
    try {
      events =
          f.publish(
              RandomEvents.generate(
                  12, RandomEvents.Options.defaults().withHosts(100).withDays(3)));
    } finally {
      own.close();
    }
    // A fresh application with a fresh client, as after a restart: it knows no schema yet, so its
    // first records need the registry, which is down. Its stream threads fail, are replaced, and
    // retry from their last commit.
    ConfluentRegistryClient fresh =
        ConfluentRegistryClient.builder(own.url())
            .maxAttempts(3)
            .backoff(Duration.ofMillis(100), Duration.ofMillis(500))
            .build();
    try (Pipeline streams =
        Pipeline.on(Cluster.of(SharedKafka.bootstrapServers()), fresh, f.settings)
            .stateDir(dir.resolve("state"))
            .onFailure(StreamThreadExceptionResponse.REPLACE_THREAD)
            .create()) {
      streams.streams().start();
      // a loaded machine takes a while to assign the tasks: wait for the failure, not a fixed time
      long failBy = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (streams.failure().isEmpty() && System.nanoTime() < failBy) {
        Thread.sleep(200);
      }
      assertThat(streams.failure())
          .as("a stream thread failed on the missing registry")
          .isPresent();
      assertThat(Completion.reached(streams.streams(), 3, END)).isZero();
      try (LocalRegistry back =
          LocalRegistry.start(LocalRegistry.defaultHome(), registryDir, port)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (Completion.reached(streams.streams(), 3, END) < 9) {
          assertThat(System.nanoTime())
              .as("caught up after the registry returned")
              .isLessThan(deadline);
          Thread.sleep(200);
        }
        streams.close();
        FinalsAssert.assertSameFinals(f.finals(), ReferenceModel.compute(events, 3).finals());
      }
    }
  }

  /** Topics, settings and a publisher for one test. */
  private static final class Fixture {
    final TopologySettings settings;
    final Topics topics;
    final ConfluentRegistryClient registry;

    Fixture(String id, int partitions, ConfluentRegistryClient registry) throws Exception {
      this.registry = registry;
      this.settings =
          TopologySettings.defaults(partitions)
              .withTopicPrefix(id)
              .withApplicationId(id)
              .withIdleTimeout(Duration.ZERO);
      this.topics = Topics.create(id, id, registry);
      SharedKafka.provision(topics, partitions);
      Topics.registerSchemas(topics, registry);
    }

    List<ScanEvent> publish(List<ScanEvent> events) throws Exception {
      try (ScanPublisher publisher =
          ScanPublisher.builder()
              .bootstrapServers(SharedKafka.bootstrapServers())
              .registry(registry)
              .topicPrefix(settings.topicPrefix())
              .clock(CLOCK)
              .build()) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        events.forEach(e -> sent.add(publisher.publish(e)));
        sent.add(publisher.watermark(Instant.ofEpochMilli(END)));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
      }
      return events;
    }

    void runToCompletion(Path stateDir) throws InterruptedException {
      try (Pipeline streams =
          Pipeline.on(Cluster.of(SharedKafka.bootstrapServers()), registry, settings)
              .topics(topics)
              .stateDir(stateDir)
              .start()) {
        int all = settings.inputPartitions() * settings.inputPartitions();
        while (Completion.reached(streams.streams(), settings.inputPartitions(), END) < all) {
          assertThat(streams.failure()).isEmpty();
          Thread.sleep(100);
        }
      }
    }

    List<RemediationCount> finals() {
      List<RemediationCount> finals = new ArrayList<>();
      for (Granularity g : Granularity.values()) {
        TopicReader.readAll(
            SharedKafka.bootstrapServers(), Map.of(), topics.finals(g), r -> finals.add(r.value()));
      }
      finals.sort(ReferenceModel.OUTPUT_ORDER);
      return finals;
    }
  }
}
