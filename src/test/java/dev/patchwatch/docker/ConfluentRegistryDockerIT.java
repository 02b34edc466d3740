package dev.patchwatch.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Completion;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The real topology against the official {@code apache/kafka} image and Confluent's own Schema
 * Registry, the registry that cannot run here without Docker: a randomized stream, its finals
 * checked against the reference model. Runs only where a Docker engine runs; elsewhere JUnit
 * reports it as skipped ("Docker is not available").
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ConfluentRegistryDockerIT {

  private static final int PARTITIONS = 3;
  private static final Instant END = Instant.parse("2021-03-30T00:00:00Z");
  private static final Network NETWORK = Network.newNetwork();

  @Container
  static final KafkaContainer KAFKA =
      new KafkaContainer(DockerImageName.parse("apache/kafka:4.4.0"))
          .withNetwork(NETWORK)
          .withListener("broker:19092");

  @Container
  static final GenericContainer<?> REGISTRY =
      new GenericContainer<>(DockerImageName.parse("confluentinc/cp-schema-registry:8.0.0"))
          .withNetwork(NETWORK)
          .withExposedPorts(8081)
          .withEnv("SCHEMA_REGISTRY_HOST_NAME", "registry")
          .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
          .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://broker:19092")
          .dependsOn(KAFKA)
          .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));

  @TempDir Path dir;

  @Test
  void shouldCountARandomStreamAsTheReferenceDoesWithConfluentSchemaRegistry() throws Exception {
    String bootstrap = KAFKA.getBootstrapServers();
    String url = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
    ConfluentRegistryClient registry = ConfluentRegistryClient.builder(url).build();
    TopologySettings settings =
        TopologySettings.defaults(PARTITIONS)
            .withTopicPrefix("docker")
            .withApplicationId("docker")
            .withIdleTimeout(Duration.ZERO);
    List<ScanEvent> events =
        RandomEvents.generate(23, RandomEvents.Options.withLateEvents().withHosts(150).withDays(4));

    Topics topics;
    try (Pipeline pipeline =
        Pipeline.on(Cluster.of(bootstrap), registry, settings)
            .stateDir(dir.resolve("state"))
            .start()) {
      topics = pipeline.topics();
      try (ScanPublisher publisher =
          ScanPublisher.builder()
              .bootstrapServers(bootstrap)
              .registry(registry)
              .topicPrefix("docker")
              .clock(Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC))
              .build()) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        events.forEach(e -> sent.add(publisher.publish(e)));
        sent.add(publisher.watermark(END));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
      }
      while (Completion.reached(pipeline.streams(), PARTITIONS, END.toEpochMilli())
          < PARTITIONS * PARTITIONS) {
        assertThat(pipeline.failure()).isEmpty();
        Thread.sleep(200);
      }
    }
    List<RemediationCount> finals = new ArrayList<>();
    for (Granularity g : Granularity.values()) {
      TopicReader.readAll(bootstrap, Map.of(), topics.finals(g), r -> finals.add(r.value()));
    }
    finals.sort(ReferenceModel.OUTPUT_ORDER);
    FinalsAssert.assertSameFinals(finals, ReferenceModel.compute(events, PARTITIONS).finals());
    // pinned at provisioning: Confluent's registry reports the subject's own level
    assertThat(registry.compatibility("docker.scans-value"))
        .contains(dev.patchwatch.registry.CompatibilityLevel.BACKWARD);
  }
}
